#include "agents/event_actor.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <numeric>

namespace cm {

void EventActor::operator()() {
  const auto& events = world_.scenario.events;
  // Date order; events of one date keep their order in the scenario file.
  std::vector<std::size_t> order(events.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return days_from_civil(events[a].at) < days_from_civil(events[b].at);
  });
  const double horizon = world_.month_start(world_.months());
  for (std::size_t i : order) {
    const Event& e = events[i];
    const double t = world_.calendar.seconds_of(e.at);
    if (e.type != EventType::price_change || t < 0 || t >= horizon) continue;
    simgrid::s4u::this_actor::sleep_until(t);
    if (!world_.active(e.vendor)) continue;
    const double old_price = world_.prices.latest(e.vendor, e.product);
    const double price = e.price ? *e.price : old_price * (1.0 + *e.change);
    world_.prices.announce(e.vendor, e.product, t, price, "event");
  }
}

}  // namespace cm
