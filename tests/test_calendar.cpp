#include <catch2/catch.hpp>

#include "sim/calendar.hpp"

using namespace cm;

TEST_CASE("dates round-trip through day numbers", "[calendar]") {
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({2000, 3, 1}) == 11017);
  for (std::int64_t d = -1000; d < 40000; d += 37) CHECK(days_from_civil(civil_from_days(d)) == d);
}

TEST_CASE("dates parse strictly", "[calendar]") {
  CHECK(parse_date("2024-02-29") == Date{2024, 2, 29});
  CHECK_FALSE(parse_date("2023-02-29"));
  CHECK_FALSE(parse_date("2023-13-01"));
  CHECK_FALSE(parse_date("2023-1-1"));
  CHECK_FALSE(parse_date("yesterday"));
  CHECK(to_iso({2023, 5, 21}) == "2023-05-21");
}

TEST_CASE("durations parse into calendar months or days", "[calendar]") {
  CHECK(parse_duration("3 months") == Duration{3, 0});
  CHECK(parse_duration("1 year") == Duration{12, 0});
  CHECK(parse_duration("2 weeks") == Duration{0, 14});
  CHECK(parse_duration("10 days") == Duration{0, 10});
  CHECK_FALSE(parse_duration("1.5 months"));
  CHECK(parse_duration("0 days") == Duration{0, 0});
  CHECK(to_string(Duration{0, 0}) == "0 days");
  CHECK_FALSE(parse_duration("3 fortnights"));
  CHECK(to_string(Duration{3, 0}) == "3 months");
  CHECK(to_string(Duration{24, 0}) == "2 years");
  CHECK(parse_duration(to_string(Duration{0, 7})) == Duration{0, 7});
}

TEST_CASE("calendar months have their real lengths", "[calendar]") {
  const Calendar cal({2023, 1, 1});
  CHECK(cal.month_start_seconds(0) == 0);
  CHECK(cal.month_start_seconds(1) == 31 * kSecondsPerDay);
  CHECK(cal.month_start_seconds(2) == 59 * kSecondsPerDay);   // February 2023 has 28 days
  CHECK(cal.month_start_seconds(14) == (365 + 31 + 29) * kSecondsPerDay);  // to 2024-03-01
  CHECK(cal.date_at(cal.month_start_seconds(14)) == Date{2024, 3, 1});
  CHECK(cal.advance(0, Duration{3, 0}) == cal.month_start_seconds(3));
  CHECK(cal.advance(cal.month_start_seconds(1), Duration{0, 10}) == cal.month_start_seconds(1) + 10 * kSecondsPerDay);
  for (int m = 0; m < 30; ++m) {
    CHECK(cal.month_containing(cal.month_start_seconds(m)) == m);
    CHECK(cal.month_containing(cal.month_start_seconds(m + 1) - 1) == m);
  }
  const Calendar end_of_month({2023, 1, 31});
  CHECK(end_of_month.month_containing(end_of_month.month_start_seconds(1)) == 1);   // 2023-02-28
  CHECK(end_of_month.month_containing(end_of_month.month_start_seconds(2) - 1) == 1);
  CHECK(end_of_month.add_months(1) == Date{2023, 2, 28});  // clamped to the month's length
}
