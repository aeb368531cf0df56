#include "agents/vendor_actor.hpp"

#include <simgrid/s4u.hpp>

#include <limits>

#include "agents/pricing.hpp"
#include "sim/scenario_names.hpp"

namespace cm {

void VendorActor::operator()() {
  const Vendor& vendor = world_.scenario.vendors[vendor_];
  if (vendor.pricing.strategy == PricingRule::fixed) return;  // nothing to review
  const double horizon = world_.month_start(world_.months());
  for (double t = 0; t < horizon; t = world_.calendar.advance(t, vendor.pricing.review_every)) {
    simgrid::s4u::this_actor::sleep_until(t);
    review(t);
  }
}

void VendorActor::review(double now) {
  const Vendor& vendor = world_.scenario.vendors[vendor_];
  const int month = world_.calendar.month_containing(now);
  for (std::size_t p = 0; p < vendor.offers.size(); ++p) {
    const auto price = review_price(vendor.pricing, vendor.offers[p], month);
    if (price && *price != world_.prices.in_force(vendor_, p, std::numeric_limits<double>::infinity()))
      world_.prices.announce(vendor_, p, now, *price, name_of(vendor.pricing.strategy));
  }
}

}  // namespace cm
