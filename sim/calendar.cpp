#include "sim/calendar.hpp"

#include <cmath>
#include <cstdio>
#include <regex>

namespace cm {

namespace {
bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}
}  // namespace

std::int64_t days_from_civil(const Date& date) {
  const std::int64_t y = date.year - (date.month <= 2);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (date.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = int(doy - (153 * mp + 2) / 5 + 1);
  const int month = int(mp < 10 ? mp + 3 : mp - 9);
  return Date{int(yoe + era * 400 + (month <= 2)), month, day};
}

namespace {
// Compiled once per process, when it starts (std::regex takes ~0.1 ms a pattern): in the batch
// worker that is before the fork, so no run compiles them again.
const std::regex kIso(R"((\d{4})-(\d{2})-(\d{2}))");
const std::regex kDuration(kDurationPattern);
}  // namespace

std::optional<Date> parse_date(const std::string& iso) {
  std::smatch m;
  if (!std::regex_match(iso, m, kIso)) return std::nullopt;
  const Date d{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
  if (d.year < 1900 || d.year > 2200 || d.month < 1 || d.month > 12 || d.day < 1 ||
      d.day > days_in_month(d.year, d.month))
    return std::nullopt;
  return d;
}

std::string to_iso(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::optional<Duration> parse_duration(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, kDuration)) return std::nullopt;
  const double n = std::stod(m[1]);
  const std::string unit = m[2];
  Duration d;
  if (unit.starts_with("day")) {
    d.days = n;
  } else if (unit.starts_with("week")) {
    d.days = 7 * n;
  } else {
    const double months = unit.starts_with("month") ? n : 12 * n;
    if (months != std::floor(months) || months > 1200) return std::nullopt;  // whole months only
    d.months = int(months);
  }
  return d;  // may be zero ("0 days"): callers that need a positive span check it
}

std::string to_string(const Duration& d) {
  char buf[64];
  if (d.months > 0 && d.days == 0) {
    std::snprintf(buf, sizeof buf, d.months % 12 == 0 ? "%d year%s" : "%d month%s",
                  d.months % 12 == 0 ? d.months / 12 : d.months,
                  (d.months == 1 || d.months == 12) ? "" : "s");
  } else if (d.months == 0 && d.days == 0) {
    return "0 days";
  } else if (d.months == 0) {
    std::snprintf(buf, sizeof buf, "%g day%s", d.days, d.days == 1 ? "" : "s");
  } else {
    return "invalid";  // parse_duration never produces both
  }
  return buf;
}

Date Calendar::add_months(int months) const {
  const int total = start_.year * 12 + (start_.month - 1) + months;
  Date d{total / 12, total % 12 + 1, start_.day};
  d.day = std::min(d.day, days_in_month(d.year, d.month));
  return d;
}

double Calendar::month_start_seconds(int m) const { return seconds_of(add_months(m)); }

int Calendar::month_containing(double seconds) const {
  const Date d = date_at(seconds);
  int m = (d.year - start_.year) * 12 + (d.month - start_.month);
  // The day-of-month of the start moves the boundaries: step to the month that really holds it.
  while (m > 0 && month_start_seconds(m) > seconds) --m;
  while (month_start_seconds(m + 1) <= seconds) ++m;
  return m;
}

double Calendar::advance(double seconds, const Duration& duration) const {
  if (duration.months == 0) return seconds + duration.days * kSecondsPerDay;
  const int m = month_containing(seconds);
  return month_start_seconds(m + duration.months) + (seconds - month_start_seconds(m));
}

double Calendar::retreat(double seconds, const Duration& duration) const {
  if (duration.months == 0) return std::max(0.0, seconds - duration.days * kSecondsPerDay);
  const int m = month_containing(seconds);
  if (m < duration.months) return 0.0;
  return month_start_seconds(m - duration.months) + (seconds - month_start_seconds(m));
}

Date Calendar::date_at(double seconds) const {
  return civil_from_days(start_days_ + std::int64_t(std::floor(seconds / kSecondsPerDay)));
}

}  // namespace cm
