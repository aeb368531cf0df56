#pragma once
// Each segment's budget growth and AI spend factor by month (docs/model.md): pure functions of the
// month, which the run reads every month and forward-looking pricing reads for every month of its
// horizon at every review. They are computed once per run, from the start to the last month any
// dynamic_best_response outlook reaches, and looked up; a month beyond is computed on the spot.
#include <cstddef>
#include <vector>

#include "sim/scenario.hpp"

namespace cm {

class GrowthPaths {
 public:
  explicit GrowthPaths(const Scenario& scenario);
  // Budget growth since the start: prod over months k < month of (1 + growth_k)^(1/12).
  double growth(std::size_t segment, int month) const;
  // AI spend per unit of an adopter's budget: spend_share times the compound demand growth (0 without AI).
  double ai(std::size_t segment, int month) const;

 private:
  static double growth_of(const Segment& segment, int month);
  static double ai_of(const Segment& segment, int month);
  bool cached(int month) const { return month >= 0 && month < months_; }

  const Scenario& scenario_;
  int months_ = 0;             // months cached: 0 .. months_ - 1
  std::vector<double> growth_, ai_;  // segment-major: [segment * months_ + month]
};

}  // namespace cm
