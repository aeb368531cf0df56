#include "sim/platform.hpp"

#include <algorithm>
#include <cmath>

namespace cm {

namespace sg4 = simgrid::s4u;

int flops_level(double ratio) {
  if (!(ratio > 0)) return 0;
  const int level = kFlopsInitialLevel + int(std::floor(std::log(ratio) / std::log(kFlopsStep) + 1e-9));
  return std::clamp(level, 0, kFlopsLevels - 1);
}

Platform build_platform(const Scenario& sc) {
  Platform platform;
  auto* root = sg4::create_full_zone("world");
  // The market zone: the clerk's host, where startups and investors also run and exchange term
  // sheets through mailboxes over its loopback link.
  auto* market = sg4::create_full_zone("market");
  market->set_parent(root);
  platform.market_host = market->create_host("clerk", 1e9);
  auto* loopback = market->create_link("clerk/loopback", 1e15)->set_latency(0)->seal();
  market->add_route(platform.market_host->get_netpoint(), platform.market_host->get_netpoint(), nullptr, nullptr,
                    {sg4::LinkInRoute(loopback)}, false);
  market->seal();
  for (const auto& vendor : sc.vendors) {
    auto* zone = sg4::create_full_zone("vendor:" + vendor.id);
    zone->set_parent(root);
    std::vector<sg4::Host*> hosts;
    for (const auto& dc : vendor.datacenters) {
      std::vector<double> ladder;
      for (int k = 0; k < kFlopsLevels; ++k) ladder.push_back(dc.flops * std::pow(kFlopsStep, k - kFlopsInitialLevel));
      hosts.push_back(zone->create_host(vendor.id + "/" + dc.id, ladder));
    }
    zone->seal();
    platform.vendor_hosts.push_back(std::move(hosts));
  }
  root->seal();
  // Power states can be switched only once the platform is sealed: start at the initial speed.
  for (const auto& hosts : platform.vendor_hosts)
    for (auto* host : hosts) host->set_pstate(kFlopsInitialLevel);
  return platform;
}

}  // namespace cm
