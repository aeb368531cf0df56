#pragma once
// What a run tells the outside world (the recorder, the progress line) as it goes.
#include <vector>

#include "agents/month_report.hpp"
#include "agents/price_book.hpp"
#include "agents/pricing_strategy.hpp"

namespace cm {

// A q_learning strategy's learnt policy at the end of the run.
struct LearnerReport {
  std::size_t vendor, product, regime;  // regime: 0 = the first of the vendor's product
  double unit_cost;                     // the product's unit cost in the last month
  LearntPolicy policy;
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_month(const MonthReport& report, const std::vector<PriceChange>& changes) = 0;
  // After the last month.
  virtual void on_finish(const std::vector<LearnerReport>& learners) { (void)learners; }
};

}  // namespace cm
