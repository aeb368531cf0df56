#pragma once
// An AI-model startup as an S4U actor: it trains one run after another as SimGrid executions on
// its training vendor's first host (each run the compute it decides to buy for run_months from
// its money and expected earnings, bounded by the cluster it rents, slowed by other tenants' work
// on that host; with nothing worth buying it waits for the next month), and an hour after each month start checks its runway: when it is short it
// opens a funding round, sends a request to every investor's mailbox, waits for their term sheets,
// signs the best and lets the others lapse. It stops when it fails.
#include <cstddef>

#include "agents/training_board.hpp"
#include "agents/world.hpp"
#include "sim/platform.hpp"

namespace cm {

// Startups act this long after a month start, once the clerk has billed the month: an explicit
// order for events of one month start.
constexpr double kStartupReviewDelaySeconds = 3600;
// A training run's cluster is its GPU-hours a month spread over an average month (365.25 / 12 days).
constexpr double kSecondsPerAverageMonth = 30.4375 * 86400;

class StartupActor {
 public:
  StartupActor(World& world, TrainingBoard& board, const Platform& platform, std::size_t startup)
      : world_(world), board_(board), platform_(platform), startup_(startup) {}
  void operator()();

 private:
  void start_run();
  void raise_round();

  World& world_;
  TrainingBoard& board_;
  const Platform& platform_;
  std::size_t startup_;
};

// The mailbox names of the funding protocol.
std::string startup_mailbox(const Scenario& scenario, std::size_t startup);
std::string investor_mailbox(const Scenario& scenario, const InvestorRef& investor);

// An investor (a vendor with an investment policy, an owner of an in-house lab, or an independent
// fund) as an S4U actor: it answers each round request with a term sheet and keeps the amount
// reserved until the startup decides.
class InvestorActor {
 public:
  InvestorActor(World& world, InvestorRef who) : world_(world), who_(who) {}
  void operator()();

 private:
  World& world_;
  InvestorRef who_;
};

// The investors of a scenario, in a fixed order (vendors, then funds): the order rounds use.
std::vector<InvestorRef> investors_of(const Scenario& scenario);

}  // namespace cm
