// The pricing game against theory: the stage game's shares are the logit's (written out here, not
// shared with the model), its Nash prices solve the logit and nested-logit first-order conditions,
// its joint optimum the multiproduct monopolist's (common markup 1/(alpha s_0)); Calvano et al.'s
// published benchmarks; the Q-learning core's update, tie-breaking and exploration; and sessions
// that must end where theory says: a learner facing a fixed rival on its best grid reply, best
// responders at the Nash equilibrium (both move orders).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "agents/q_learner.hpp"
#include "game/game_loader.hpp"
#include "game/game_setup.hpp"
#include "game/one_shot.hpp"
#include "game/session.hpp"

using namespace cm;
using namespace cm::game;

namespace {

GameSpec small_game() { return load_game(std::string(CM_SOURCE_DIR) + "/tests/scenarios/game_small.yaml"); }

// Three asymmetric sellers: qualities, costs and the outside good all differ.
GameSpec asymmetric(DemandModel model, double nesting) {
  GameSpec g = small_game();
  g.demand = {model, 2.5, 0.3, nesting};
  g.sellers.resize(3, g.sellers.front());
  const double quality[] = {2.0, 2.4, 1.7}, cost[] = {1.0, 1.3, 0.8};
  for (int i = 0; i < 3; ++i) {
    g.sellers[std::size_t(i)].id = "s" + std::to_string(i);
    g.sellers[std::size_t(i)].quality = quality[i];
    g.sellers[std::size_t(i)].marginal_cost = cost[i];
  }
  return g;
}

// Plain logit shares, from the formula.
std::vector<double> logit_shares(const GameSpec& g, const std::vector<double>& p) {
  double denominator = std::exp(g.demand.price_sensitivity * g.demand.outside_quality);
  for (std::size_t i = 0; i < p.size(); ++i)
    denominator += std::exp(g.demand.price_sensitivity * (g.sellers[i].quality - p[i]));
  std::vector<double> s;
  for (std::size_t i = 0; i < p.size(); ++i)
    s.push_back(std::exp(g.demand.price_sensitivity * (g.sellers[i].quality - p[i])) / denominator);
  return s;
}

// Nested logit (sellers in one nest with parameter lambda, the outside good alone), from the formula.
std::vector<double> nested_shares(const GameSpec& g, const std::vector<double>& p, std::vector<double>& within) {
  const double alpha = g.demand.price_sensitivity, lambda = g.demand.nesting;
  double d = 0;
  for (std::size_t i = 0; i < p.size(); ++i) d += std::exp(alpha * (g.sellers[i].quality - p[i]) / lambda);
  const double nest = std::pow(d, lambda) / (std::pow(d, lambda) + std::exp(alpha * g.demand.outside_quality));
  std::vector<double> s;
  within.clear();
  for (std::size_t i = 0; i < p.size(); ++i) {
    within.push_back(std::exp(alpha * (g.sellers[i].quality - p[i]) / lambda) / d);
    s.push_back(within.back() * nest);
  }
  return s;
}

}  // namespace

TEST_CASE("stage game: shares are the logit's and the nested logit's", "[game]") {
  for (double lambda : {1.0, 0.6}) {
    const GameSpec g = asymmetric(lambda == 1.0 ? DemandModel::logit : DemandModel::nested_logit, lambda);
    const StageGame stage(g);
    const std::vector<double> p{1.5, 1.9, 1.2};
    std::vector<double> got(3), within;
    stage.shares(p, got);
    const auto want = lambda == 1.0 ? logit_shares(g, p) : nested_shares(g, p, within);
    for (int i = 0; i < 3; ++i) CHECK(got[std::size_t(i)] == Approx(want[std::size_t(i)]).epsilon(1e-12));
  }
}

TEST_CASE("stage game: Nash prices solve the logit first-order conditions", "[game]") {
  const GameSpec g = asymmetric(DemandModel::logit, 1.0);
  const auto p = nash_prices(StageGame(g));
  const auto s = logit_shares(g, p);
  for (int i = 0; i < 3; ++i)  // p_i - c_i = 1 / (alpha (1 - s_i))
    CHECK(p[std::size_t(i)] - g.sellers[std::size_t(i)].marginal_cost ==
          Approx(1.0 / (g.demand.price_sensitivity * (1.0 - s[std::size_t(i)]))).epsilon(1e-7));
}

TEST_CASE("stage game: Nash prices solve the nested-logit first-order conditions", "[game]") {
  const GameSpec g = asymmetric(DemandModel::nested_logit, 0.5);
  const auto p = nash_prices(StageGame(g));
  std::vector<double> within;
  const auto s = nested_shares(g, p, within);
  const double alpha = g.demand.price_sensitivity, lambda = g.demand.nesting;
  for (int i = 0; i < 3; ++i) {  // p_i - c_i = lambda / (alpha (1 - (1 - lambda) s_i|g - lambda s_i))
    const auto k = std::size_t(i);
    CHECK(p[k] - g.sellers[k].marginal_cost ==
          Approx(lambda / (alpha * (1.0 - (1.0 - lambda) * within[k] - lambda * s[k]))).epsilon(1e-7));
  }
}

TEST_CASE("stage game: the joint optimum has the multiproduct monopolist's common markup", "[game]") {
  const GameSpec g = asymmetric(DemandModel::logit, 1.0);
  const StageGame stage(g);
  const auto p = monopoly_prices(stage, nash_prices(stage));
  const auto s = logit_shares(g, p);
  const double outside = 1.0 - s[0] - s[1] - s[2];
  for (int i = 0; i < 3; ++i)  // p_i - c_i = 1 / (alpha s_0) for every product
    CHECK(p[std::size_t(i)] - g.sellers[std::size_t(i)].marginal_cost ==
          Approx(1.0 / (g.demand.price_sensitivity * outside)).epsilon(1e-6));
}

TEST_CASE("stage game: Calvano et al.'s benchmarks", "[game]") {
  GameSpec g = load_game(std::string(CM_SOURCE_DIR) + "/games/calvano_2020.yaml");
  const GameSetup setup(g);
  for (int i = 0; i < 2; ++i) {  // the paper: p^N = 1.473, p^M = 1.925 (profits 0.223 and 0.337)
    CHECK(setup.nash_price[std::size_t(i)] == Approx(1.4729).margin(1e-4));
    CHECK(setup.monopoly_price[std::size_t(i)] == Approx(1.9250).margin(1e-4));
    CHECK(setup.nash_profit[std::size_t(i)] == Approx(0.2229).margin(1e-4));
    CHECK(setup.monopoly_profit[std::size_t(i)] == Approx(0.3375).margin(1e-4));
    CHECK(setup.grid[std::size_t(i)].front() == Approx(1.4729 - 0.1 * (1.9250 - 1.4729)).margin(1e-4));
    CHECK(setup.grid[std::size_t(i)].back() == Approx(1.9250 + 0.1 * (1.9250 - 1.4729)).margin(1e-4));
  }
  CHECK(setup.states == 225);
  CHECK(setup.profit_table.size() == 225u * 2u);
}

TEST_CASE("setup: Q starts at the discounted payoff against a uniformly random rival", "[game]") {
  const GameSetup setup(small_game());
  const StageGame& stage = setup.stage;
  for (int a = 0; a < setup.m; ++a) {
    double sum = 0;
    for (int b = 0; b < setup.m; ++b) {
      const std::vector<double> p{setup.grid[0][std::size_t(a)], setup.grid[1][std::size_t(b)]};
      sum += stage.profit(0, p);
    }
    CHECK(setup.initial_q[0][std::size_t(a)] == Approx(sum / setup.m / (1.0 - 0.95)).epsilon(1e-12));
  }
  GameSpec zero = small_game();
  for (auto& s : zero.sellers) s.learning.q_init = QInit::zero;
  const GameSetup zero_setup(zero);
  for (double q : zero_setup.initial_q[1]) CHECK(q == 0.0);
}

TEST_CASE("Q-learner: the update, first-maximum ties and greedy tracking", "[game][q_learning]") {
  QLearner q({0.5, 0.9, Exploration::epsilon_greedy, 0.0, 1.0}, 3);
  const std::vector<double> zero{0, 0, 0};
  q.add_rows(2, zero);
  CHECK(q.greedy(0) == 0);  // all equal: the lowest action
  CHECK(q.learn(0, 2, 1.0, 1));  // Q(0,2) = 0 + 0.5 (1 + 0.9 * 0 - 0) = 0.5: greedy moves to 2
  CHECK(q.values(0)[2] == Approx(0.5));
  CHECK(q.greedy(0) == 2);
  CHECK(q.learn(1, 1, 2.0, 0));  // Q(1,1) = 0.5 (2 + 0.9 * 0.5) = 1.225
  CHECK(q.values(1)[1] == Approx(1.225));
  CHECK(q.greedy(1) == 1);
  CHECK_FALSE(q.learn(1, 2, 0.1, 0));  // Q(1,2) = 0.5 (0.1 + 0.45) = 0.275: still below
  CHECK(q.values(1)[2] == Approx(0.275));
  CHECK(q.learn(1, 1, -10.0, 0));  // falls to -4.3875: action 2 (0.275) leads
  CHECK(q.greedy(1) == 2);
}

TEST_CASE("Q-learner: epsilon-greedy explores with probability exp(-beta t)", "[game][q_learning]") {
  QLearner q({0.1, 0.9, Exploration::epsilon_greedy, 0.01, 1.0}, 4);
  const std::vector<double> row{0, 0, 5, 0};
  q.add_row(row);
  const double t = 100, epsilon = std::exp(-1.0);
  CHECK(q.choose(t, 0, epsilon * 0.999, 0.1) == 0);  // explores: uniform pick, cell 0
  CHECK(q.choose(t, 0, epsilon * 0.999, 0.9) == 3);
  CHECK(q.choose(t, 0, epsilon * 1.001, 0.1) == 2);  // exploits
}

TEST_CASE("Q-learner: Boltzmann choice draws from softmax(Q / T)", "[game][q_learning]") {
  const double temperature = 0.5, decay = 0.001, t = 200;
  QLearner q({0.1, 0.9, Exploration::boltzmann, decay, temperature}, 3);
  const std::vector<double> row{0.0, 0.3, -0.2};
  q.add_row(row);
  const double T = temperature * std::exp(-decay * t);
  double z = 0;
  for (double v : row) z += std::exp(v / T);
  std::vector<int> count(3, 0);
  const int draws = 100'000;
  for (int k = 0; k < draws; ++k) ++count[std::size_t(q.choose(t, 0, 0.5, (k + 0.5) / draws))];
  for (int a = 0; a < 3; ++a)
    CHECK(count[std::size_t(a)] / double(draws) == Approx(std::exp(row[std::size_t(a)] / T) / z).margin(2.0 / draws));
}

TEST_CASE("session: a learner facing a fixed rival ends on its best grid reply", "[game][q_learning]") {
  GameSpec g = small_game();
  g.sellers[1].pricing.strategy = PricingRule::fixed;
  g.sellers[1].price = 1.6;
  for (auto& s : g.sellers) s.learning.rule.discount = 0.0;  // myopic: the static best reply is optimal
  const GameSetup setup(g);
  int best = 0;
  double best_profit = -1;
  for (int a = 0; a < setup.m; ++a) {
    const double profit = setup.stage.profit(0, std::vector<double>{setup.grid[0][std::size_t(a)], 1.6});
    if (profit > best_profit) best_profit = profit, best = a;
  }
  for (int session = 0; session < 4; ++session) {
    const SessionResult r = play_session(setup, session, false);
    CHECK(r.converged);
    CHECK(r.price[0] == Approx(setup.grid[0][std::size_t(best)]));
    CHECK(r.price[1] == 1.6);
  }
}

TEST_CASE("session: best responders settle at the Nash equilibrium, in either move order", "[game]") {
  for (Moves moves : {Moves::synchronous, Moves::asynchronous}) {
    GameSpec g = asymmetric(DemandModel::logit, 1.0);
    g.moves = moves;
    for (auto& s : g.sellers) {
      s.pricing.strategy = PricingRule::best_response;
      s.price = 3.0;  // far from the equilibrium
    }
    g.convergence.stable_periods = 200;
    const GameSetup setup(g);
    const SessionResult r = play_session(setup, 0, false);
    CHECK(r.cycle_length == (moves == Moves::synchronous ? 1 : 3));
    for (int i = 0; i < 3; ++i) CHECK(r.price[std::size_t(i)] == Approx(setup.nash_price[std::size_t(i)]).epsilon(1e-6));
    CHECK(r.mean_profit_gain == Approx(0.0).margin(1e-5));
    CHECK(r.deviation_gain == Approx(0.0).margin(1e-6));  // the Nash price is already the best reply
  }
}

TEST_CASE("session: the same session twice gives the same result", "[game]") {
  const GameSetup setup(small_game());
  const SessionResult a = play_session(setup, 3, true), b = play_session(setup, 3, true);
  CHECK(a.periods == b.periods);
  CHECK(a.price == b.price);
  CHECK(a.impulse_price == b.impulse_price);
  CHECK(a.greedy == b.greedy);
  const SessionResult c = play_session(setup, 2, true);
  CHECK(c.greedy != a.greedy);  // another session, another stream
}
