#pragma once
// The calendar maps the SimGrid clock (seconds since the scenario's start date) to dates.
// Months are calendar months: billing and output periods fall on the same day of each month.
#include <cstdint>
#include <optional>
#include <string>

namespace cm {

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  bool operator==(const Date&) const = default;
};

constexpr double kSecondsPerDay = 86400.0;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(const Date& date);
Date civil_from_days(std::int64_t days);
std::optional<Date> parse_date(const std::string& iso);  // "YYYY-MM-DD", validated
std::string to_iso(const Date& date);

// A span of calendar time as scenarios write it: "3 months", "1 year", "2 weeks", "10 days".
struct Duration {
  int months = 0;    // calendar months (a year is 12)
  double days = 0;   // plus whole or fractional days
  bool operator==(const Duration&) const = default;
};
// What parse_duration accepts (an ECMAScript and std::regex pattern): "3 months", "1 year", "10 days".
inline constexpr const char* kDurationPattern =
    R"(\s*(\d+(?:\.\d+)?)\s*(day|days|week|weeks|month|months|year|years)\s*)";
std::optional<Duration> parse_duration(const std::string& text);
std::string to_string(const Duration& duration);

class Calendar {
 public:
  explicit Calendar(Date start) : start_(start), start_days_(days_from_civil(start)) {}

  const Date& start() const { return start_; }
  // The date `months` calendar months after the start; the day is clamped to the month's length.
  Date add_months(int months) const;
  // Seconds from the start to the start of month `m` (m = 0 is the start itself).
  double month_start_seconds(int m) const;
  double seconds_of(const Date& date) const {
    return double(days_from_civil(date) - start_days_) * kSecondsPerDay;
  }
  // The month (0-based) that contains the instant `seconds` >= 0.
  int month_containing(double seconds) const;
  // The instant `duration` after `seconds`: calendar months keep the offset into the month.
  double advance(double seconds, const Duration& duration) const;
  // The instant `duration` before `seconds` (never before the start).
  double retreat(double seconds, const Duration& duration) const;
  Date date_at(double seconds) const;

 private:
  Date start_;
  std::int64_t start_days_;
};

}  // namespace cm
