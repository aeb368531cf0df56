#include "agents/market_actor.hpp"

#include <simgrid/s4u.hpp>

namespace cm {

void MarketActor::operator()() {
  namespace this_actor = simgrid::s4u::this_actor;
  world_.open_month(0);
  for (int m = 0; m < world_.months(); ++m) {
    this_actor::sleep_until(world_.month_start(m + 1));
    const MonthReport report = world_.close_month(m);
    observer_.on_month(report, world_.prices.take_changes());
    if (m + 1 < world_.months()) world_.open_month(m + 1);
  }
}

}  // namespace cm
