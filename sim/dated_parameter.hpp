#pragma once
// Dated parameters (docs/scenario.md, "Dated parameters"): a numeric scenario key given as a list
// of `{from: DATE, value: X}` takes each value from the first month start on or after its date.
// A struct that has datable keys holds their schedules in a `DatedFields` member, by key; the
// plain field keeps the value in force at the start. Which keys may be dated is one table
// (dated_parameter.cpp, kDatable): adding a datable key is one line there, plus its readers
// asking `at(key, field, month)` (or `compound(...)` for a yearly rate) instead of the field.
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/calendar.hpp"

namespace cm {

struct DatedValue {
  Date from;
  double value = 0;
  int month = 0;  // the first month of the run it is in force in (derived on load from `from`)
  bool operator==(const DatedValue&) const = default;
};
using DatedSchedule = std::vector<DatedValue>;  // strictly increasing dates, the first at month 0

// The schedules of one struct's datable keys. Empty for a scenario without schedules: every
// lookup then returns the plain field, so such runs are bit-identical to runs before schedules.
class DatedFields {
 public:
  bool empty() const { return schedules_.empty(); }
  const DatedSchedule* find(std::string_view key) const {
    for (const auto& [k, s] : schedules_)
      if (k == key) return &s;
    return nullptr;
  }
  void set(std::string key, DatedSchedule schedule) { schedules_.emplace_back(std::move(key), std::move(schedule)); }
  // The value in force in `month`; `constant` (the plain field) when the key has no schedule.
  double at(std::string_view key, double constant, int month) const {
    if (schedules_.empty()) return constant;
    const DatedSchedule* s = find(key);
    return s ? value_in_force(*s, month) : constant;
  }
  // A yearly rate integrated over the months: prod over months k < month of (1 + rate_k)^(1/12),
  // the rate in force in each month. Undated: (1 + rate)^(month / 12), as before schedules.
  double compound(std::string_view key, double constant, int month) const {
    const DatedSchedule* s = schedules_.empty() ? nullptr : find(key);
    return s ? compound_growth(*s, month) : std::pow(1.0 + constant, month / 12.0);
  }
  // The same over months [from, to): (1 + rate)^((to - from) / 12) when undated.
  double compound(std::string_view key, double constant, int from, int to) const {
    const DatedSchedule* s = schedules_.empty() ? nullptr : find(key);
    return s ? compound_growth(*s, from, to) : std::pow(1.0 + constant, (to - from) / 12.0);
  }
  bool operator==(const DatedFields&) const = default;
  const std::vector<std::pair<std::string, DatedSchedule>>& all() const { return schedules_; }

  static double value_in_force(const DatedSchedule& s, int month);
  static double compound_growth(const DatedSchedule& s, int month) { return compound_growth(s, 0, month); }
  static double compound_growth(const DatedSchedule& s, int from, int to);

 private:
  std::vector<std::pair<std::string, DatedSchedule>> schedules_;
};

// The kinds of mapping that hold datable keys.
enum class DatedOwner { segment, ai_adoption, on_premises, vendor, offer, startup, market };

bool is_datable(DatedOwner owner, std::string_view key);
// For error messages: every datable key, by where it is written ("segments[]: growth, ...").
std::string datable_keys_text();

}  // namespace cm
