// The renewal kernel (agents/renewal.cpp): its branch-free choice against a plain scan, its draws
// against the order and blocking of processing, its fused tally against a tally of the result, and
// its stream (four firms per Philox call) against the choice probabilities and independence.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "agents/renewal.hpp"

using namespace cm;

namespace {

ChoiceSet choice_set(std::size_t options, double nesting = 0.7) {
  ChoiceSet set{std::vector<double>(options), std::vector<char>(options, 1), nesting};
  for (std::size_t j = 0; j < options; ++j) set.utility[j] = 0.3 * std::sin(double(j) * 1.7);
  return set;
}

// The first option whose cumulative probability exceeds u, by walking the row.
Supplier scanned(const RenewalTable& table, Supplier current, double u) {
  double cumulative = 0;
  for (std::size_t j = 0; j + 1 < table.options(); ++j)
    if (u < (cumulative += table.probability(current, Supplier(j)))) return Supplier(j);
  return Supplier(table.options() - 1);
}

Population population(std::size_t firms, std::size_t options) {
  Population pop;
  const RandomStream draws(11, "test", "population");
  for (std::size_t i = 0; i < firms; ++i) {
    const auto u = draws.uniforms(i, 0);
    pop.base_budget.push_back(1e5 / u[0]);
    pop.supplier.push_back(Supplier(u[1] * double(options)));
    pop.multi_cloud.push_back(u[0] < 0.2);
    pop.adopted.push_back(u[2] < 0.4);
  }
  return pop;
}

}  // namespace

TEST_CASE("a renewal choice is the first option whose cumulative probability exceeds the draw", "[renewal]") {
  // 4 options use the counted path, 20 and 65 the bisection; unavailable options have probability 0.
  for (const std::size_t options : {2u, 4u, 16u, 17u, 20u, 65u}) {
    ChoiceSet set = choice_set(options);
    for (std::size_t j = 2; j < options; j += 3) set.available[j] = 0;
    const RenewalTable table(set, 1.2);
    const RandomStream stream(5, "test", "choice");
    for (Supplier current = 0; current < options; ++current) {
      for (int i = 0; i < 2000; ++i) {
        const double u = stream.uniform(std::uint64_t(i), current);
        INFO("options " << options << ", current " << current << ", u " << u);
        REQUIRE(table.choose(current, u) == scanned(table, current, u));
      }
      CHECK(set.available[table.choose(current, 0.999999999)]);
    }
  }
}

TEST_CASE("a firm's renewal draw does not depend on the blocks firms are renewed in", "[renewal]") {
  const std::size_t options = 5, firms = 1001;
  const RenewalTable table(choice_set(options), 1.0);
  const RandomStream stream(7, "segment:test", "renewal");
  Population whole = population(firms, options), pieces = whole;
  BlockTally tally;
  const RenewalFlows one = renew_block(whole, 0, firms, 0, table, stream, 9, tally);
  RenewalFlows sum;
  // Cuts at offsets that are not multiples of four: calls are split between blocks.
  for (const auto& [b, e] : std::vector<std::pair<std::size_t, std::size_t>>{{0, 3}, {3, 10}, {10, 11}, {11, 1001}}) {
    const RenewalFlows f = renew_block(pieces, b, e, 0, table, stream, 9, tally);
    sum.to_premises += f.to_premises;
    sum.to_cloud += f.to_cloud;
  }
  CHECK(pieces.supplier == whole.supplier);
  CHECK(sum.to_premises == one.to_premises);
  CHECK(sum.to_cloud == one.to_cloud);
  // The same firms in another month draw again.
  Population later = population(firms, options);
  renew_block(later, 0, firms, 0, table, stream, 10, tally);
  CHECK(later.supplier != whole.supplier);
}

TEST_CASE("the fused renewal tally equals a tally of the renewed block", "[renewal]") {
  const std::size_t options = 6, firms = 5000;
  ChoiceSet set = choice_set(options);
  const RenewalTable table(set, 0.8);
  Population pop = population(firms, options);
  BlockTally fused;
  renew_block(pop, 1000, 4000, 0, table, RandomStream(3, "segment:test", "renewal"), 4, fused);
  const BlockTally again = tally_firms(pop, 1000, 4000, table);
  CHECK(fused.primary == again.primary);
  CHECK(fused.contracts == again.contracts);
  CHECK(fused.budget == again.budget);  // exact: the same additions in the same order
  CHECK(fused.ai_budget == again.ai_budget);
  CHECK(fused.split == again.split);
  std::int64_t held = 0;
  for (const auto n : fused.primary) held += n;
  CHECK(held == 3000);
}

TEST_CASE("firms sharing a Philox call choose independently, in proportion to the probabilities", "[renewal]") {
  // Every firm starts with supplier 1; pairs (2m, 2m+1) share a call. Chi-square of the 3x3 table of
  // the pairs' choices against the product of the choice probabilities (4 degrees of freedom for
  // independence plus the margins: 8; the 0.999 quantile of chi-square(8) is 26.1).
  const std::size_t options = 3, firms = 400000;
  const RenewalTable table(choice_set(options, 0.6), 1.0);
  Population pop = population(firms, options);
  std::fill(pop.supplier.begin(), pop.supplier.end(), Supplier(1));
  BlockTally tally;
  renew_block(pop, 0, firms, 0, table, RandomStream(21, "segment:test", "renewal"), 3, tally);
  std::vector<double> pairs(options * options, 0.0);
  for (std::size_t i = 0; i < firms; i += 2) pairs[pop.supplier[i] * options + pop.supplier[i + 1]] += 1;
  double chi2 = 0;
  for (Supplier a = 0; a < options; ++a)
    for (Supplier b = 0; b < options; ++b) {
      const double expected = double(firms / 2) * table.probability(1, a) * table.probability(1, b);
      chi2 += std::pow(pairs[a * options + b] - expected, 2) / expected;
    }
  CHECK(chi2 < 26.1);
  for (Supplier j = 0; j < options; ++j)
    CHECK(double(tally.primary[j]) / double(firms) == Approx(table.probability(1, j)).margin(0.004));
}
