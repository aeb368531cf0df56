#include "agents/market_actor.hpp"

#include <simgrid/s4u.hpp>

#include "agents/inference_serving.hpp"

namespace cm {

void MarketActor::operator()() {
  namespace this_actor = simgrid::s4u::this_actor;
  world_.open_month(0);
  std::vector<double> flops = follow_capacity();
  for (int m = 0; m < world_.months(); ++m) {
    this_actor::sleep_until(world_.month_start(m + 1));
    const std::vector<ComputeUse> training = board_.take_work();
    MonthReport report = world_.close_month(m, training);
    report.flops = flops;  // the hosts' speed during the month
    for (const auto& failure : report.startup_failures) board_.cancel(failure.startup);
    // Inference takes what training left of the month's fleet, analytically: no SimGrid execution,
    // and load above the fleet's capacity is reported as unserved, never carried into next month.
    const auto served = serve_inference_month(report.inference_tokens, world_.scenario.market.flops_per_million_tokens,
                                              flops, world_.month_start(m + 1) - world_.month_start(m), training);
    for (const auto& s : served) {
      report.inference_served.push_back(s.served_flops);
      report.inference_unserved.push_back(s.unserved_flops);
    }
    observer_.on_month(report, world_.prices.take_changes());
    if (m + 1 < world_.months()) {
      world_.open_month(m + 1);
      flops = follow_capacity();
    }
  }
}

std::vector<double> MarketActor::follow_capacity() {
  std::vector<double> flops;
  for (std::size_t v = 0; v < platform_.vendor_hosts.size(); ++v) {
    const int month = world_.calendar.month_containing(simgrid::s4u::Engine::get_clock());
    const int level = flops_level(world_.active(v) ? world_.compute_capacity_ratio(v) * world_.availability(v, month) : 0.01);
    double total = 0;
    for (auto* host : platform_.vendor_hosts[v]) {
      if (int(host->get_pstate()) != level) host->set_pstate(level);
      total += host->get_speed();
    }
    flops.push_back(total);
  }
  return flops;
}

}  // namespace cm
