#pragma once
// The list prices of every vendor and product over time.
//
// Tie-breaking rule: a price change announced at any instant of a month, its first
// instant included, takes effect at the start of the next month. Every event of an instant (a
// renewal, a bill, a rival's review) therefore sees the same prices whatever order SimGrid runs
// the actors of that instant in.
#include <string>
#include <vector>

#include "agents/grid.hpp"
#include "sim/calendar.hpp"
#include "sim/scenario.hpp"

namespace cm {

struct PriceChange {
  double announced_seconds = 0;
  double effective_seconds = 0;
  std::size_t vendor = 0;
  std::size_t product = 0;
  double old_price = 0;
  double new_price = 0;
  std::string reason;  // the pricing rule that made it
};

class PriceBook {
 public:
  PriceBook(const Scenario& scenario, const Calendar& calendar);

  double in_force(std::size_t vendor, std::size_t product, double seconds) const;
  Grid in_force(double seconds) const;  // vendor x product
  // The last price announced, whether or not in force yet.
  double latest(std::size_t vendor, std::size_t product) const { return history_[vendor * products_ + product].back().price; }
  // Announce a new list price at `seconds`; it takes effect at the next month start. A positive
  // price below limits::kMinPrice is raised to it.
  void announce(std::size_t vendor, std::size_t product, double seconds, double price, const std::string& reason);
  // Changes announced since the last call, in announcement order.
  std::vector<PriceChange> take_changes();

 private:
  struct Entry {
    double effective_seconds;
    double price;
  };
  const Calendar& calendar_;
  std::size_t products_;
  std::vector<std::vector<Entry>> history_;  // [vendor * products + product], by effective time
  std::vector<PriceChange> pending_;
};

}  // namespace cm
