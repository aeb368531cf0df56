#pragma once
// An allowed interval for a number of an input file: what the loaders check and the JSON Schema
// states (minimum, maximum).
#include <limits>
#include <string>
#include <utility>

namespace cm::yaml {

// An allowed interval for a number; open or closed at each end.
struct Range {
  Range(double lo_ = -std::numeric_limits<double>::infinity(), double hi_ = std::numeric_limits<double>::infinity(),
        bool lo_open_ = false, bool hi_open_ = false)
      : lo(lo_), hi(hi_), lo_open(lo_open_), hi_open(hi_open_) {}
  double lo;
  double hi;
  bool lo_open;
  bool hi_open;
  // Positive values below this are rejected too (0 stays allowed): "0 or at least ...".
  double positive_minimum = 0;
  // Why the range is what it is, added to the message when a value falls outside it.
  std::string reason;

  static Range positive() { return {0, std::numeric_limits<double>::infinity(), true, false}; }
  static Range non_negative() { return {0, std::numeric_limits<double>::infinity()}; }
  static Range fraction() { return {0, 1}; }
  static Range open_fraction() { return {0, 1, true, true}; }
  static Range between(double lo, double hi) { return {lo, hi}; }
  bool contains(double x) const {
    return (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi) && !(x > 0 && x < positive_minimum);
  }
  Range because(std::string why) const {
    Range r = *this;
    r.reason = std::move(why);
    return r;
  }
  std::string describe() const;
};

}  // namespace cm::yaml
