#pragma once
// A cloud vendor: an S4U actor that reviews its list prices at its own cadence and announces
// changes through the price book (they take effect at the next month start).
#include <cstddef>

#include "agents/world.hpp"

namespace cm {

class VendorActor {
 public:
  VendorActor(World& world, std::size_t vendor) : world_(world), vendor_(vendor) {}
  void operator()();

 private:
  void review(double now);

  World& world_;
  std::size_t vendor_;
};

}  // namespace cm
