#pragma once
// What a run tells the outside world (the recorder, the progress line) as it goes.
#include <vector>

#include "agents/month_report.hpp"
#include "agents/price_book.hpp"

namespace cm {

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_month(const MonthReport& report, const std::vector<PriceChange>& changes) = 0;
};

}  // namespace cm
