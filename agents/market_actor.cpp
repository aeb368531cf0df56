#include "agents/market_actor.hpp"

#include <simgrid/s4u.hpp>

namespace cm {

void MarketActor::operator()() {
  namespace this_actor = simgrid::s4u::this_actor;
  world_.open_month(0);
  std::vector<double> flops = follow_capacity();
  for (int m = 0; m < world_.months(); ++m) {
    this_actor::sleep_until(world_.month_start(m + 1));
    MonthReport report = world_.close_month(m, board_.take_work());
    report.flops = flops;  // the hosts' speed during the month
    for (const auto& failure : report.startup_failures) board_.cancel(failure.startup);
    serve_inference(report);
    observer_.on_month(report, world_.prices.take_changes());
    if (m + 1 < world_.months()) {
      world_.open_month(m + 1);
      flops = follow_capacity();
    }
  }
}

void MarketActor::serve_inference(const MonthReport& report) {
  // Last month's inference the hosts could not serve within the month is not carried over: its
  // tokens were billed (and rationed through GPU capacity), so load never piles up month on month.
  for (const auto& e : inference_)
    if (!e->test()) e->cancel();
  inference_.clear();
  const double flops_per_token = world_.scenario.market.flops_per_million_tokens;
  for (std::size_t i = 0; i < report.inference_tokens.size(); ++i) {
    for (std::size_t v = 0; v < report.inference_tokens[i].size(); ++v) {
      const double flops = report.inference_tokens[i][v] * flops_per_token;
      if (flops <= 0 || platform_.vendor_hosts[v].empty()) continue;
      auto exec = simgrid::s4u::this_actor::exec_init(flops);
      exec->set_host(platform_.vendor_hosts[v].front());
      exec->start();
      inference_.push_back(exec);
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
