#pragma once
// One session of a repeated pricing game (docs/game.md, "A session"): the sellers price period
// after period, the learners learn until every greedy policy has stayed unchanged for K periods
// (or the period cap), then the greedy play's limit cycle gives the session's prices and profits,
// and a one-period deviation from it gives the impulse response.
#include <cstdint>
#include <vector>

#include "game/game_setup.hpp"

namespace cm::game {

struct SessionResult {
  bool converged = false;
  std::int64_t periods = 0;       // periods played while learning
  std::int64_t converged_at = 0;  // periods played when the final greedy policies were in place
  int cycle_length = 0;           // periods of the greedy play's limit cycle (0: none found)
  std::vector<double> price, profit, profit_gain;  // per seller: means over the cycle, Delta
  double mean_profit_gain = 0;
  // (periods + 2) x sellers, tau-major: tau 0 before the deviation, 1 the deviation, 2.. after.
  std::vector<double> impulse_price, impulse_profit, baseline_profit;
  double deviation_gain = 0;      // deviator: discounted profit over tau >= 1, with minus without
  double punishment = 0;          // deviator: profit over tau >= 2, with minus without
  std::vector<std::int64_t> greedy;  // sellers x states: greedy grid level (-1: does not learn); if asked
};

SessionResult play_session(const GameSetup& game, int session, bool keep_greedy);

}  // namespace cm::game
