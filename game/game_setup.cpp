#include "game/game_setup.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/rng.hpp"

namespace cm::game {

namespace {

// base^exponent, saturating at 2^62 (beyond any table the loader lets through).
std::int64_t power(std::int64_t base, std::int64_t exponent) {
  constexpr std::int64_t kCap = std::int64_t(1) << 62;
  std::int64_t r = 1;
  for (std::int64_t k = 0; k < exponent; ++k) r = r > kCap / base ? kCap : r * base;
  return r;
}

constexpr std::int64_t kMaxEnumerated = std::int64_t(1) << 22;  // profiles summed exactly
constexpr std::uint64_t kRandomDraws = std::uint64_t(1) << 20;  // else sampled

double mean(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return s / double(x.size());
}

// Calls visit(prices, levels) for every profile in which the sellers with `varies` set take each
// point of their grids and the others their opening price. Profiles in index order.
template <class Visit>
void each_profile(const GameSetup& g, const std::vector<char>& varies, Visit visit) {
  std::vector<int> level(std::size_t(g.n), 0);
  std::vector<double> prices(g.opening_price);
  for (int i = 0; i < g.n; ++i)
    if (varies[std::size_t(i)]) prices[std::size_t(i)] = g.grid[std::size_t(i)][0];
  while (true) {
    visit(prices, level);
    int i = 0;
    for (; i < g.n; ++i) {
      if (!varies[std::size_t(i)]) continue;
      auto& l = level[std::size_t(i)];
      if (++l < g.m) {
        prices[std::size_t(i)] = g.grid[std::size_t(i)][std::size_t(l)];
        break;
      }
      l = 0;
      prices[std::size_t(i)] = g.grid[std::size_t(i)][0];
    }
    if (i == g.n) return;
  }
}

}  // namespace

GameSetup::GameSetup(GameSpec game) : spec(std::move(game)), stage(spec) {
  n = int(spec.sellers.size());
  m = spec.grid.points;
  memory = spec.sellers.empty() ? 1 : spec.sellers.front().learning.memory;
  profiles = power(m, n);
  // Only learners look at states; without any, the one state 0 stands for all.
  const bool anyone_learns = std::any_of(spec.sellers.begin(), spec.sellers.end(),
                                         [](const Seller& s) { return s.pricing.strategy == PricingRule::q_learning; });
  states = anyone_learns ? power(profiles, memory) : 1;
  nash_price = nash_prices(stage);
  monopoly_price = monopoly_prices(stage, nash_price);
  nash_profit.resize(std::size_t(n));
  monopoly_profit.resize(std::size_t(n));
  stage.profits(nash_price, nash_profit);
  stage.profits(monopoly_price, monopoly_profit);
  if (!(mean(monopoly_profit) > mean(nash_profit) * (1 + 1e-9)))
    throw std::runtime_error("the stage game's joint optimum earns no more than its Nash equilibrium: "
                             "there is no collusive profit to measure gains against");
  for (int i = 0; i < n; ++i) {
    const auto& seller = spec.sellers[std::size_t(i)];
    grid.push_back(price_grid(nash_price[std::size_t(i)], monopoly_price[std::size_t(i)], spec.grid));
    opening_price.push_back(seller.price.value_or(nash_price[std::size_t(i)]));
    learns.push_back(seller.pricing.strategy == PricingRule::q_learning);
  }
  const bool everyone_learns = std::all_of(learns.begin(), learns.end(), [](char c) { return c != 0; });
  std::vector<double> profit(static_cast<std::size_t>(n));

  // Random pricing: every seller uniform on its grid (a seller that does not learn too).
  // Exact over every profile when they are few (and then tabulated for the sessions if every
  // seller learns), else a fixed sample of profiles.
  std::vector<double> random_profit(std::size_t(n), 0.0);
  if (profiles <= kMaxEnumerated) {
    std::vector<char> all(std::size_t(n), 1);
    each_profile(*this, all, [&](const std::vector<double>& prices, const std::vector<int>&) {
      stage.profits(prices, profit);
      for (int i = 0; i < n; ++i) random_profit[std::size_t(i)] += profit[std::size_t(i)] / double(profiles);
      if (everyone_learns) profit_table.insert(profit_table.end(), profit.begin(), profit.end());
    });
  } else {
    const RandomStream draws(spec.seed, "game", "random pricing benchmark");
    std::vector<double> prices(static_cast<std::size_t>(n));
    for (std::uint64_t k = 0; k < kRandomDraws; ++k) {
      for (int i = 0; i < n; ++i)
        prices[std::size_t(i)] = grid[std::size_t(i)][std::size_t(std::min(int(draws.uniform(k, std::uint64_t(i)) * m), m - 1))];
      stage.profits(prices, profit);
      for (int i = 0; i < n; ++i) random_profit[std::size_t(i)] += profit[std::size_t(i)] / double(kRandomDraws);
    }
  }
  random_profit_gain = mean_profit_gain(random_profit);

  // Q_0(s, a) = expected discounted payoff of a against learners uniform on their grids and the
  // others at their opening prices (Calvano et al. 2020), or 0.
  std::vector<double> expected(std::size_t(n * m), 0.0);
  double count = 0;
  each_profile(*this, learns, [&](const std::vector<double>& prices, const std::vector<int>& level) {
    stage.profits(prices, profit);
    for (int i = 0; i < n; ++i)
      if (learns[std::size_t(i)]) expected[std::size_t(i * m + level[std::size_t(i)])] += profit[std::size_t(i)];
    count += 1;
  });
  initial_q.resize(std::size_t(n));
  for (int i = 0; i < n; ++i) {
    if (!learns[std::size_t(i)]) continue;
    const auto& learning = spec.sellers[std::size_t(i)].learning;
    auto& q = initial_q[std::size_t(i)];
    q.assign(std::size_t(m), 0.0);
    if (learning.q_init == QInit::zero) continue;
    const double per_action = count / m;  // profiles in which seller i plays a given action
    for (int a = 0; a < m; ++a)
      q[std::size_t(a)] = expected[std::size_t(i * m + a)] / per_action / (1.0 - learning.rule.discount);
  }
}

int GameSetup::nearest_level(int seller, double price) const {
  const auto& g = grid[std::size_t(seller)];
  const double step = (g.back() - g.front()) / (m - 1);
  if (!(step > 0)) return 0;
  const double x = (price - g.front()) / step;
  if (!(x > 0)) return 0;  // also NaN
  return int(std::min<double>(std::lround(std::min(x, 1e9)), m - 1));
}

double GameSetup::mean_profit_gain(const std::vector<double>& profit) const {
  const double nash = mean(nash_profit), monopoly = mean(monopoly_profit);
  return (mean(profit) - nash) / (monopoly - nash);
}

double GameSetup::profit_gain(int seller, double profit) const {
  const double nash = nash_profit[std::size_t(seller)], monopoly = monopoly_profit[std::size_t(seller)];
  return (profit - nash) / (monopoly - nash);
}

}  // namespace cm::game
