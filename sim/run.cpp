#include "sim/run.hpp"

#include "output/netcdf_file.hpp"
#include "output/partial_file.hpp"
#include "output/run_recorder.hpp"
#include "sim/progress.hpp"
#include "sim/scenario_loader.hpp"
#include "sim/simulation.hpp"

namespace cm {

namespace {

class RunSink : public RunObserver {
 public:
  RunSink(RunRecorder& recorder, Progress& progress, const Calendar& calendar)
      : recorder_(recorder), progress_(progress), calendar_(calendar) {}
  void on_month(const MonthReport& report, const std::vector<PriceChange>& changes) override {
    recorder_.add_price_changes(changes);
    recorder_.add_month(report);
    progress_.update(report.month + 1, "simulated " + to_iso(calendar_.add_months(report.month + 1)));
  }
  void on_finish(const std::vector<LearnerReport>& learners) override { recorder_.add_learners(learners); }

 private:
  RunRecorder& recorder_;
  Progress& progress_;
  const Calendar& calendar_;
};

}  // namespace

void run_to_file(const Scenario& scenario, const RunOptions& options) {
  // The temporary file is this run's own: a failure (or a signal) removes it and nothing else.
  output::PartialFile partial(options.output_path);
  {
    output::NetcdfFile file(partial.path());
    RunRecorder recorder(file, scenario, scenario_to_yaml(scenario));
    Progress progress(options.progress, scenario.time.months());
    const Calendar calendar(scenario.time.start);
    RunSink sink(recorder, progress, calendar);
    simulate(scenario, sink);
    progress.finish();
    recorder.finish();
    file.close();
  }
  partial.commit();
}

}  // namespace cm
