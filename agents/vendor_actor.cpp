#include "agents/vendor_actor.hpp"

#include <memory>

#include <simgrid/s4u.hpp>

#include "sim/scenario_names.hpp"

namespace cm {

VendorActor::VendorActor(World& world, std::size_t vendor, std::size_t product)
    : world_(world), vendor_(vendor), product_(product) {
  const Vendor& v = world.scenario.vendors[vendor];
  strategy_ = make_pricing_strategy(
      v.pricing_of(product), RandomStream(world.scenario.seed, "vendor:" + v.id,
                                          "pricing:" + world.scenario.products[product].id));
}

std::vector<double> VendorActor::review_times() const {
  const Pricing& pricing = world_.scenario.vendors[vendor_].pricing_of(product_);
  const double horizon = world_.month_start(world_.months());
  std::vector<double> times;
  if (pricing.strategy == PricingRule::scheduled) {
    for (const auto& step : pricing.schedule) {
      const double t = world_.calendar.seconds_of(step.at);
      if (t >= 0 && t < horizon && (times.empty() || times.back() != t)) times.push_back(t);
    }
    return times;
  }
  for (double t = 0; t < horizon; t = world_.calendar.advance(t, pricing.review_every)) times.push_back(t);
  return times;
}

void VendorActor::operator()() {
  if (world_.scenario.vendors[vendor_].pricing_of(product_).strategy == PricingRule::fixed) return;
  for (double t : review_times()) {
    simgrid::s4u::this_actor::sleep_until(t);
    if (!world_.active(vendor_)) return;
    review(t);
  }
}

void VendorActor::review(double now) {
  const Scenario& sc = world_.scenario;
  const Vendor& vendor = sc.vendors[vendor_];
  const Pricing& pricing = vendor.pricing_of(product_);
  const int month = world_.calendar.month_containing(now);

  // Rivals' prices as seen after the reaction delay; own prices as last announced.
  Grid seen = world_.prices.in_force(world_.calendar.retreat(now, pricing.reaction_delay));
  for (std::size_t p = 0; p < sc.products.size(); ++p) seen(vendor_, p) = world_.prices.latest(vendor_, p);

  PricingView view;
  view.review = reviews_++;
  view.now_seconds = now;
  view.today = world_.calendar.date_at(now);
  view.own_price = seen(vendor_, product_);
  view.unit_cost = world_.unit_cost(vendor_, product_);
  view.initial_price = vendor.offers[product_].price;
  view.initial_unit_cost = vendor.offers[product_].unit_cost;
  for (std::size_t r = 0; r < sc.vendors.size(); ++r)
    if (r != vendor_ && world_.active(r)) view.rival_prices.push_back(seen(r, product_));
  view.profit_at = [&, seen](double price) mutable {
    seen(vendor_, product_) = price;
    return world_.expected_profit(vendor_, seen, month, product_);  // scarcity priced: sales capped at capacity
  };
  if (pricing.strategy == PricingRule::dynamic_best_response) {
    auto problem = std::make_shared<const DynamicPricingProblem>(
        world_.dynamic_pricing_problem(vendor_, product_, seen, month, pricing));
    view.discounted_profit_at = [problem](double price) { return discounted_profit(*problem, price); };
  }
  const double profit_to_date = world_.product_profit_to_date(vendor_, product_);
  view.profit_since_last_review = profit_to_date - profit_mark_;
  profit_mark_ = profit_to_date;

  const auto price = strategy_->review(view);
  if (price && *price != view.own_price)
    world_.prices.announce(vendor_, product_, now, *price, name_of(pricing.strategy));
}

}  // namespace cm
