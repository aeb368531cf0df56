#pragma once
// Which profit belongs to which pricing action (docs/model.md, "Q-learning credit").
//
// A price announced at a review takes effect at the next month start (agents/price_book.hpp), and
// holds until the next announced price takes effect. An action's reward is therefore the profit of
// the months [its effective month, its successor's effective month), known only once the last of
// them has closed: with monthly reviews, two reviews later. An action superseded before it took
// effect (two reviews in one month: the last one wins) is never in force and earns nothing.
#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

namespace cm {

template <class Action>
class RewardLedger {
 public:
  struct Credit {
    Action action;
    double reward;      // mean profit per month while its price was in force
    Action successor;   // the action that followed it (its state is the Q-update's next state)
  };

  // The action (or, with nothing, a price the learner did not set: an event) whose price takes
  // effect at the start of `month`. A later record for the same month supersedes it.
  void record(int month, std::optional<Action> action) {
    if (!open_.empty() && open_.back().month == month) open_.back().action = std::move(action);
    else open_.push_back({month, std::move(action)});
  }

  // Credits every action whose months have all closed (`profit_by_month` holds the closed months,
  // index = month), in order, and forgets them. An action whose price a non-learner's price
  // followed (an event) has no successor state to learn from and is dropped uncredited.
  std::vector<Credit> settle(const std::vector<double>& profit_by_month) {
    std::vector<Credit> credits;
    const int closed = int(profit_by_month.size());
    while (open_.size() >= 2 && open_[1].month <= closed) {
      const Entry& a = open_[0];
      const Entry& b = open_[1];
      if (a.action && b.action && b.month > a.month) {
        double total = 0;
        for (int m = std::max(a.month, 0); m < b.month; ++m) total += profit_by_month[std::size_t(m)];
        credits.push_back({*a.action, total / double(b.month - std::max(a.month, 0)), *b.action});
      }
      open_.pop_front();
    }
    return credits;
  }

 private:
  struct Entry {
    int month;
    std::optional<Action> action;
  };
  std::deque<Entry> open_;
};

}  // namespace cm
