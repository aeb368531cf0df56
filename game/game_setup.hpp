#pragma once
// What every session of a game shares, computed once: the stage game's Nash and monopoly
// benchmarks, each seller's price grid, the learners' starting Q values and, when every seller
// prices on its grid, the table of stage profits by price profile.
#include <cstdint>
#include <vector>

#include "game/game_spec.hpp"
#include "game/one_shot.hpp"

namespace cm::game {

struct GameSetup {
  explicit GameSetup(GameSpec game);

  GameSpec spec;
  StageGame stage;
  int n = 0;                       // sellers
  int m = 0;                       // grid points
  int memory = 1;                  // periods of prices in a state
  std::int64_t profiles = 0;       // m^n
  std::int64_t states = 0;         // m^(n memory)
  std::vector<double> nash_price, nash_profit, monopoly_price, monopoly_profit;
  std::vector<std::vector<double>> grid;       // per seller, m prices
  std::vector<double> opening_price;           // per seller: its `price`, else the Nash price
  std::vector<char> learns;                    // per seller: q_learning
  std::vector<std::vector<double>> initial_q;  // per learner: one value per action (all states alike)
  double random_profit_gain = 0;               // Delta of uniformly random prices on the grids
  // Stage profits by profile (index sum_i level_i m^i), n per profile; empty unless every seller learns.
  std::vector<double> profit_table;

  bool tabulated() const { return !profit_table.empty(); }
  int nearest_level(int seller, double price) const;
  // Delta of mean profits `profit` (per seller): (mean pi - mean pi^N) / (mean pi^M - mean pi^N).
  double mean_profit_gain(const std::vector<double>& profit) const;
  double profit_gain(int seller, double profit) const;
};

}  // namespace cm::game
