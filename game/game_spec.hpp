#pragma once
// A repeated pricing game (docs/game.md): N sellers of differentiated goods set prices period after
// period against a one-shot demand; each prices with a strategy of the market simulation. No
// calendar and no firms: a period is one pricing move. Read by game/game_loader.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agents/q_learner.hpp"
#include "sim/scenario.hpp"

namespace cm::game {

inline constexpr const char* kGameSchema = "cloudmarket-game/1";
inline constexpr const char* kGameOutputSchema = "cloudmarket-game-output/1";

enum class DemandModel { logit, nested_logit };
enum class QInit { expected, zero };
enum class Moves { synchronous, asynchronous };

// Logit demand with an outside good: seller i's utility is price_sensitivity * (quality_i - p_i),
// the outside good's price_sensitivity * outside_quality; nested_logit puts the sellers in one nest
// with parameter `nesting` (the market's choice model, agents/choice_model.hpp), the outside good alone.
struct Demand {
  DemandModel model = DemandModel::logit;
  double price_sensitivity = 4.0;  // alpha, utility per price unit (Calvano et al.: 1/mu = 4)
  double outside_quality = 0.0;    // a_0, price units
  double nesting = 1.0;            // lambda in (0, 1]; 1 is the plain logit
};

// How the learners learn (shared by every q_learning seller unless it gives its own block).
struct Learning {
  LearningRule rule{0.15, 0.95, Exploration::epsilon_greedy, 4e-6, 1.0};
  QInit q_init = QInit::expected;
  int memory = 1;                  // periods of all sellers' prices in the state
};

struct Seller {
  std::string id;
  double quality = 2.0;            // a_i, price units
  double marginal_cost = 1.0;      // c_i, price units
  Pricing pricing;                 // strategy and its keys, as in a scenario (only the game's subset)
  std::optional<double> price;     // opening price of a seller that does not learn (default: Nash)
  Learning learning;               // q_learning sellers
};

struct Grid {
  int points = 15;                 // m
  double extend = 0.1;             // xi: [p^N - xi (p^M - p^N), p^M + xi (p^M - p^N)]
};

struct Convergence {
  std::int64_t stable_periods = 100'000;    // K: every greedy policy unchanged this long
  std::int64_t max_periods = 1'000'000'000; // cap
};

struct Impulse {
  int deviator = 0;                // seller index
  int periods = 15;                // periods followed after the deviation
};

struct GameSpec {
  std::string name;
  std::uint64_t seed = 0;
  int sessions = 1;
  std::string units = "1";         // price units
  Demand demand;
  std::vector<Seller> sellers;
  Grid grid;
  Moves moves = Moves::synchronous;
  Convergence convergence;
  Impulse impulse;
  double discount() const;         // the sellers' discount factor for deviation gains (first learner's, else 0.95)
};

}  // namespace cm::game
