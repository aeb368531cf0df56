#pragma once
// Where each startup's training stands on SimGrid: the execution running on a vendor's host, and
// the FLOP done but not yet billed. The startup's actor starts and finishes runs; the market clerk
// reads the board at each month's end to bill the compute used in the month.
#include <simgrid/s4u.hpp>

#include <vector>

#include "agents/world.hpp"

namespace cm {

class TrainingBoard {
 public:
  explicit TrainingBoard(std::size_t startups) : entries_(startups) {}

  void start(std::size_t startup, simgrid::s4u::ExecPtr exec, std::size_t vendor, double flops, double now);
  // The run finished: returns it (for the world's records).
  TrainingRun finish(std::size_t startup, double now);
  void cancel(std::size_t startup);
  const simgrid::s4u::ExecPtr& running(std::size_t startup) const { return entries_[startup].exec; }
  // FLOP executed since the last call, per startup and vendor; resets the count.
  std::vector<ComputeUse> take_work();

 private:
  struct Entry {
    simgrid::s4u::ExecPtr exec;
    std::size_t vendor = 0;
    double flops = 0;          // size of the running execution
    double billed = 0;         // of the running execution, FLOP already billed
    double start_seconds = 0;
    std::vector<ComputeUse> finished_unbilled;
  };
  std::vector<Entry> entries_;
};

}  // namespace cm
