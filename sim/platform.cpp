#include "sim/platform.hpp"

#include <algorithm>
#include <cmath>

namespace cm {

namespace sg4 = simgrid::s4u;

int flops_level(double ratio) {
  if (!(ratio > 1.0)) return 0;
  const int level = int(std::floor(std::log(ratio) / std::log(kFlopsStep) + 1e-9));
  return std::min(level, kFlopsLevels - 1);
}

Platform build_platform(const Scenario& sc) {
  Platform platform;
  auto* root = sg4::create_full_zone("market");
  platform.market_host = root->create_host("clerk", 1e9);
  for (const auto& vendor : sc.vendors) {
    auto* zone = sg4::create_full_zone("vendor:" + vendor.id);
    zone->set_parent(root);
    std::vector<sg4::Host*> hosts;
    for (const auto& dc : vendor.datacenters) {
      std::vector<double> ladder;
      for (int k = 0; k < kFlopsLevels; ++k) ladder.push_back(dc.flops * std::pow(kFlopsStep, k));
      hosts.push_back(zone->create_host(vendor.id + "/" + dc.id, ladder));
    }
    zone->seal();
    platform.vendor_hosts.push_back(std::move(hosts));
  }
  root->seal();
  return platform;
}

}  // namespace cm
