#include "game/one_shot.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "agents/pricing_strategy.hpp"

namespace cm::game {

StageGame::StageGame(const GameSpec& game) : sensitivity_(game.demand.price_sensitivity) {
  for (const auto& s : game.sellers) {
    quality_.push_back(s.quality);
    cost_.push_back(s.marginal_cost);
  }
  choice_.utility.assign(quality_.size() + 1, 0.0);
  choice_.available.assign(quality_.size() + 1, 1);
  choice_.nesting = game.demand.nesting;
  choice_.utility[0] = sensitivity_ * game.demand.outside_quality;
  probability_.assign(quality_.size() + 1, 0.0);
  profit_.assign(quality_.size(), 0.0);
}

void StageGame::shares(std::span<const double> prices, std::span<double> out) const {
  for (std::size_t i = 0; i < quality_.size(); ++i) choice_.utility[i + 1] = sensitivity_ * (quality_[i] - prices[i]);
  constexpr auto kFreshChoice = Supplier(0xFFFF);  // nobody holds a supplier: no switching bonus
  choice_probabilities(choice_, kFreshChoice, 0.0, probability_);
  std::copy(probability_.begin() + 1, probability_.end(), out.begin());
}

void StageGame::profits(std::span<const double> prices, std::span<double> out) const {
  shares(prices, out);
  for (std::size_t i = 0; i < quality_.size(); ++i) out[i] *= prices[i] - cost_[i];
}

double StageGame::profit(int seller, std::span<const double> prices) const {
  profits(prices, profit_);
  return profit_[std::size_t(seller)];
}

namespace {

// Settled to within the searches' own precision: near a peak profit is flat to second order, so a
// search on it places the peak to ~1e-8 relative at best, not to the last bit.
bool settled(const std::vector<double>& a, const std::vector<double>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::abs(a[i] - b[i]) > 1e-9 * std::max(1.0, std::abs(a[i]))) return false;
  return true;
}

// Newton steps on the derivative (central differences) from a search's answer: the search places a
// flat peak to ~1e-8, these to ~1e-11, so that best replies iterate to an exact-enough fixed point.
template <class F>
double refine_peak(F&& f, double x, double lo, double hi) {
  for (int step = 0; step < 8; ++step) {
    const double h = 1e-5 * x;
    const double f0 = f(x), up = f(x + h), down = f(x - h);
    const double slope = (up - down) / (2 * h), curvature = (up - 2 * f0 + down) / (h * h);
    if (!(curvature < 0)) break;  // not at a regular peak: keep the search's answer
    const double next = x - slope / curvature;
    if (!(std::abs(next - x) < 1e-3 * x) || next <= lo || next >= hi) break;
    if (std::abs(next - x) <= 1e-14 * x) return next;
    x = next;
  }
  return x;
}

}  // namespace

double best_reply(const StageGame& game, int seller, std::vector<double> prices, double ceiling) {
  const double cost = game.marginal_cost(seller);
  if (!(ceiling > 0)) {  // generous: the rivals' prices and the own cost, several times over
    ceiling = 4.0 * std::max(cost, 1e-9);
    for (double p : prices) ceiling = std::max(ceiling, 4.0 * p);
  }
  auto objective = [&](double p) {
    prices[std::size_t(seller)] = p;
    return game.profit(seller, prices);
  };
  const double lo = cost > 0 ? cost : ceiling * 1e-12;
  return refine_peak(objective, maximise_profit(objective, lo, ceiling), lo, ceiling);
}

std::vector<double> nash_prices(const StageGame& game) {
  std::vector<double> p(static_cast<std::size_t>(game.sellers()));
  // One fixed search range for every best reply (see monopoly_prices): logit markups are at most a
  // few times 1 / (alpha (1 - s)), far below this.
  double ceiling = 0;
  for (int i = 0; i < game.sellers(); ++i) {
    p[std::size_t(i)] = 1.5 * std::max(game.marginal_cost(i), 1e-3);
    ceiling = std::max({ceiling, 20.0 * game.marginal_cost(i), game.marginal_cost(i) + 100.0 / game.sensitivity()});
  }
  for (int sweep = 0; sweep < 10'000; ++sweep) {
    const std::vector<double> before = p;
    for (int i = 0; i < game.sellers(); ++i) p[std::size_t(i)] = best_reply(game, i, p, ceiling);
    if (settled(p, before)) return p;
  }
  throw std::runtime_error("the stage game's best replies do not settle to a Nash equilibrium");
}

std::vector<double> monopoly_prices(const StageGame& game, std::vector<double> p) {
  const std::size_t n = p.size();
  std::vector<double> profit(n);
  // One fixed search range (a range that followed the prices would move the searches' rounding
  // noise with them, and the ascent would never settle).
  double ceiling = 0;
  for (std::size_t i = 0; i < n; ++i) ceiling = std::max({ceiling, 20.0 * p[i], 20.0 * game.marginal_cost(int(i))});
  for (int sweep = 0; sweep < 100'000; ++sweep) {
    const std::vector<double> before = p;
    for (std::size_t i = 0; i < n; ++i) {
      auto joint = [&](double price) {
        p[i] = price;
        game.profits(p, profit);
        double total = 0;
        for (double x : profit) total += x;
        return total;
      };
      const double cost = game.marginal_cost(int(i));
      const double lo = cost > 0 ? cost : ceiling * 1e-12;
      p[i] = refine_peak(joint, maximise_profit(joint, lo, ceiling), lo, ceiling);
    }
    if (settled(p, before)) return p;
  }
  throw std::runtime_error("the joint-profit optimum of the stage game was not found");
}

std::vector<double> price_grid(double nash, double monopoly, const Grid& grid) {
  const double span = monopoly - nash;
  const double lo = nash - grid.extend * span, hi = monopoly + grid.extend * span;
  std::vector<double> prices(static_cast<std::size_t>(grid.points));
  for (int k = 0; k < grid.points; ++k) prices[std::size_t(k)] = lo + (hi - lo) * k / (grid.points - 1);
  return prices;
}

}  // namespace cm::game
