#pragma once
// The SimGrid platform of a scenario: a root zone with the market's host, and one zone per vendor
// holding a host per data centre whose speed is that data centre's compute capacity (FLOP/s).
#include <simgrid/s4u.hpp>

#include <vector>

#include "sim/scenario.hpp"

namespace cm {

struct Platform {
  simgrid::s4u::Host* market_host = nullptr;
  std::vector<std::vector<simgrid::s4u::Host*>> vendor_hosts;  // [vendor][datacenter]
};

Platform build_platform(const Scenario& scenario);

}  // namespace cm
