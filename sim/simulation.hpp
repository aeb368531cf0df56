#pragma once
// One run of a scenario on the SimGrid engine. SimGrid's engine is a process-wide singleton: call
// this at most once per process (a sweep runs each run in its own process).
#include "agents/run_observer.hpp"
#include "sim/scenario.hpp"

namespace cm {

void simulate(const Scenario& scenario, RunObserver& observer);

}  // namespace cm
