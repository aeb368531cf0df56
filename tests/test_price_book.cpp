#include <catch2/catch.hpp>

#include "agents/price_book.hpp"

using namespace cm;

namespace {
Scenario two_vendors() {
  Scenario sc;
  sc.products = {{"iaas_cpu", "vcpu_hour", ProductKind::compute}};
  Vendor a, b;
  a.id = "a";
  b.id = "b";
  a.offers = {{0.04, 0.03, 1e9, 0}};
  b.offers = {{0.05, 0.03, 1e9, 0}};
  sc.vendors = {a, b};
  return sc;
}
}  // namespace

TEST_CASE("a price change takes effect at the start of the next month, even when announced at a month start",
          "[price_book]") {
  const Scenario sc = two_vendors();
  const Calendar cal({2023, 1, 1});
  PriceBook book(sc, cal);
  const double feb = cal.month_start_seconds(1), mar = cal.month_start_seconds(2);
  book.announce(0, 0, feb, 0.03, "test");  // announced at the first instant of February
  CHECK(book.in_force(0, 0, feb) == 0.04);  // everything at that instant still sees the old price
  CHECK(book.in_force(0, 0, mar - 1) == 0.04);
  CHECK(book.in_force(0, 0, mar) == 0.03);
  CHECK(book.in_force(1, 0, mar) == 0.05);

  book.announce(0, 0, feb + 86400, 0.02, "test");  // later in the same month: the last one wins
  CHECK(book.in_force(0, 0, mar) == 0.02);
  const auto changes = book.take_changes();
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].old_price == 0.04);
  CHECK(changes[0].effective_seconds == mar);
  CHECK(book.take_changes().empty());
}
