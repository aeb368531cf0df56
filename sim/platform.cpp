#include "sim/platform.hpp"

namespace cm {

namespace sg4 = simgrid::s4u;

Platform build_platform(const Scenario& sc) {
  Platform platform;
  auto* root = sg4::create_full_zone("market");
  platform.market_host = root->create_host("clerk", 1e9);
  for (const auto& vendor : sc.vendors) {
    auto* zone = sg4::create_full_zone("vendor:" + vendor.id);
    zone->set_parent(root);
    std::vector<sg4::Host*> hosts;
    for (const auto& dc : vendor.datacenters) hosts.push_back(zone->create_host(vendor.id + "/" + dc.id, dc.flops));
    zone->seal();
    platform.vendor_hosts.push_back(std::move(hosts));
  }
  root->seal();
  return platform;
}

}  // namespace cm
