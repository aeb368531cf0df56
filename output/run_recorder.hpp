#pragma once
// The run's output file (schema cloudmarket-output/1, docs/output.md): declares every variable with
// its dimensions, units and long name, aggregates months into output periods (flows summed, stocks
// taken at the period's end), derives the market measures and appends one record per period.
#include <memory>
#include <vector>

#include "agents/month_report.hpp"
#include "agents/price_book.hpp"
#include "agents/run_observer.hpp"
#include "output/netcdf_file.hpp"
#include "sim/calendar.hpp"
#include "sim/scenario.hpp"

namespace cm {

class RunRecorder {
 public:
  RunRecorder(output::NetcdfFile& file, const Scenario& scenario, const std::string& resolved_yaml);
  ~RunRecorder();
  void add_month(const MonthReport& report);
  void add_price_changes(const std::vector<PriceChange>& changes);
  // After the last month: the q_learning strategies' learnt policies (/strategies/q_learning).
  void add_learners(const std::vector<LearnerReport>& learners);
  // After the last month: run statistics (firm decisions) as global attributes.
  void finish();

 private:
  struct Layout;
  void write_period();
  void add_failure(const std::string& kind, const std::string& id, double seconds, double cash,
                   std::int64_t customers, double written_off);

  output::NetcdfFile& file_;
  const Scenario& scenario_;
  Calendar calendar_;
  int months_per_period_;
  std::unique_ptr<Layout> layout_;
  std::vector<MonthReport> period_;  // the months of the current output period
  std::int64_t firm_decisions_ = 0;
};

}  // namespace cm
