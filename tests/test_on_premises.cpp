// The outside option moves (docs/model.md, "On-premises and repatriation", "The AI layer bought
// apart"): the on-premises cost path, the repatriation cost in the renewal chain and its
// calibration, the budget weight of the cloud bill and the unbundled AI layer, against closed forms
// and hand computations; then whole runs (one simulation per TEST_CASE: ctest gives each its own
// process) in which firms leave the cloud when on-premises gets cheaper and come back when it does not.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "agents/ai_layer.hpp"
#include "agents/choice_model.hpp"
#include "agents/on_premises.hpp"
#include "agents/renewal.hpp"
#include "agents/share_calibration.hpp"
#include "sim/scenario_loader.hpp"
#include "sim/simulation.hpp"
#include "tests/support/renewal_chain.hpp"

using namespace cm;
using cm::test::chain_stationary;

namespace {


struct Collect : RunObserver {
  std::vector<MonthReport> months;
  void on_month(const MonthReport& r, const std::vector<PriceChange>&) override { months.push_back(r); }
};

double adoption(const MonthReport& m, std::size_t s = 0) {
  return double(m.segment_cloud_firms[s]) / double(m.segment_firms[s]);
}

// Money is conserved: what the segments paid is what the vendors earned.
void check_books(const std::vector<MonthReport>& months) {
  for (const auto& m : months) {
    const double paid = std::accumulate(m.segment_spend.begin(), m.segment_spend.end(), 0.0);
    const double earned = std::accumulate(m.revenue.values().begin(), m.revenue.values().end(), 0.0);
    CHECK(paid == Approx(earned).epsilon(1e-12));
  }
}

// The small test world, fixed prices, no trends: the calibrated chain is stationary.
Scenario fixed_small(int years) {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/small.yaml");
  sc.time.years = years;
  for (auto& v : sc.vendors) v.pricing.strategy = PricingRule::fixed;
  for (auto& v : sc.vendors)
    for (auto& o : v.offers) o.cost_trend = 0;
  sc.segments[0].firms = 40000;
  return sc;
}

}  // namespace

TEST_CASE("on-premises cost index and utility follow their closed forms", "[on_premises]") {
  OnPremises o;
  o.hardware_share = 0.6;
  o.hardware_trend = -0.15;
  o.staff_trend = 0.04;
  o.cost_level = 0.8;
  CHECK(on_premises_cost_index(o, 0) == 1.0);
  const double o30 = 0.6 * std::pow(0.85, 2.5) + 0.4 * std::pow(1.04, 2.5);
  CHECK(on_premises_cost_index(o, 30) == Approx(o30).epsilon(1e-14));
  // u_0 = -alpha * cost_level * Pbar^0 * (O - 1): cheaper on-premises has positive utility.
  CHECK(on_premises_utility(o, 3.0, 1.2, 30) == Approx(-3.0 * 0.8 * 1.2 * (o30 - 1)).epsilon(1e-14));
  CHECK(on_premises_utility(o, 3.0, 1.2, 30) > 0);
  o.hardware_trend = o.staff_trend = 0;
  CHECK(on_premises_utility(o, 3.0, 1.2, 120) == 0.0);  // the default: on-premises stays at 0
  // w = 1 + d (1/b - 1): a 20% cut with the whole bill discretionary weighs it 1.25 times.
  CHECK(cloud_cost_weight(1.0, 0.8) == Approx(1.25));
  CHECK(cloud_cost_weight(0.4, 0.8) == Approx(1.1));
  CHECK(cloud_cost_weight(0.0, 0.5) == 1.0);
  CHECK(cloud_cost_weight(0.7, 1.0) == 1.0);
}

TEST_CASE("a dated hardware trend compounds month by month at the rate in force", "[on_premises]") {
  // Hardware cost falls 20% a year for two years, then rises 10% a year (e.g. a chip shortage):
  // O(m) = 0.5 * 0.8^2 * 1.1^((m-24)/12) + 0.5 * 1.03^(m/12) for m >= 24.
  OnPremises o;
  o.hardware_trend = -0.2;
  o.staff_trend = 0.03;
  o.dated.set("hardware_trend", {{Date{2023, 1, 1}, -0.2, 0}, {Date{2025, 1, 1}, 0.1, 24}});
  for (int m : {0, 12, 24, 30, 48}) {
    const double hardware = m <= 24 ? std::pow(0.8, m / 12.0) : 0.64 * std::pow(1.1, (m - 24) / 12.0);
    CHECK(on_premises_cost_index(o, m) == Approx(0.5 * hardware + 0.5 * std::pow(1.03, m / 12.0)).epsilon(1e-12));
  }
  // Dated trends that are 0 at the start still move the utility.
  OnPremises flat;
  flat.dated.set("staff_trend", {{Date{2023, 1, 1}, 0.0, 0}, {Date{2024, 1, 1}, 0.5, 12}});
  CHECK(on_premises_utility(flat, 2.0, 1.0, 6) == 0.0);
  CHECK(on_premises_utility(flat, 2.0, 1.0, 24) == Approx(-2.0 * 0.5 * 0.5).epsilon(1e-12));
}

TEST_CASE("the repatriation cost lowers on-premises only for firms that hold a cloud", "[on_premises]") {
  // Plain logit, by hand: a firm at cloud 1 sees exp(u0 - R), exp(u1 + lambda), exp(u2).
  const double u0 = 0.2, u1 = 0.7, u2 = -0.1, lambda = 1.3, R = 0.9;
  ChoiceSet set{{u0, u1, u2}, {1, 1, 1}, 1.0, R};
  std::vector<double> p(3);
  choice_probabilities(set, Supplier(1), lambda, p);
  const double d1 = std::exp(u0 - R) + std::exp(u1 + lambda) + std::exp(u2);
  CHECK(p[0] == Approx(std::exp(u0 - R) / d1).epsilon(1e-13));
  CHECK(p[1] == Approx(std::exp(u1 + lambda) / d1).epsilon(1e-13));
  CHECK(p[2] == Approx(std::exp(u2) / d1).epsilon(1e-13));
  // An on-premises firm pays no repatriation cost.
  choice_probabilities(set, kOnPremises, lambda, p);
  const double d0 = std::exp(u0 + lambda) + std::exp(u1) + std::exp(u2);
  CHECK(p[0] == Approx(std::exp(u0 + lambda) / d0).epsilon(1e-13));
  // A fresh choice (no current supplier) neither.
  choice_probabilities(set, Supplier(-1), 0.0, p);
  CHECK(p[0] == Approx(std::exp(u0) / (std::exp(u0) + std::exp(u1) + std::exp(u2))).epsilon(1e-13));

  // Nested logit (mu = 0.5), by hand: a firm at cloud 2 stays in the cloud nest with
  // Z^mu / (exp(u0 - R) + Z^mu), Z = exp(u1/mu) + exp((u2 + lambda)/mu).
  const double mu = 0.5;
  ChoiceSet nested{{u0, u1, u2}, {1, 1, 1}, mu, R};
  choice_probabilities(nested, Supplier(2), lambda, p);
  const double z = std::exp(u1 / mu) + std::exp((u2 + lambda) / mu);
  const double p0 = std::exp(u0 - R) / (std::exp(u0 - R) + std::pow(z, mu));
  CHECK(p[0] == Approx(p0).epsilon(1e-13));
  CHECK(p[2] == Approx((1 - p0) * std::exp((u2 + lambda) / mu) / z).epsilon(1e-13));
  // The renewal table's rows are these probabilities.
  const RenewalTable table(nested, lambda);
  CHECK(table.probability(Supplier(2), kOnPremises) == Approx(p0).epsilon(1e-13));
}

TEST_CASE("with a repatriation cost the closed-form stationary shares match the chain, and calibration hits them",
          "[on_premises]") {
  for (double mu : {1.0, 0.6, 0.2})
    for (double R : {0.0, 0.5, 2.0, 6.0}) {
      ChoiceSet set{{0.0, 0.4, -0.3, 0.9}, {1, 1, 1, 1}, mu, R};
      const double lambda = 1.5;
      const RenewalTable table(set, lambda);
      const auto chain = chain_stationary(table);
      const auto log_pi = stationary_log_shares(set, lambda);
      for (std::size_t j = 0; j < chain.size(); ++j) CHECK(std::exp(log_pi[j]) == Approx(chain[j]).epsilon(1e-9));

      const std::vector<double> target{0.45, 0.3, 0.15, 0.1};
      const std::vector<char> all(4, 1);
      const auto xi = calibrate_intercepts(target, all, lambda, mu, R);
      const RenewalTable calibrated(ChoiceSet{xi, all, mu, R}, lambda);
      const auto pi = chain_stationary(calibrated);
      for (std::size_t j = 0; j < pi.size(); ++j) CHECK(pi[j] == Approx(target[j]).epsilon(1e-8));
    }
}

TEST_CASE("a repatriation cost makes the cloud stickier: fewer firms leave it at the same utilities",
          "[on_premises]") {
  ChoiceSet set{{0.5, 0.0, 0.0}, {1, 1, 1}, 0.7, 0.0};
  const double without = RenewalTable(set, 1.0).probability(Supplier(1), kOnPremises);
  set.repatriation_cost = 1.0;
  const double with = RenewalTable(set, 1.0).probability(Supplier(1), kOnPremises);
  CHECK(with < without);
  CHECK(RenewalTable(set, 1.0).probability(kOnPremises, Supplier(1)) ==
        Approx(RenewalTable(ChoiceSet{{0.5, 0.0, 0.0}, {1, 1, 1}, 0.7, 0.0}, 1.0).probability(kOnPremises, Supplier(1))));
}

TEST_CASE("the unbundled AI layer is a logit on the model offer", "[on_premises][ai_layer]") {
  const std::vector<double> appeal{0.5, 1.5, 0.0}, index{1.0, 1.2, 0.8};
  const double alpha = 2.0;
  const auto m = ai_layer_shares(appeal, index, alpha, {1, 1, 1, 0});  // vendor 2 not available
  const double e0 = std::exp(0.5 - 2.0), e1 = std::exp(1.5 - 2.4);
  CHECK(m[0] == 0.0);
  CHECK(m[1] == Approx(e0 / (e0 + e1)).epsilon(1e-13));
  CHECK(m[2] == Approx(e1 / (e0 + e1)).epsilon(1e-13));
  CHECK(m[3] == 0.0);
  // A shift of one vendor's utility, from its seen share alone: as recomputing the logit.
  const auto shifted = ai_layer_shares(std::vector<double>{0.5 + 0.3, 1.5, 0.0}, index, alpha, {1, 1, 1, 0});
  CHECK(shifted_layer_share(m[1], 0.3) == Approx(shifted[1]).epsilon(1e-13));
  CHECK(shifted_layer_share(m[1], -800) == Approx(0.0).margin(1e-300));
  CHECK(shifted_layer_share(m[1], 800) == 1.0);
}

TEST_CASE("run: firms repatriate while on-premises cost falls below the cloud's and return as it rises",
          "[on_premises][simulation]") {
  Scenario sc = fixed_small(4);
  // O(t) = 0.5 (0.4^y + 1.6^y): falls for about half a year, back at 1 by year 1, then rises.
  OnPremises& o = sc.segments[0].on_premises;
  o.hardware_share = 0.5;
  o.hardware_trend = -0.6;
  o.staff_trend = 0.6;
  Collect run;
  simulate(sc, run);
  REQUIRE(run.months.size() == 48);
  check_books(run.months);
  const double start = sc.segments[0].cloud_adoption;
  double low = 1, moved_out = 0, moved_in = 0;
  int low_month = 0;
  for (const auto& m : run.months) {
    if (adoption(m) < low) low = adoption(m), low_month = m.month;
    moved_out += double(m.repatriations[0]);
    moved_in += double(m.returns[0]);
    CHECK(m.on_premises_cost[0] == Approx(on_premises_cost_index(o, m.month)));
  }
  CHECK(low < start - 0.02);            // firms left the cloud while on-premises was cheaper
  CHECK(low_month < 18);
  CHECK(adoption(run.months.back()) > start + 0.02);  // and came back once it was dearer
  CHECK(moved_out > 0);
  CHECK(moved_in > 0);
  // The flows add up to the change in cloud firms.
  const double cloud_start = start * double(sc.segments[0].firms);
  CHECK(double(run.months.back().segment_cloud_firms[0]) ==
        Approx(cloud_start + moved_in - moved_out).margin(0.01 * double(sc.segments[0].firms)));
}

TEST_CASE("run: with on-premises hardware cost falling faster than cloud prices cloud adoption falls",
          "[on_premises][simulation]") {
  Scenario sc = fixed_small(3);
  sc.segments[0].on_premises.hardware_trend = -0.2;
  sc.segments[0].on_premises.repatriation_cost = 1.0;
  Collect run;
  simulate(sc, run);
  check_books(run.months);
  const double start = sc.segments[0].cloud_adoption;
  CHECK(adoption(run.months[11]) < start - 0.01);
  CHECK(adoption(run.months.back()) < adoption(run.months[11]) - 0.01);
  std::int64_t out = 0, in = 0;
  for (const auto& m : run.months) out += m.repatriations[0], in += m.returns[0];
  CHECK(out > in);
}

namespace {
// Two years of the small market with a 30% budget cut from the start, `discretionary` of the cloud
// bill weighed against the cut budget.
Scenario with_budget_cut(double discretionary) {
  Scenario sc = fixed_small(2);
  sc.segments[0].on_premises.discretionary_share = discretionary;
  Event cut;
  cut.type = EventType::budget_shock;
  cut.at = Date{2023, 1, 1};
  cut.segment = 0;
  cut.change = -0.3;
  sc.events.push_back(cut);
  return sc;
}
}  // namespace

TEST_CASE("run: a budget cut lowers cloud adoption when the cloud bill is discretionary",
          "[on_premises][simulation]") {
  // Without the cut the calibrated market stays at its initial adoption (test_simulation.cpp's
  // first case, within 0.015); a 30% cut with the whole bill discretionary moves firms on-premises.
  const Scenario sc = with_budget_cut(1.0);
  Collect run;
  simulate(sc, run);
  check_books(run.months);
  CHECK(adoption(run.months.back()) < sc.segments[0].cloud_adoption - 0.05);
}

TEST_CASE("run: a budget cut with no discretionary share leaves adoption at its calibrated level",
          "[on_premises][simulation]") {
  const Scenario sc = with_budget_cut(0.0);
  Collect run;
  simulate(sc, run);
  CHECK(adoption(run.months.back()) == Approx(sc.segments[0].cloud_adoption).margin(0.015));
}

TEST_CASE("run: with the AI layer bought apart a vendor with a cheaper model sells tokens beyond its own customers",
          "[on_premises][ai_layer][simulation]") {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  sc.time.years = 1;
  sc.startups.clear();
  sc.investors.clear();
  for (auto& v : sc.vendors) {
    v.pricing.strategy = PricingRule::fixed;
    v.investment.reset();
  }
  std::size_t maas = 0;
  for (std::size_t p = 0; p < sc.products.size(); ++p)
    if (sc.products[p].kind == ProductKind::model) maas = p;
  sc.vendors[1].offers[maas].price = 4;  // beta's model is much cheaper than alpha's (10)
  // Only adopters' AI spend buys the model (the base budget's model share goes to compute).
  Segment& seg = sc.segments[0];
  seg.spend_shares[0] += seg.spend_shares[maas];
  seg.spend_shares[maas] = 0;
  sc.market.ai_layer_unbundled = 1.0;
  Collect run;
  simulate(sc, run);
  check_books(run.months);
  const auto& last = run.months.back();
  const double beta = last.revenue(1, maas), alpha = last.revenue(0, maas);
  REQUIRE(alpha + beta > 0);
  // beta's customers are about 40% of cloud firms; it sells most of the model spend: the logit
  // share of its model offer, exp(-3 * 4/7) / (exp(-3 * 4/7) + exp(-3 * 10/7)) = 0.93.
  const double beta_customers = double(last.customers[1]) / double(last.customers[0] + last.customers[1]);
  CHECK(beta_customers < 0.5);
  const double logit = 1.0 / (1.0 + std::exp(-3.0 * 6.0 / 7.0));
  CHECK(beta / (alpha + beta) == Approx(logit).margin(1e-9));
  // Other products still follow the holder.
  CHECK(last.quantity(1, 0) < last.quantity(0, 0));
}
