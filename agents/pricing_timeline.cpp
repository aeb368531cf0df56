#include "agents/pricing_timeline.hpp"

#include <algorithm>
#include <set>

namespace cm {

std::size_t regime_at(const std::vector<PricingRegime>& regimes, const Calendar& calendar, double seconds) {
  std::size_t r = 0;
  for (std::size_t i = 1; i < regimes.size(); ++i)
    if (calendar.seconds_of(regimes[i].from) <= seconds) r = i;
  return r;
}

std::vector<double> review_times(const Pricing& pricing, const Calendar& calendar, double from, double to) {
  std::vector<double> times;
  if (pricing.strategy == PricingRule::fixed) return times;
  if (pricing.strategy == PricingRule::scheduled) {
    for (const auto& step : pricing.schedule) {
      const double t = calendar.seconds_of(step.at);
      if (t >= from && t < to && (times.empty() || times.back() != t)) times.push_back(t);
    }
    return times;
  }
  for (double t = from; t < to; t = calendar.advance(t, pricing.review_every)) times.push_back(t);
  return times;
}

std::vector<PricingStep> pricing_timeline(const Scenario& sc, std::size_t vendor, std::size_t product,
                                          const Calendar& calendar, double horizon) {
  const auto regimes = sc.vendors[vendor].regimes_of(product, sc.time.start);
  std::vector<PricingStep> steps;
  auto regime_start = [&](std::size_t r) { return r == 0 ? 0.0 : calendar.seconds_of(regimes[r].from); };
  auto regime_end = [&](std::size_t r) { return r + 1 < regimes.size() ? regime_start(r + 1) : horizon; };

  for (std::size_t r = 0; r < regimes.size(); ++r) {
    const double from = regime_start(r), to = std::min(regime_end(r), horizon);
    if (from >= horizon) break;
    if (r > 0) steps.push_back({from, PricingStep::Kind::regime, r});
    for (double t : review_times(regimes[r].pricing, calendar, from, to)) steps.push_back({t, PricingStep::Kind::review, r});
  }

  for (std::size_t e = 0; e < sc.events.size(); ++e) {
    const Event& ev = sc.events[e];
    if (ev.type != EventType::price_change || ev.vendor != vendor || ev.product != product) continue;
    const double t = calendar.seconds_of(ev.at);
    if (t < 0 || t >= horizon) continue;
    steps.push_back({t, PricingStep::Kind::event, e});
    if (!ev.hold_for) continue;
    // The hold ends after `for:`, or earlier at the next regime (a fresh strategy owes it nothing).
    const double end = calendar.advance(t, *ev.hold_for);
    if (end < std::min(regime_end(regime_at(regimes, calendar, t)), horizon))
      steps.push_back({end, PricingStep::Kind::resume, e});
  }

  // Time, then kind; events keep their file order, everything else is in time order already.
  std::stable_sort(steps.begin(), steps.end(), [](const PricingStep& a, const PricingStep& b) {
    return a.seconds != b.seconds ? a.seconds < b.seconds : a.kind < b.kind;
  });
  // One review an instant, none at a regime switch; one after each resume.
  std::vector<PricingStep> out;
  std::set<double> switched, reviewed;
  for (const auto& s : steps) {
    if (s.kind == PricingStep::Kind::regime) switched.insert(s.seconds);
    if (s.kind == PricingStep::Kind::review) {
      if (switched.count(s.seconds) || !reviewed.insert(s.seconds).second) continue;
    }
    out.push_back(s);
    if (s.kind == PricingStep::Kind::resume && !switched.count(s.seconds) && reviewed.insert(s.seconds).second)
      out.push_back({s.seconds, PricingStep::Kind::review, regime_at(regimes, calendar, s.seconds)});
  }
  return out;
}

}  // namespace cm
