#include "agents/api_pricing_actor.hpp"

#include <simgrid/s4u.hpp>

#include "agents/pricing_timeline.hpp"
#include "sim/scenario_names.hpp"

namespace cm {

ApiPricingActor::ApiPricingActor(World& world, std::size_t startup) : world_(world), startup_(startup) {
  const Startup& s = world.scenario.startups[startup];
  strategy_ = make_pricing_strategy(s.pricing, RandomStream(world.scenario.seed, "startup:" + s.id, "pricing:api"));
}

void ApiPricingActor::operator()() {
  const Pricing& pricing = world_.scenario.startups[startup_].pricing;
  for (double t : review_times(pricing, world_.calendar, 0.0, world_.month_start(world_.months()))) {
    simgrid::s4u::this_actor::sleep_until(t);
    if (!world_.startups.alive(startup_)) return;
    review(t);
  }
}

void ApiPricingActor::review(double now) {
  const Scenario& sc = world_.scenario;
  const Startup& me = sc.startups[startup_];
  const StartupSector& sector = world_.startups;

  // Every model's price as seen after the reaction delay; the own one as last announced.
  const double seen_at = world_.calendar.retreat(now, me.pricing.reaction_delay);
  std::vector<std::optional<double>> seen(sector.size());
  for (std::size_t i = 0; i < sector.size(); ++i) seen[i] = sector.api_price_at(i, seen_at);
  seen[startup_] = sector.latest_api_price(startup_);

  PricingView view;
  view.review = reviews_++;
  view.now_seconds = now;
  view.today = world_.calendar.date_at(now);
  view.own_price = seen[startup_].value_or(0.0);
  view.unit_cost = world_.serving_cost(me.trains_on, now);
  view.initial_price = me.api_price.value_or(0.0);
  view.initial_unit_cost = world_.serving_cost(me.trains_on, 0.0);
  // Rivals: the other live models on its marketplaces, at their price (or the host's list price).
  const auto hosts = world_.api_marketplaces(startup_);
  for (std::size_t i = 0; i < sector.size(); ++i) {
    if (i == startup_) continue;
    for (std::size_t v : hosts) {
      if (!sector.hosts(v, i, sc.vendors[v].ai_strategy)) continue;
      if (seen[i] && !sc.startups[i].open_weight) {
        view.rival_prices.push_back(*seen[i]);
        break;
      }
      for (std::size_t p = 0; p < sc.products.size(); ++p)
        if (sc.products[p].kind == ProductKind::model)
          view.rival_prices.push_back(world_.prices.in_force(v, p, seen_at));
    }
  }
  view.profit_at = world_.api_profit_oracle(startup_, seen, now);
  if (me.pricing.strategy == PricingRule::q_learning) view.profit_by_month = sector.api_profit_by_month(startup_);
  view.effective_month = world_.calendar.month_containing(now) + 1;

  const auto price = strategy_->review(view);
  if (price && *price != view.own_price) world_.announce_api_price(startup_, now, *price, name_of(me.pricing.strategy));
}

}  // namespace cm
