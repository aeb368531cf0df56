#pragma once
// When a vendor's pricing of one product acts, and how (docs/model.md, "Strategy schedules" and
// "Events that persist"): regime switches, its own price_change events, the end of an event's
// hold, and the reviews of the regime in force. Pure, so the order of things can be tested
// without SimGrid; the vendor actor walks the list.
#include <cstddef>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/scenario.hpp"

namespace cm {

struct PricingStep {
  // At one instant: a regime switch first (a fresh strategy, which reviews at once), then the
  // events (in file order), then the end of a hold, then a review.
  enum class Kind { regime, event, resume, review };
  double seconds = 0;
  Kind kind = Kind::review;
  std::size_t index = 0;  // regime: its index (0 = the first); event, resume: index in Scenario::events
};

// The regime in force at `seconds` (the last one whose `from` is not after it).
std::size_t regime_at(const std::vector<PricingRegime>& regimes, const Calendar& calendar, double seconds);

// When one regime's strategy reviews within [from, to): its schedule's dates for `scheduled` (one
// review per date), every `review_every` from `from` otherwise, none for `fixed`.
std::vector<double> review_times(const Pricing& pricing, const Calendar& calendar, double from, double to);

// Every step in [0, horizon) for product `product` of vendor `vendor`, in the order it acts.
// A review is added where a hold ends (the strategy's own rule resumes at once); there is at most
// one review an instant, and none where a regime starts (the fresh strategy reviews then anyway).
std::vector<PricingStep> pricing_timeline(const Scenario& scenario, std::size_t vendor, std::size_t product,
                                          const Calendar& calendar, double horizon);

}  // namespace cm
