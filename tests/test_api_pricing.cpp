// Startups' API prices and open-weight models: the pure model market (in-process, against the
// logit Bertrand–Nash prices solved here from their first-order conditions), then the wiring in
// whole runs (one simulation per TEST_CASE, each in its own process under ctest).
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "agents/model_api_market.hpp"
#include "agents/pricing_strategy.hpp"
#include "sim/scenario_loader.hpp"
#include "sim/simulation.hpp"

using namespace cm;

namespace {

constexpr double kList = 10.0, kTokens = 1e6, kRevenueShare = 0.3, kServing = 3.5 / 4.5 * 2.0;
const ModelChoiceWeights kWeights{2.0, 1.0};

// Nash prices of the logit game, independently of the strategies: each model's first-order
// condition a_i - c / (1 - rs) = 1 / (alpha (1 - s_i)), alpha = gamma / L, solved for a_i by
// bisection (its left side minus its right side rises with a_i), round after round to the fixed point.
std::vector<double> logit_nash(const std::vector<double>& quality, double list, double revenue_share, double serving,
                               const ModelChoiceWeights& w) {
  const double alpha = w.price / list, effective_cost = serving / (1.0 - revenue_share);
  std::vector<double> a(quality.size(), list);
  auto share = [&](std::size_t i, double ai) {
    double total = 0, own = 0;
    for (std::size_t j = 0; j < a.size(); ++j) {
      const double wj = std::exp(w.quality * quality[j] - alpha * (j == i ? ai : a[j]));
      total += wj;
      if (j == i) own = wj;
    }
    return own / total;
  };
  for (int round = 0; round < 200; ++round)
    for (std::size_t i = 0; i < a.size(); ++i) {
      double lo = effective_cost, hi = effective_cost + 1e3 / alpha;
      for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        (mid - effective_cost - 1.0 / (alpha * (1.0 - share(i, mid))) > 0 ? hi : lo) = mid;
      }
      a[i] = 0.5 * (lo + hi);
    }
  return a;
}

// Simultaneous reviews by `strategies` on one marketplace: each sees the others' previous prices.
std::vector<double> play(std::vector<std::unique_ptr<PricingStrategy>>& strategies, const std::vector<double>& quality,
                         std::vector<double> price, int rounds) {
  for (int r = 0; r < rounds; ++r) {
    std::vector<double> next = price;
    for (std::size_t i = 0; i < strategies.size(); ++i) {
      std::vector<ListedModel> models;
      for (std::size_t j = 0; j < price.size(); ++j) models.push_back({quality[j], price[j]});
      PricingView view;
      view.review = r;
      view.own_price = price[i];
      view.unit_cost = kServing;
      view.initial_price = price[i];
      view.initial_unit_cost = kServing;
      for (std::size_t j = 0; j < price.size(); ++j)
        if (j != i) view.rival_prices.push_back(price[j]);
      view.profit_at = [&, i, models](double a) {
        return api_profit(models, i, a, kList, kTokens, kRevenueShare, kServing, kWeights);
      };
      if (const auto p = strategies[i]->review(view)) next[i] = *p;
    }
    price = next;
  }
  return price;
}

struct Collect : RunObserver {
  std::vector<MonthReport> months;
  void on_month(const MonthReport& r, const std::vector<PriceChange>&) override { months.push_back(r); }
};

// tests/scenarios/startups.yaml with fixed list prices (maas 10 and GPU 2 at alpha), startups
// that do not train or raise (their quality stays put) and pay no burn.
Scenario api_world() {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  for (auto& v : sc.vendors) {
    v.pricing.strategy = PricingRule::fixed;
    for (auto& o : v.offers) o.pricing.reset();
  }
  sc.vendors[0].offers[3].price = kList;  // products: iaas_cpu, saas, iaas_gpu, maas
  sc.vendors[0].offers[2].price = 2.0;
  // They train on beta, which has no GPU capacity to rent: no runs (training is bought, never given).
  sc.vendors[1].offers[2].capacity = 0;
  for (auto& s : sc.startups) {
    s.trains_on = 1;
    s.burn_per_month = 0;
    s.runway_months = 0;          // never short of runway: no rounds
  }
  return sc;
}

}  // namespace

TEST_CASE("token shares are a logit in quality and relative API price; price_paid defaults to the list price",
          "[api_pricing]") {
  const std::vector<ListedModel> models{{1.0, std::nullopt}, {0.5, 5.0}};
  const auto s = token_shares(models, kList, kWeights);
  const double w0 = std::exp(2.0), w1 = std::exp(1.0 + 0.5);  // relative price 5/10 - 1 = -0.5
  CHECK(s[0] == Approx(w0 / (w0 + w1)));
  CHECK(s[0] + s[1] == Approx(1.0));
  CHECK(price_paid(models[0], kList) == kList);
  CHECK(price_paid(models[1], kList) == 5.0);
  CHECK(api_profit(models, 1, 5.0, kList, kTokens, kRevenueShare, kServing, kWeights) ==
        Approx(kTokens * s[1] * (0.7 * 5.0 - kServing)));
}

TEST_CASE("a marketplace held for a review prices each trial as the full logit over every listed model",
          "[api_pricing]") {
  const std::vector<ListedModel> models{{1.0, std::nullopt}, {0.5, 5.0}, {2.0, 12.0}, {0.0, 0.5}};
  const HeldMarketplace held(models, 1, kList, kTokens, kRevenueShare, kServing, kWeights);
  for (double price : {1e-3, 2.0, 5.0, 9.5, 30.0, 1e3}) {
    std::vector<ListedModel> trial = models;
    trial[1].api_price = price;
    const double share = token_shares(trial, kList, kWeights)[1];
    CHECK(held.profit(price) == Approx(kTokens * share * ((1 - kRevenueShare) * price - kServing)).epsilon(1e-13));
  }
  // Weights that all underflow: nobody buys, no profit (as token_shares' all-zero shares).
  const std::vector<ListedModel> unwanted{{-400.0, std::nullopt}, {-400.0, 5.0}};
  CHECK(HeldMarketplace(unwanted, 1, kList, kTokens, kRevenueShare, kServing, kWeights).profit(5.0) == 0.0);
}

TEST_CASE("two startups with best_response converge to the logit Bertrand-Nash API prices", "[api_pricing]") {
  const std::vector<double> quality{0.5, 1.0};
  const auto nash = logit_nash(quality, kList, kRevenueShare, kServing, kWeights);
  Pricing br;
  br.strategy = PricingRule::best_response;
  std::vector<std::unique_ptr<PricingStrategy>> strategies;
  for (int i = 0; i < 2; ++i) strategies.push_back(make_pricing_strategy(br, RandomStream(1, "s", "api")));
  const auto price = play(strategies, quality, {kList, kList}, 40);
  CHECK(nash[1] > nash[0]);  // the better model charges more
  for (int i = 0; i < 2; ++i) CHECK(price[i] == Approx(nash[i]).epsilon(1e-6));
}

TEST_CASE("two undercutting startups drive API prices to their margin floor", "[api_pricing]") {
  Pricing cut;
  cut.strategy = PricingRule::undercut;
  cut.undercut = 0.1;
  cut.min_margin = 0.2;
  std::vector<std::unique_ptr<PricingStrategy>> strategies;
  for (int i = 0; i < 2; ++i) strategies.push_back(make_pricing_strategy(cut, RandomStream(1, "s", "api")));
  const auto price = play(strategies, {0.5, 0.5}, {kList, 0.9 * kList}, 60);
  for (int i = 0; i < 2; ++i) CHECK(price[i] == Approx(kServing * 1.2));
}

TEST_CASE("in a run, two best-responding startups on one marketplace reach the logit Nash API prices",
          "[api_pricing][simulation]") {
  Scenario sc = api_world();
  sc.startups.pop_back();  // the lab: its owner's marketplace is not the one tested
  for (auto& s : sc.startups) {
    s.api_price = kList;
    s.pricing.strategy = PricingRule::best_response;
    s.pricing.review_every = Duration{1, 0};
    s.pricing.reaction_delay = Duration{0, 0};
  }
  sc.startups[1].training_flops = 1e23;  // quality 1.0 against 0.5: unequal shares
  Collect run;
  simulate(sc, run);
  const auto nash = logit_nash({0.5, 1.0}, kList, sc.vendors[0].revenue_share, kServing, kWeights);
  const MonthReport& last = run.months.back();
  std::size_t changes = 0;
  for (const auto& m : run.months) changes += m.api_price_changes.size();
  CHECK(changes >= 2);
  // The prices in force in the last month, read back from what the buyers paid each model.
  for (std::size_t i = 0; i < 2; ++i) {
    const double tokens = last.inference_tokens[i][0];
    REQUIRE(tokens > 0);
    const double paid = last.startup_revenue[i] / (1.0 - sc.vendors[0].revenue_share) / tokens;
    INFO("startup " << i);
    CHECK(paid == Approx(nash[i]).epsilon(1e-4));
    CHECK(last.startup_serving_cost[i] == Approx(tokens * kServing));
  }
  // Buyers pay the API prices: what segments paid is still what vendors earned.
  const double paid = std::accumulate(last.segment_spend.begin(), last.segment_spend.end(), 0.0);
  const double earned = std::accumulate(last.revenue.values().begin(), last.revenue.values().end(), 0.0);
  CHECK(paid == Approx(earned).epsilon(1e-9));
}

TEST_CASE("an open-weight model is served by every marketplace at its list price and pays its owner nothing",
          "[api_pricing][simulation]") {
  Scenario sc = load_scenario(std::string(CM_SOURCE_DIR) + "/tests/scenarios/startups.yaml");
  Startup& lab = sc.startups[2];  // owned by beta (vertical: it hosts only its partners)
  lab.open_weight = true;
  lab.region = "elsewhere";       // open weights cross regions too
  Collect run;
  simulate(sc, run);
  const std::size_t maas = 3, alpha = 0, beta = 1;
  bool served_both = false;
  double quality = sc.startups[2].training_flops > 0 ? run.months.front().startup_quality[2] : 0;
  bool quality_rose = false;
  for (const auto& m : run.months) {
    INFO("month " << m.month);
    if (!m.startup_alive[2]) break;
    CHECK(m.startup_revenue[2] == 0.0);  // no payout to the owner
    served_both = served_both || (m.inference_tokens[2][alpha] > 0 && m.inference_tokens[2][beta] > 0);
    // The host keeps what buyers paid for the open model at its list price; other models are paid
    // (1 - revenue share) of their part.
    double others = 0;
    for (std::size_t i = 0; i < 2; ++i) others += m.inference_tokens[i][alpha];
    const double q = m.quantity(alpha, maas);
    if (q > 0)
      CHECK(m.model_payouts[alpha] ==
            Approx((1.0 - sc.vendors[alpha].revenue_share) * m.revenue(alpha, maas) * others / q).epsilon(1e-9));
    quality_rose = quality_rose || m.startup_quality[2] > quality;
    quality = m.startup_quality[2];
  }
  CHECK(served_both);
  CHECK(quality_rose);  // its quality follows its owner's training runs
}
