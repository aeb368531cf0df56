#pragma once
// Tabular Q-learning, the algorithm alone (Watkins; as used by Calvano et al. 2020, AER): a table
// of action values by state, exploration by epsilon-greedy or Boltzmann choice, the one-step
// update. Both the market's q_learning pricing (agents/pricing_strategy.cpp, one action a month)
// and the pricing game's learners (game/session.cpp, one action a period) are this class; they
// differ only in what a state is and what profit an action is credited with.
//
// Pure: the caller owns the random draws (passed in as uniforms) and the mapping of states to rows.
#include <cstdint>
#include <span>
#include <vector>

namespace cm {

enum class Exploration { epsilon_greedy, boltzmann };

struct LearningRule {
  double learning_rate = 0.15;  // alpha in (0, 1]
  double discount = 0.95;       // delta in [0, 1)
  Exploration exploration = Exploration::epsilon_greedy;
  // beta: epsilon = exp(-beta t) (epsilon-greedy), or temperature = temperature * exp(-beta t).
  double exploration_decay = 0.05;
  double temperature = 1.0;     // Boltzmann only: the starting temperature, in reward units
};

class QLearner {
 public:
  QLearner(LearningRule rule, int actions);

  // A new state's row, its values set to `initial` (one per action); returns the row's index.
  int add_row(std::span<const double> initial);
  // `rows` rows at once, each a copy of `initial` (a dense table of states known in advance).
  void add_rows(int rows, std::span<const double> initial);

  // The action at step t in state `row`. Epsilon-greedy: explore (uniformly, with u_pick) when
  // u_explore < exp(-beta t), else the greedy action. Boltzmann: draw from softmax(Q / T_t) with
  // u_pick (u_explore unused); a temperature too small to matter is the greedy action.
  int choose(double t, int row, double u_explore, double u_pick) const;

  // Q(row, action) += alpha (reward + discount_power * max_a Q(next_row, a) - Q(row, action)).
  // discount_power is delta for an action held one step, delta^n for one held n steps (its reward
  // then being the discounted sum over them). True when the row's greedy action changed.
  bool learn(int row, int action, double reward, int next_row, double discount_power);
  bool learn(int row, int action, double reward, int next_row) {
    return learn(row, action, reward, next_row, rule_.discount);
  }

  // The greedy action of a row: its first maximum (ties go to the lowest action, i.e. price).
  int greedy(int row) const { return greedy_[std::size_t(row)]; }
  std::span<const double> values(int row) const {
    return {q_.data() + std::size_t(row) * std::size_t(actions_), std::size_t(actions_)};
  }
  int rows() const { return int(greedy_.size()); }
  int actions() const { return actions_; }
  const LearningRule& rule() const { return rule_; }

 private:
  double* row_data(int row) { return q_.data() + std::size_t(row) * std::size_t(actions_); }
  int first_maximum(int row) const;

  LearningRule rule_;
  int actions_;
  std::vector<double> q_;       // rows x actions, row-major
  std::vector<int> greedy_;     // per row: first maximum, kept current by learn()
};

}  // namespace cm
