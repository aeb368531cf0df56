#include "game/session.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agents/pricing_strategy.hpp"
#include "agents/q_learner.hpp"
#include "sim/rng.hpp"

namespace cm::game {

namespace {

constexpr int kMaxCycleSearch = 100'000;   // greedy periods searched for a repeated state
constexpr std::size_t kMaxMemo = 1u << 20;  // remembered reviews per seller that does not learn

// Where the play is: the state the learners see, every seller's price and grid level, the period.
struct Play {
  std::int64_t state = 0;
  std::vector<double> price;
  std::vector<int> level;
  std::int64_t t = 0;
};

class Session {
 public:
  Session(const GameSetup& game, int session)
      : g_(game),
        stage_(game.stage),
        explore_(game.spec.seed, "session " + std::to_string(session), "exploration"),
        profit_(std::size_t(game.n)) {
    const RandomStream opening(game.spec.seed, "session " + std::to_string(session), "initial state");
    strategy_.resize(std::size_t(g_.n));
    memo_.resize(std::size_t(g_.n));
    for (int i = 0; i < g_.n; ++i) {
      const auto& seller = g_.spec.sellers[std::size_t(i)];
      if (g_.learns[std::size_t(i)]) {
        learner_.emplace_back(seller.learning.rule, g_.m);
        learner_.back().add_rows(int(g_.states), g_.initial_q[std::size_t(i)]);
      } else {
        learner_.emplace_back(seller.learning.rule, 1);  // unused: keeps indices aligned
        strategy_[std::size_t(i)] = make_pricing_strategy(seller.pricing, RandomStream(g_.spec.seed, seller.id, "pricing"));
      }
    }
    pending_.resize(std::size_t(g_.n));
    // A random opening state: every lag of every learner's price drawn on its grid (Calvano et al.).
    play_.price = g_.opening_price;
    play_.level.assign(std::size_t(g_.n), 0);
    for (int lag = g_.memory - 1; lag >= 0; --lag) {
      for (int i = 0; i < g_.n; ++i) {
        int& level = play_.level[std::size_t(i)];
        if (g_.learns[std::size_t(i)]) {
          level = std::min(int(opening.uniform(std::uint64_t(lag), std::uint64_t(i)) * g_.m), g_.m - 1);
          play_.price[std::size_t(i)] = g_.grid[std::size_t(i)][std::size_t(level)];
        } else {
          level = g_.nearest_level(i, play_.price[std::size_t(i)]);
        }
      }
      advance_state(play_, profile_of(play_));
    }
  }

  SessionResult run(bool keep_greedy) {
    SessionResult r;
    learn(r);
    const Play start = limit_cycle(r);
    impulse_response(start, r);
    if (keep_greedy) {
      r.greedy.assign(std::size_t(g_.n * g_.states), -1);
      for (int i = 0; i < g_.n; ++i)
        if (g_.learns[std::size_t(i)])
          for (std::int64_t s = 0; s < g_.states; ++s)
            r.greedy[std::size_t(i * g_.states + s)] = learner_[std::size_t(i)].greedy(int(s));
    }
    return r;
  }

 private:
  struct Pending {  // a learner's last action, credited until it moves again
    bool active = false;
    int row = 0, action = 0;
    double reward = 0, discount_power = 1;
  };

  bool moves(int seller, std::int64_t t) const {
    return g_.spec.moves == Moves::synchronous || t % g_.n == seller;
  }

  // The period's price profile: sum_i level_i m^i (the profit table's row, the state's newest digits).
  std::int64_t profile_of(const Play& play) const {
    std::int64_t profile = 0;
    for (int i = g_.n - 1; i >= 0; --i) profile = profile * g_.m + play.level[std::size_t(i)];
    return profile;
  }

  // The newest period's profile enters the state; the oldest remembered one leaves it.
  void advance_state(Play& play, std::int64_t profile) const {
    if (g_.states > 1) play.state = (play.state * g_.profiles) % g_.states + profile;
  }

  void stage_profits(const Play& play, std::int64_t profile) {
    if (g_.tabulated()) {
      const double* row = g_.profit_table.data() + profile * g_.n;
      std::copy(row, row + g_.n, profit_.begin());
    } else {
      stage_.profits(play.price, profit_);
    }
  }

  // The period's profits, then the state moves on.
  void close_period(Play& play) {
    const std::int64_t profile = profile_of(play);
    stage_profits(play, profile);
    advance_state(play, profile);
  }

  // The price a seller that does not learn sets now: its strategy's review, given the others'
  // prices as they are (remembered: in a game its strategy depends on nothing else).
  double review(int i, const Play& play) {
    auto& memo = memo_[std::size_t(i)];
    if (auto it = memo.find(play.price); it != memo.end()) return it->second;
    PricingView view;
    view.review = int(std::min<std::int64_t>(play.t, INT_MAX));
    view.own_price = play.price[std::size_t(i)];
    view.unit_cost = g_.spec.sellers[std::size_t(i)].marginal_cost;
    view.initial_price = g_.opening_price[std::size_t(i)];
    view.initial_unit_cost = view.unit_cost;
    for (int j = 0; j < g_.n; ++j)
      if (j != i) view.rival_prices.push_back(play.price[std::size_t(j)]);
    std::vector<double> prices = play.price;
    view.profit_at = [&](double p) {
      prices[std::size_t(i)] = p;
      return stage_.profit(i, prices);
    };
    // A game's demand has no memory, so a price held from now on earns its stage profit forever.
    const double discount = g_.spec.discount();
    view.discounted_profit_at = [&](double p) { return view.profit_at(p) / (1.0 - discount); };
    const double price = strategy_[std::size_t(i)]->review(view).value_or(view.own_price);
    if (memo.size() >= kMaxMemo) memo.clear();
    memo.emplace(play.price, price);
    return price;
  }

  void set_price(Play& play, int i, double price) {
    play.price[std::size_t(i)] = price;
    play.level[std::size_t(i)] = g_.nearest_level(i, price);
  }

  void set_level(Play& play, int i, int level) {
    play.level[std::size_t(i)] = level;
    play.price[std::size_t(i)] = g_.grid[std::size_t(i)][std::size_t(level)];
  }

  // Learning: every period the movers act (learners explore or exploit, then learn what their
  // previous action earned), the stage profits accrue to the pending actions, the state moves on.
  void learn(SessionResult& r) {
    const std::int64_t stable = g_.spec.convergence.stable_periods, cap = g_.spec.convergence.max_periods;
    std::int64_t last_change = 0, t = 0;
    std::array<double, 4> u{};
    for (; t < cap; ++t) {
      play_.t = t;
      for (int i = 0; i < g_.n; ++i) {
        if (!moves(i, t)) continue;
        if (!g_.learns[std::size_t(i)]) {
          set_price(play_, i, review(i, play_));
          continue;
        }
        QLearner& learner = learner_[std::size_t(i)];
        Pending& p = pending_[std::size_t(i)];
        if (p.active && learner.learn(p.row, p.action, p.reward, int(play_.state), p.discount_power)) last_change = t;
        if (i % 2 == 0) u = explore_.uniforms(std::uint64_t(t), std::uint64_t(i / 2));  // one draw serves two sellers
        const int action = learner.choose(double(t), int(play_.state), u[std::size_t(2 * (i % 2))],
                                          u[std::size_t(2 * (i % 2) + 1)]);
        set_level(play_, i, action);
        p = Pending{true, int(play_.state), action, 0.0, 1.0};
      }
      close_period(play_);
      for (int i = 0; i < g_.n; ++i) {
        Pending& p = pending_[std::size_t(i)];
        if (!p.active) continue;
        p.reward += p.discount_power * profit_[std::size_t(i)];
        p.discount_power *= learner_[std::size_t(i)].rule().discount;
      }
      if (t - last_change >= stable) {
        r.converged = true;
        ++t;
        break;
      }
    }
    r.periods = t;
    r.converged_at = std::min(last_change + 1, t);
    play_.t = t;
  }

  // One period of greedy play (no exploration, no learning); the deviator, if any, sets its static
  // best reply to the others' prices of the period instead. Leaves the stage profits in profit_.
  void greedy_step(Play& play, std::optional<int> deviator = std::nullopt) {
    for (int i = 0; i < g_.n; ++i) {
      if (!moves(i, play.t)) continue;
      if (g_.learns[std::size_t(i)]) set_level(play, i, learner_[std::size_t(i)].greedy(int(play.state)));
      else set_price(play, i, review(i, play));
    }
    if (deviator) deviate(play, *deviator);
    close_period(play);
    ++play.t;
  }

  void deviate(Play& play, int i) {
    if (!g_.learns[std::size_t(i)]) return set_price(play, i, best_reply(stage_, i, play.price));
    int best = 0;
    double best_profit = -1e300;
    std::vector<double> prices = play.price;
    for (int a = 0; a < g_.m; ++a) {
      prices[std::size_t(i)] = g_.grid[std::size_t(i)][std::size_t(a)];
      const double profit = stage_.profit(i, prices);
      if (profit > best_profit) best_profit = profit, best = a;
    }
    set_level(play, i, best);
  }

  // Greedy play from where learning stopped until a state repeats: the cycle's mean prices and
  // profits are the session's outcome. Returns the cycle's first state.
  Play limit_cycle(SessionResult& r) {
    std::map<std::vector<double>, int> seen;
    auto key = [&](const Play& play) {
      std::vector<double> k{double(play.state), double(g_.spec.moves == Moves::synchronous ? 0 : play.t % g_.n)};
      k.insert(k.end(), play.price.begin(), play.price.end());
      return k;
    };
    Play play = play_;
    std::vector<Play> path;
    std::vector<std::vector<double>> profits;
    int first = -1;
    for (int step = 0; step < kMaxCycleSearch; ++step) {
      auto [it, fresh] = seen.emplace(key(play), step);
      if (!fresh) {
        first = it->second;
        break;
      }
      path.push_back(play);
      greedy_step(play);
      profits.push_back(profit_);
    }
    // No repetition (prices wandering off the grid): the last tenth of the search stands for it.
    const int begin = first >= 0 ? first : int(path.size()) - int(path.size()) / 10;
    r.cycle_length = first >= 0 ? int(path.size()) - first : 0;
    r.price.assign(std::size_t(g_.n), 0.0);
    r.profit.assign(std::size_t(g_.n), 0.0);
    const double count = double(path.size()) - begin;
    for (std::size_t k = std::size_t(begin); k < path.size(); ++k) {
      const Play& after = k + 1 < path.size() ? path[k + 1] : play;
      for (int i = 0; i < g_.n; ++i) {
        r.price[std::size_t(i)] += after.price[std::size_t(i)] / count;
        r.profit[std::size_t(i)] += profits[k][std::size_t(i)] / count;
      }
    }
    for (int i = 0; i < g_.n; ++i) r.profit_gain.push_back(g_.profit_gain(i, r.profit[std::size_t(i)]));
    r.mean_profit_gain = g_.mean_profit_gain(r.profit);
    return path[std::size_t(begin)];
  }

  // The deviator's one-period static best reply at tau 1 from the cycle's first state, then greedy
  // play for the given periods; the same periods without the deviation are the baseline.
  void impulse_response(const Play& start, SessionResult& r) {
    const int periods = g_.spec.impulse.periods, deviator = g_.spec.impulse.deviator;
    const std::size_t n = std::size_t(g_.n);
    r.impulse_price.assign((std::size_t(periods) + 2) * n, 0.0);
    r.impulse_profit = r.baseline_profit = r.impulse_price;
    stage_.profits(start.price, profit_);
    for (std::size_t i = 0; i < n; ++i) {
      r.impulse_price[i] = start.price[i];
      r.impulse_profit[i] = r.baseline_profit[i] = profit_[i];
    }
    Play shocked = start, baseline = start;
    const double discount = g_.spec.discount();
    double weight = 1;
    for (int tau = 1; tau <= periods + 1; ++tau) {
      greedy_step(shocked, tau == 1 ? std::optional<int>(deviator) : std::nullopt);
      for (std::size_t i = 0; i < n; ++i) {
        r.impulse_price[std::size_t(tau) * n + i] = shocked.price[i];
        r.impulse_profit[std::size_t(tau) * n + i] = profit_[i];
      }
      greedy_step(baseline);
      for (std::size_t i = 0; i < n; ++i) r.baseline_profit[std::size_t(tau) * n + i] = profit_[i];
      const double gain = r.impulse_profit[std::size_t(tau) * n + std::size_t(deviator)] -
                          r.baseline_profit[std::size_t(tau) * n + std::size_t(deviator)];
      r.deviation_gain += weight * gain;
      if (tau >= 2) r.punishment += gain;
      weight *= discount;
    }
  }

  const GameSetup& g_;
  StageGame stage_;  // own copy: its scratch space is not shared between sessions
  RandomStream explore_;
  std::vector<QLearner> learner_;
  std::vector<std::unique_ptr<PricingStrategy>> strategy_;
  std::vector<std::map<std::vector<double>, double>> memo_;
  std::vector<Pending> pending_;
  std::vector<double> profit_;
  Play play_;
};

}  // namespace

SessionResult play_session(const GameSetup& game, int session, bool keep_greedy) {
  return Session(game, session).run(keep_greedy);
}

}  // namespace cm::game
