#include "agents/vendor_actor.hpp"

#include <memory>

#include <simgrid/s4u.hpp>

#include "sim/scenario_names.hpp"

namespace cm {

VendorActor::VendorActor(World& world, std::size_t vendor, std::size_t product)
    : world_(world),
      vendor_(vendor),
      product_(product),
      regimes_(world.scenario.vendors[vendor].regimes_of(product, world.scenario.time.start)) {
  start_regime(0);
}

bool VendorActor::needed(const Scenario& sc, std::size_t vendor, std::size_t product) {
  if (sc.vendors[vendor].pricing_of(product).strategy != PricingRule::fixed) return true;
  if (!sc.vendors[vendor].later_pricing_of(product).empty()) return true;  // a switch is recorded
  for (const auto& e : sc.events)
    if (e.type == EventType::price_change && e.vendor == vendor && e.product == product) return true;
  return false;
}

void VendorActor::start_regime(std::size_t regime) {
  const Scenario& sc = world_.scenario;
  const Vendor& v = sc.vendors[vendor_];
  // The first regime keeps the stream it always had; later ones draw from their own.
  std::string purpose = "pricing:" + sc.products[product_].id;
  if (regime > 0) purpose += "#regime" + std::to_string(regime);
  regime_ = regime;
  strategy_ = make_pricing_strategy(regimes_[regime].pricing, RandomStream(sc.seed, "vendor:" + v.id, purpose));
  reviews_ = 0;
  hold_.reset();  // an event holds until the next regime at most
  if (regimes_[regime].pricing.strategy == PricingRule::q_learning)
    world_.learners.push_back({vendor_, product_, regime, strategy_});
}

void VendorActor::operator()() {
  const double horizon = world_.month_start(world_.months());
  for (const PricingStep& step : pricing_timeline(world_.scenario, vendor_, product_, world_.calendar, horizon)) {
    simgrid::s4u::this_actor::sleep_until(step.seconds);
    if (!world_.active(vendor_)) return;
    switch (step.kind) {
      case PricingStep::Kind::regime: {
        start_regime(step.index);
        const Pricing& p = regimes_[regime_].pricing;
        review(step.seconds, "regime: " + std::string(name_of(p.strategy)) + " from " + to_iso(regimes_[regime_].from),
               true);
        break;
      }
      case PricingStep::Kind::event: apply_event(step.seconds, step.index); break;
      case PricingStep::Kind::resume:
        if (hold_ && hold_->event == step.index) {
          strategy_->resume();
          hold_.reset();
        }
        break;
      case PricingStep::Kind::review:
        if (hold_ && !hold_->strategy_took_level) break;  // the event's price holds
        review(step.seconds, name_of(regimes_[regime_].pricing.strategy), false);
        break;
    }
  }
}

void VendorActor::apply_event(double now, std::size_t index) {
  const Event& e = world_.scenario.events[index];
  const double old_price = world_.prices.latest(vendor_, product_);
  const double price = e.price ? *e.price : old_price * (1.0 + *e.change);
  world_.prices.announce(vendor_, product_, now, price, "event");
  PricingView view = view_at(now, false);  // own price: the event's, as announced
  hold_ = Hold{index, strategy_->take_level(view.own_price, view)};
}

PricingView VendorActor::view_at(double now, bool outlook) const {
  const Scenario& sc = world_.scenario;
  const Vendor& vendor = sc.vendors[vendor_];
  const Pricing& pricing = regimes_[regime_].pricing;
  const int month = world_.calendar.month_containing(now);

  // Rivals' prices as seen after the reaction delay; own prices as last announced.
  Grid seen = world_.prices.in_force(world_.calendar.retreat(now, pricing.reaction_delay));
  for (std::size_t p = 0; p < sc.products.size(); ++p) seen(vendor_, p) = world_.prices.latest(vendor_, p);

  PricingView view;
  view.review = reviews_;
  view.now_seconds = now;
  view.today = world_.calendar.date_at(now);
  view.own_price = seen(vendor_, product_);
  view.unit_cost = world_.unit_cost(vendor_, product_);
  view.initial_price = vendor.offers[product_].price;
  view.initial_unit_cost = vendor.offers[product_].unit_cost;
  for (std::size_t r = 0; r < sc.vendors.size(); ++r)
    if (r != vendor_ && world_.active(r)) view.rival_prices.push_back(seen(r, product_));
  if (outlook && pricing.strategy == PricingRule::best_response) {
    // Scarcity priced: sales capped at capacity.
    auto profit = std::make_shared<ExpectedProfit>(world_.expected_profit_at(vendor_, product_, seen, month, true));
    view.profit_at = [profit](double price) { return (*profit)(price); };
  }
  if (outlook && pricing.strategy == PricingRule::dynamic_best_response) {
    auto problem = std::make_shared<const DynamicPricingProblem>(
        world_.dynamic_pricing_problem(vendor_, product_, seen, month, pricing));
    view.discounted_profit_at = [problem](double price) { return discounted_profit(*problem, price); };
  }
  if (outlook && pricing.strategy == PricingRule::q_learning) view.profit_by_month = world_.product_profit_by_month(vendor_, product_);
  view.effective_month = month + 1;
  return view;
}

// `always_record`: a regime switch is recorded in /events/price_changes even when the price does
// not move (a row with new_price == old_price), so every strategy change is visible.
void VendorActor::review(double now, const std::string& reason, bool always_record) {
  const PricingView view = view_at(now);
  ++reviews_;
  const auto price = strategy_->review(view);
  if (price && *price != view.own_price) world_.prices.announce(vendor_, product_, now, *price, reason);
  else if (always_record) world_.prices.announce(vendor_, product_, now, view.own_price, reason);
}

}  // namespace cm
