#pragma once
// The monthly money identity every run must keep (docs/model.md, "Money is conserved"): the change
// in cash of vendors, startups and funds together equals enterprises' payments − cost of goods −
// fixed costs − capex − startups' burn − chip R&D + chip sales − their making cost (a chip sale
// moves money between vendors; credits are claims on compute, not money). Shared by the tests
// that run a simulation with money flows.
#include <catch2/catch.hpp>

#include <numeric>
#include <span>
#include <vector>

#include "agents/month_report.hpp"
#include "sim/scenario.hpp"

namespace cm::test {

inline double sum(std::span<const double> x) { return std::accumulate(x.begin(), x.end(), 0.0); }

// Checks the identity in every month of `months`, starting from the scenario's opening cash.
inline void check_money_conserved(const Scenario& sc, const std::vector<MonthReport>& months) {
  double vendor_cash = 0, startup_cash = 0, fund_cash = 0;
  for (const auto& v : sc.vendors) vendor_cash += v.cash;
  for (const auto& s : sc.startups) startup_cash += s.cash;
  for (const auto& f : sc.investors) fund_cash += f.policy.total_capital();
  for (const auto& m : months) {
    const double moved = sum(m.cash) - vendor_cash + sum(m.startup_cash) - startup_cash + sum(m.fund_cash) - fund_cash;
    const double cogs = sum(m.cogs.values());
    const double outside = sum(m.segment_spend) - cogs - sum(m.fixed_cost) - sum(m.capex) - sum(m.startup_burn) -
                           sum(m.chip_rd_spend) + sum(m.chip_sales) - sum(m.chip_sales_cost);
    INFO("month " << m.month);
    CHECK(moved == Approx(outside).epsilon(1e-9).margin(1e-3));
    vendor_cash = sum(m.cash);
    startup_cash = sum(m.startup_cash);
    fund_cash = sum(m.fund_cash);
  }
}

}  // namespace cm::test
