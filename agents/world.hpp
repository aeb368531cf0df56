#pragma once
// The shared state of one run that actors read and change: calendar, list prices, the enterprise
// market and the vendors' books. Actors run one at a time (SimGrid is cooperative), so no locks.
#include <vector>

#include "agents/enterprise_market.hpp"
#include "agents/month_report.hpp"
#include "agents/price_book.hpp"
#include "sim/calendar.hpp"
#include "sim/scenario.hpp"

namespace cm {

class World {
 public:
  explicit World(const Scenario& scenario);

  const Scenario& scenario;
  const Calendar calendar;
  PriceBook prices;
  EnterpriseMarket market;

  int months() const { return scenario.time.months(); }
  double month_start(int month) const { return calendar.month_start_seconds(month); }
  // Bills `month` at the prices in force from its start, posts every vendor's P&L to its cash.
  MonthReport close_month(int month);

 private:
  std::vector<double> cash_;
};

}  // namespace cm
