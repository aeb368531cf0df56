#include "sim/event_warnings.hpp"

#include "sim/scenario_names.hpp"

namespace cm {

namespace {

bool same_month(const Date& a, const Date& b) { return a.year == b.year && a.month == b.month; }

std::string located(const SourceLocation& where, const std::string& message) {
  return InputError::format(where, message, "warning");
}

// The regime of a vendor's product in force on `day` (its first if none later has started).
const Pricing& regime_on(const Vendor& v, std::size_t product, std::int64_t day) {
  const Pricing* p = &v.pricing_of(product);
  for (const auto& r : v.later_pricing_of(product))
    if (days_from_civil(r.from) <= day) p = &r.pricing;
  return *p;
}

// Rules whose own review never replaces a price it did not set (a scheduled relative step applies
// to it; absolute steps are checked on their own).
bool keeps_price(PricingRule rule) { return rule == PricingRule::fixed || rule == PricingRule::scheduled; }

}  // namespace

std::vector<std::string> event_warnings(const Scenario& sc) {
  std::vector<std::string> warnings;
  const auto& events = sc.events;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.type != EventType::price_change) continue;
    const Vendor& v = sc.vendors[e.vendor];
    const std::int64_t day = days_from_civil(e.at);
    const std::string what = "the price_change of " + v.id + "/" + sc.products[e.product].id + " on " + to_iso(e.at);
    const std::string lost = ": both take effect on the same date, so the event's price is never in force";
    // A later price_change in the month: the last change announced in a month wins.
    for (std::size_t j = 0; j < events.size(); ++j) {
      const Event& o = events[j];
      if (j == i || o.type != EventType::price_change || o.vendor != e.vendor || o.product != e.product) continue;
      const std::int64_t other = days_from_civil(o.at);
      if (same_month(o.at, e.at) && (other > day || (other == day && j > i)))
        warnings.push_back(located(e.where, what + " is replaced by the price_change of " + to_iso(o.at) +
                                                " in the same month" + lost));
    }
    // A regime that starts later in the month: a fresh strategy owes the event nothing (but
    // `fixed` and `scheduled` start from the price as it is).
    for (const auto& r : v.later_pricing_of(e.product))
      if (same_month(r.from, e.at) && days_from_civil(r.from) >= day && !keeps_price(r.pricing.strategy))
        warnings.push_back(located(e.where, what + " is undone by the switch to the '" + name_of(r.pricing.strategy) +
                                                "' regime on " + to_iso(r.from) + ", in the same month" + lost));
    const Pricing& p = regime_on(v, e.product, day);
    // A scheduled absolute price later in the month ignores the event.
    if (p.strategy == PricingRule::scheduled)
      for (const auto& step : p.schedule)
        if (step.price && same_month(step.at, e.at) && days_from_civil(step.at) >= day)
          warnings.push_back(located(e.where, what + " is undone by the scheduled price of " + to_iso(step.at) +
                                                  " in the same month" + lost));
    // A hold that ends within the month: the strategy's own rule resumes before the event's price
    // has taken effect.
    if (e.hold_for && !keeps_price(p.strategy)) {
      const Calendar calendar(e.at);
      if (same_month(calendar.date_at(calendar.advance(0, *e.hold_for)), e.at))
        warnings.push_back(located(e.where, what + " holds for only " + to_string(*e.hold_for) +
                                                ", which ends within its month, when the " + name_of(p.strategy) +
                                                " rule resumes" + lost));
    }
  }
  return warnings;
}

}  // namespace cm
