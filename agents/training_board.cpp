#include "agents/training_board.hpp"

namespace cm {

void TrainingBoard::start(std::size_t i, simgrid::s4u::ExecPtr exec, std::size_t vendor, double flops, double now) {
  Entry& e = entries_[i];
  e.exec = std::move(exec);
  e.vendor = vendor;
  e.flops = flops;
  e.billed = 0;
  e.start_seconds = now;
}

TrainingRun TrainingBoard::finish(std::size_t i, double now) {
  Entry& e = entries_[i];
  e.finished_unbilled.push_back({i, e.vendor, e.flops - e.billed});
  TrainingRun run{i, e.vendor, e.flops, e.start_seconds, now};
  e.exec = nullptr;
  e.flops = e.billed = 0;
  return run;
}

void TrainingBoard::cancel(std::size_t i) {
  Entry& e = entries_[i];
  if (e.exec) e.exec->cancel();
  e.exec = nullptr;
  e.flops = e.billed = 0;
}

std::vector<ComputeUse> TrainingBoard::take_work() {
  std::vector<ComputeUse> work;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    for (const auto& w : e.finished_unbilled) work.push_back(w);
    e.finished_unbilled.clear();
    if (e.exec) {
      const double done = e.flops - e.exec->get_remaining();
      if (done > e.billed) work.push_back({i, e.vendor, done - e.billed});
      e.billed = std::max(e.billed, done);
    }
  }
  return work;
}

}  // namespace cm
