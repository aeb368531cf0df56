#pragma once
// The stage game of a repeated pricing game (docs/game.md, "Demand"): one period's shares and
// profits at given prices, and its benchmarks, the static Bertrand-Nash equilibrium and the joint
// (monopoly) optimum, found numerically so that any demand the file describes has them.
#include <span>
#include <vector>

#include "agents/choice_model.hpp"
#include "game/game_spec.hpp"

namespace cm::game {

class StageGame {
 public:
  explicit StageGame(const GameSpec& game);

  int sellers() const { return int(quality_.size()); }
  double sensitivity() const { return sensitivity_; }
  double marginal_cost(int i) const { return cost_[std::size_t(i)]; }
  // Each seller's share of the market (of mass 1) at `prices`; the outside good takes the rest.
  void shares(std::span<const double> prices, std::span<double> out) const;
  // Each seller's profit (p_i - c_i) * share_i at `prices`.
  void profits(std::span<const double> prices, std::span<double> out) const;
  double profit(int seller, std::span<const double> prices) const;

 private:
  double sensitivity_;
  std::vector<double> quality_, cost_;
  mutable ChoiceSet choice_;             // scratch: the market's nested logit, option 0 the outside good
  mutable std::vector<double> probability_;
  mutable std::vector<double> profit_;   // scratch of profit(): searches call it hundreds of times
};

// Seller i's profit-maximising price against the others' `prices` (its own entry ignored), searched
// up to `ceiling` (0: a generous multiple of the prices and the cost).
double best_reply(const StageGame& game, int seller, std::vector<double> prices, double ceiling = 0);

// The static Nash equilibrium: best replies iterated to a fixed point (a contraction under logit).
// Throws when the iteration does not settle.
std::vector<double> nash_prices(const StageGame& game);

// The prices that maximise the sellers' joint profit (coordinate ascent from `start`).
std::vector<double> monopoly_prices(const StageGame& game, std::vector<double> start);

// m prices from p^N - xi (p^M - p^N) to p^M + xi (p^M - p^N), evenly spaced (Calvano et al. 2020).
std::vector<double> price_grid(double nash, double monopoly, const Grid& grid);

}  // namespace cm::game
