// Chip programmes (docs/model.md, "Chip programmes"): the pure capability track against its closed
// form, the sharing of spare chips, and a small run (tests/scenarios/chips.yaml) in its own process.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "agents/chip_programme.hpp"
#include "sim/scenario_loader.hpp"
#include "sim/yaml_tree.hpp"
#include "sim/simulation.hpp"

using namespace cm;

namespace {

ChipProgramme programme() {
  ChipProgramme p;
  p.rd_spend = {{Date{2023, 1, 1}, 2e8}, {Date{2024, 1, 1}, 0.0}};
  p.lag = Duration{6, 0};
  p.rd_scale = 1e9;
  p.max_saving = 0.4;
  p.supply_per_month = 3e6;
  return p;
}

}  // namespace

TEST_CASE("a chip programme saves nothing before its lag, then follows the closed form", "[chips]") {
  const ChipProgramme p = programme();
  const Calendar calendar(Date{2023, 1, 1});
  const ChipProgrammeTrack track(p, calendar, 36);
  double previous_factor = 1.0;
  for (int m = 0; m < 36; ++m) {
    INFO("month " << m);
    CHECK(track.rd_spend(m) == (m < 12 ? 2e8 : 0.0));
    // Spend of months 0 .. m - 6 counts: 2e8 a month during 2023 only.
    const int counted = std::clamp(m - 6 + 1, 0, 12);
    const double lagged = 2e8 * counted;
    CHECK(track.lagged_rd(m) == Approx(lagged));
    const double k = 1.0 - std::exp(-lagged / 1e9);
    CHECK(track.capability(m) == Approx(k).margin(1e-15));
    CHECK(track.cost_factor(m) == Approx(1.0 - 0.4 * k));
    CHECK(track.supply(m) == Approx(3e6 * k).margin(1e-9));
    if (m < 6) {
      CHECK(track.cost_factor(m) == 1.0);
      CHECK(track.supply(m) == 0.0);
    } else {
      CHECK(track.cost_factor(m) <= previous_factor);
    }
    if (m >= 6 && m <= 17) CHECK(track.cost_factor(m) < previous_factor);  // grows with lagged R&D
    if (m >= 18) CHECK(track.cost_factor(m) == track.cost_factor(17));     // spending stopped a lag ago
    previous_factor = track.cost_factor(m);
  }
  CHECK(track.cost_factor(35) == Approx(1.0 - 0.4 * (1.0 - std::exp(-2.4))));
}

TEST_CASE("R&D steps apply from the months that start on or after their date, and past R&D counts at once", "[chips]") {
  ChipProgramme p = programme();
  p.rd_spend = {{Date{2022, 6, 1}, 1e8}, {Date{2023, 3, 15}, 5e7}};
  p.rd_before_start = 5e8;
  p.lag = Duration{0, 0};
  const ChipProgrammeTrack track(p, Calendar(Date{2023, 1, 1}), 6);
  CHECK(track.rd_spend(0) == 1e8);  // dated before the start: in force from it
  CHECK(track.rd_spend(2) == 1e8);  // March starts before the 15th
  CHECK(track.rd_spend(3) == 5e7);
  CHECK(track.lagged_rd(0) == Approx(6e8));  // no lag: this month's spend counts
  CHECK(track.capability(0) == Approx(1.0 - std::exp(-0.6)));
  CHECK(chip_capability(0.0, 1e9) == 0.0);
}

TEST_CASE("spare chips go to unmet orders pro rata, never more than either side has", "[chips]") {
  SECTION("scarce chips: all of them are sold, shared by unmet orders") {
    const auto units = allocate_chip_sales({3.0, 1.0}, {6.0, 2.0, 0.0});
    double sold = 0;
    for (const auto& row : units) sold += std::accumulate(row.begin(), row.end(), 0.0);
    CHECK(sold == Approx(4.0));
    CHECK(units[0][0] + units[1][0] == Approx(3.0));  // 6 / 8 of 4
    CHECK(units[0][1] + units[1][1] == Approx(1.0));
    CHECK(units[0][2] == 0.0);
    CHECK(units[0][0] + units[0][1] == Approx(3.0));  // each seller sells all it has
  }
  SECTION("plenty of chips: every unmet order is filled") {
    const auto units = allocate_chip_sales({10.0}, {2.0, 1.0});
    CHECK(units[0][0] == Approx(2.0));
    CHECK(units[0][1] == Approx(1.0));
  }
  SECTION("nothing to sell or nothing wanted") {
    CHECK(allocate_chip_sales({0.0}, {1.0})[0][0] == 0.0);
    CHECK(allocate_chip_sales({1.0}, {0.0})[0][0] == 0.0);
  }
}

namespace {

struct Collect : RunObserver {
  std::vector<MonthReport> months;
  void on_month(const MonthReport& r, const std::vector<PriceChange>&) override { months.push_back(r); }
};

double sum(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0); }

}  // namespace

TEST_CASE("a chip programme lowers GPU cost after its lag, builds past export controls and sells to a rival",
          "[chips]") {
  const Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/chips.yaml");
  REQUIRE(sc.vendors[0].chip_programme);
  REQUIRE_FALSE(sc.vendors[1].chip_programme);
  const ChipProgramme& p = *sc.vendors[0].chip_programme;
  Collect run;
  simulate(sc, run);
  REQUIRE(run.months.size() == 36);
  const std::size_t gpu = 1, alpha = 0, beta = 1;
  const int lag = p.lag.months, control = 12;  // the export control starts in January 2024
  double cash = sc.vendors[0].cash + sc.vendors[1].cash, alpha_sales = 0;
  for (const auto& m : run.months) {
    INFO("month " << m.month);
    // GPU unit cost = cost of goods / quantity: the offer's until the lag, then lower by the saving.
    const double base = sc.vendors[alpha].offers[gpu].unit_cost;
    const double unit_cost = m.cogs(alpha, gpu) / m.quantity(alpha, gpu);
    const double lagged = 1e6 * std::clamp(m.month - lag + 1, 0, 18);  // 1e6 a month for 18 months
    CHECK(unit_cost == Approx(base * (1.0 - p.max_saving * (1.0 - std::exp(-lagged / p.rd_scale)))));
    if (m.month < lag) CHECK(unit_cost == Approx(base).epsilon(1e-12));
    if (m.month >= lag) CHECK(unit_cost < base * 0.99);
    CHECK(m.cogs(beta, gpu) / m.quantity(beta, gpu) == Approx(base).epsilon(1e-12));  // no programme
    CHECK(m.chip_rd_spend[alpha] == (m.month < 18 ? 1e6 : 0.0));
    CHECK(m.chip_rd_spend[beta] == 0.0);
    // Chips are sold only once the control cuts beta's orders, at a margin of `markup` over cost.
    if (m.month < control) CHECK(m.chip_sales[alpha] == 0.0);
    CHECK(m.chip_sales[alpha] == Approx(m.chip_sales_cost[alpha] * (1 + p.markup)));
    CHECK(m.chip_sales[beta] == 0.0);
    alpha_sales += m.chip_sales[alpha];
    // Money: the vendors' cash moves by what buyers paid less costs, R&D and what making the chips
    // they sold cost; a chip sale itself moves money between vendors.
    const double cogs = std::accumulate(m.cogs.values().begin(), m.cogs.values().end(), 0.0);
    const double outside = sum(m.segment_spend) - cogs - sum(m.fixed_cost) - sum(m.capex) - sum(m.chip_rd_spend) +
                           sum(m.chip_sales) - sum(m.chip_sales_cost);
    CHECK(sum(m.cash) - cash == Approx(outside).epsilon(1e-9).margin(1e-3));
    cash = sum(m.cash);
  }
  CHECK(alpha_sales > 0);
  // With no substitute, beta (no programme) adds GPU capacity after the control only with alpha's
  // chips; alpha adds more than beta.
  const auto& at_control = run.months[control + 1];  // orders placed before it have arrived
  const auto& last = run.months.back();
  CHECK(last.capacity(beta, gpu) > at_control.capacity(beta, gpu));
  CHECK(last.capacity(alpha, gpu) - at_control.capacity(alpha, gpu) >
        last.capacity(beta, gpu) - at_control.capacity(beta, gpu));
}

TEST_CASE("a chip programme is read with its defaults, checked, and written back", "[chips][scenario]") {
  const std::string chips = std::string(CM_SOURCE_DIR) + "/tests/scenarios/chips.yaml";
  const Scenario plain = load_scenario(chips, {"vendors.beta.chip_programme={}"});
  const ChipProgramme& d = *plain.vendors[1].chip_programme;
  CHECK(d.rd_spend.empty());
  CHECK(d.rd_before_start == 0);
  CHECK(d.lag == Duration{24, 0});
  CHECK(d.rd_scale == 1e10);
  CHECK(d.max_saving == 0.4);
  CHECK(d.supply_per_month == 0);
  CHECK(d.markup == 0.2);
  const Scenario set = load_scenario(chips, {"vendors.alpha.chip_programme.lag=0 months"});
  CHECK(set.vendors[0].chip_programme->lag == Duration{0, 0});
  for (const Scenario* sc : {&plain, &set}) {
    const std::string text = scenario_to_yaml(*sc);
    CHECK(scenario_to_yaml(decode_scenario(yaml::parse_string(text, "<resolved>"))) == text);
  }
  CHECK_THROWS_WITH(load_scenario(chips, {"vendors.alpha.chip_programme.max_saving=1"}),
                    Catch::Contains("'max_saving' must be in [0, 1)"));
  CHECK_THROWS_WITH(load_scenario(chips, {"vendors.alpha.chip_programme.lag=10 days"}),
                    Catch::Contains("'lag' must be whole months or years"));
  CHECK_THROWS_WITH(load_scenario(chips, {"vendors.alpha.chip_programme.rd_scale=0"}),
                    Catch::Contains("'rd_scale' must be"));
  CHECK_THROWS_WITH(
      load_scenario(chips, {"vendors.alpha.chip_programme.rd_spend=[{from: 2024-01-01, per_month: 1}, "
                            "{from: 2023-01-01, per_month: 2}]"}),
      Catch::Contains("rd_spend steps must be in strictly increasing date order"));
  CHECK_THROWS_WITH(load_scenario(chips, {"vendors.alpha.chip_programme.supply=1"}),
                    Catch::Contains("unknown key 'supply'"));
}
