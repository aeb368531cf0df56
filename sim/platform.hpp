#pragma once
// The SimGrid platform of a scenario: a root zone with the market's host, and one zone per vendor
// holding a host per data centre whose speed is that data centre's compute capacity (FLOP/s).
#include <simgrid/s4u.hpp>

#include <vector>

#include "sim/scenario.hpp"

namespace cm {

// A host's speed can only change through its power states once the platform is sealed, so each
// data-centre host gets a ladder of them: its initial FLOP/s times 1.02^k, k = 0..kFlopsLevels-1.
// When a vendor adds compute capacity its hosts step up the ladder (2% resolution, up to ~2700x).
constexpr int kFlopsLevels = 400;
constexpr double kFlopsStep = 1.02;
// The highest level whose speed does not exceed `ratio` times the initial speed (at least 0).
int flops_level(double ratio);

struct Platform {
  simgrid::s4u::Host* market_host = nullptr;
  std::vector<std::vector<simgrid::s4u::Host*>> vendor_hosts;  // [vendor][datacenter]
};

Platform build_platform(const Scenario& scenario);

}  // namespace cm
