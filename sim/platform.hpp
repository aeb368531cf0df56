#pragma once
// The SimGrid platform of a scenario: a market zone with the clerk's host (and a loopback link for
// mailboxes), and one zone per vendor holding a host per data centre whose speed is that data
// centre's compute capacity (FLOP/s). Training runs as executions on vendor hosts; inference takes
// what training leaves of them (agents/inference_serving.hpp).
#include <simgrid/s4u.hpp>

#include <vector>

#include "sim/scenario.hpp"

namespace cm {

// A host's speed can only change through its power states once the platform is sealed, so each
// data-centre host gets a ladder of them: its initial FLOP/s times 1.02^k, k = 0..kFlopsLevels-1.
// When a vendor adds compute capacity its hosts step up the ladder (2% resolution, up to ~2700x).
// Levels below the initial speed serve outages (down to ~1% of it).
constexpr int kFlopsLevels = 632;
constexpr int kFlopsInitialLevel = 232;  // 1.02^-232 ~ 0.01
constexpr double kFlopsStep = 1.02;
// The highest level whose speed does not exceed `ratio` times the initial speed.
int flops_level(double ratio);

struct Platform {
  simgrid::s4u::Host* market_host = nullptr;
  std::vector<std::vector<simgrid::s4u::Host*>> vendor_hosts;  // [vendor][datacenter]
};

Platform build_platform(const Scenario& scenario);

}  // namespace cm
