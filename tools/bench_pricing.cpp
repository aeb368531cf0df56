// `make bench` helper: the cost of one price review for each strategy that searches (best_response,
// dynamic_best_response), on a scenario's World after its first month, without SimGrid. Prints
// one line per strategy: microseconds per review and profit evaluations per review.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "agents/customer_value.hpp"
#include "agents/expected_profit.hpp"
#include "agents/pricing_strategy.hpp"
#include "agents/world.hpp"
#include "sim/scenario_loader.hpp"

using namespace cm;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_pricing SCENARIO VENDOR_INDEX PRODUCT_INDEX\n");
    return 2;
  }
  const Scenario sc = load_scenario(argv[1]);
  const std::size_t v = std::stoul(argv[2]), product = std::stoul(argv[3]);
  World world(sc);
  world.open_month(0);
  world.close_month(0);
  world.open_month(1);
  const int month = 1;
  const Grid seen = world.prices.in_force(world.month_start(month));
  for (const PricingRule rule : {PricingRule::best_response, PricingRule::dynamic_best_response}) {
    Pricing pricing;
    pricing.strategy = rule;
    auto strategy = make_pricing_strategy(pricing, RandomStream(sc.seed, "bench", "pricing"));
    constexpr int kReviews = 40;
    long evaluations = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kReviews; ++i) {
      PricingView view;
      view.review = i;
      view.own_price = seen(v, product) * (1 + 0.001 * i);  // a different start each time: no early exit
      view.unit_cost = world.unit_cost(v, product);
      for (std::size_t r = 0; r < sc.vendors.size(); ++r)
        if (r != v) view.rival_prices.push_back(seen(r, product));
      // Building the objective (its fixed parts) is part of a review's cost, so it is inside the timed loop.
      if (rule == PricingRule::best_response) {
        auto profit = std::make_shared<ExpectedProfit>(world.expected_profit_at(v, product, seen, month, true));
        view.profit_at = [profit, &evaluations](double price) {
          ++evaluations;
          return (*profit)(price);
        };
      }
      if (rule == PricingRule::dynamic_best_response) {
        auto problem = std::make_shared<const DynamicPricingProblem>(
            world.dynamic_pricing_problem(v, product, seen, month, pricing));
        view.discounted_profit_at = [problem, &evaluations](double price) {
          ++evaluations;
          return discounted_profit(*problem, price);
        };
      }
      (void)strategy->review(view);
    }
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s: %.0f us per review (%.0f profit evaluations per review)\n",
                rule == PricingRule::best_response ? "best_response" : "dynamic_best_response", us / kReviews,
                double(evaluations) / kReviews);
  }
  return 0;
}
