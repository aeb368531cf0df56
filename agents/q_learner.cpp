#include "agents/q_learner.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cm {

QLearner::QLearner(LearningRule rule, int actions) : rule_(rule), actions_(actions) {
  if (actions < 1) throw std::invalid_argument("QLearner: at least one action");
}

int QLearner::add_row(std::span<const double> initial) {
  if (int(initial.size()) != actions_) throw std::invalid_argument("QLearner: a row has one value per action");
  q_.insert(q_.end(), initial.begin(), initial.end());
  greedy_.push_back(0);
  greedy_.back() = first_maximum(rows() - 1);
  return rows() - 1;
}

void QLearner::add_rows(int rows, std::span<const double> initial) {
  q_.reserve(q_.size() + std::size_t(rows) * std::size_t(actions_));
  greedy_.reserve(greedy_.size() + std::size_t(rows));
  for (int r = 0; r < rows; ++r) add_row(initial);
}

int QLearner::first_maximum(int row) const {
  const auto v = values(row);
  return int(std::max_element(v.begin(), v.end()) - v.begin());
}

int QLearner::choose(double t, int row, double u_explore, double u_pick) const {
  if (rule_.exploration == Exploration::epsilon_greedy) {
    const double epsilon = std::exp(-rule_.exploration_decay * t);
    if (u_explore < epsilon) return std::min(int(u_pick * actions_), actions_ - 1);
    return greedy(row);
  }
  // Boltzmann: P(a) proportional to exp((Q(a) - max Q) / T), drawn by inverting the cumulative sum.
  const double temperature = rule_.temperature * std::exp(-rule_.exploration_decay * t);
  const auto v = values(row);
  const double top = v[std::size_t(greedy(row))];
  if (!(temperature > 1e-300)) return greedy(row);
  double total = 0;
  for (double q : v) total += std::exp((q - top) / temperature);
  double target = u_pick * total, cumulative = 0;
  for (int a = 0; a < actions_; ++a) {
    cumulative += std::exp((v[std::size_t(a)] - top) / temperature);
    if (target < cumulative) return a;
  }
  return actions_ - 1;  // rounding left the target past the last cell
}

bool QLearner::learn(int row, int action, double reward, int next_row, double discount_power) {
  const double future = values(next_row)[std::size_t(greedy(next_row))];
  double& q = row_data(row)[action];
  q += rule_.learning_rate * (reward + discount_power * future - q);
  const int before = greedy_[std::size_t(row)];
  const int after = first_maximum(row);
  greedy_[std::size_t(row)] = after;
  return after != before;
}

}  // namespace cm
