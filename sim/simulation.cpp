#include "sim/simulation.hpp"

#include <simgrid/s4u.hpp>

#include <exception>
#include <optional>

#include "agents/api_pricing_actor.hpp"
#include "agents/market_actor.hpp"
#include "agents/startup_actor.hpp"
#include "agents/vendor_actor.hpp"
#include "agents/world.hpp"
#include "output/partial_file.hpp"
#include "sim/platform.hpp"

namespace cm {

namespace sg4 = simgrid::s4u;

namespace {
// Runs an actor's body; the first exception stops the whole simulation and is rethrown by
// simulate(), so a failure inside an actor is an ordinary error of the run (exit code 1).
template <class Body>
auto guarded(Body body, std::exception_ptr& failure) {
  return [body, &failure]() mutable {
    try {
      body();
    } catch (const simgrid::ForcefulKillException&) {
      throw;  // SimGrid ending a daemon actor: not a failure
    } catch (...) {
      if (!failure) failure = std::current_exception();
      sg4::Actor::kill_all();
    }
  };
}
}  // namespace

void simulate(const Scenario& scenario, RunObserver& observer) {
  // SimGrid reads its options from argv; ours keep it quiet unless something is wrong.
  int argc = 2;
  char name[] = "cloudmarket";
  char quiet[] = "--log=root.thresh:critical";
  char* argv[] = {name, quiet, nullptr};
  // The engine installs its own SIGINT handler (it exits without any clean-up): the run's output
  // takes the signal back, so that an interrupted run still removes its partial file.
  std::optional<output::SignalsHeld> held(std::in_place);
  sg4::Engine engine(&argc, argv);
  held.reset();

  World world(scenario);
  const Platform platform = build_platform(scenario);
  // Actors are created in scenario order; none depends on SimGrid's order within an instant
  // (see PriceBook for the rule that makes this so).
  std::exception_ptr failure;
  TrainingBoard board(scenario.startups.size());
  sg4::Actor::create("market", platform.market_host, guarded(MarketActor(world, platform, board, observer), failure));
  for (const auto& who : investors_of(scenario))
    sg4::Actor::create(investor_mailbox(scenario, who), platform.market_host, guarded(InvestorActor(world, who), failure));
  for (std::size_t i = 0; i < scenario.startups.size(); ++i)
    sg4::Actor::create("startup:" + scenario.startups[i].id, platform.market_host,
                       guarded(StartupActor(world, board, platform, i), failure));
  for (std::size_t v = 0; v < scenario.vendors.size(); ++v)
    for (std::size_t p = 0; p < scenario.products.size(); ++p)
      if (VendorActor::needed(scenario, v, p))
        sg4::Actor::create("vendor:" + scenario.vendors[v].id + "/" + scenario.products[p].id,
                           platform.vendor_hosts[v].front(), guarded(VendorActor(world, v, p), failure));
  for (std::size_t i = 0; i < scenario.startups.size(); ++i)
    if (scenario.startups[i].pricing.strategy != PricingRule::fixed)
      sg4::Actor::create("api:" + scenario.startups[i].id, platform.market_host, guarded(ApiPricingActor(world, i), failure));
  engine.run();
  if (failure) std::rethrow_exception(failure);
  std::vector<LearnerReport> learnt;
  for (const auto& l : world.learners)
    learnt.push_back({l.vendor, l.product, l.regime, world.unit_cost(l.vendor, l.product), *l.strategy->learnt_policy()});
  observer.on_finish(learnt);
}

}  // namespace cm
