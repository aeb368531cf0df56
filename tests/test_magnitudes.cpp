// Magnitude bounds (docs/scenario.md, "Magnitudes"): a positive price never falls below
// limits::kMinPrice, whatever chain of cuts announces it, so quantity = spend / price stays finite.
#include <catch2/catch.hpp>

#include <cmath>

#include "agents/billing.hpp"
#include "agents/price_book.hpp"

using namespace cm;

TEST_CASE("a positive price announced below the minimum is raised to it; a free product stays free",
          "[magnitudes]") {
  Scenario sc;
  sc.products = {{"iaas_cpu", "vcpu_hour", ProductKind::compute}};
  Vendor a;
  a.id = "a";
  Offer offer;
  offer.price = 0.04;
  offer.unit_cost = 0.03;
  offer.capacity = 1e9;
  a.offers = {offer};
  sc.vendors = {a};
  const Calendar cal({2023, 1, 1});
  PriceBook book(sc, cal);
  double price = book.latest(0, 0);
  for (int month = 0; month < 60; ++month) {  // 60 cuts of 99.999%: 0.04 x 1e-300 without the floor
    price = book.latest(0, 0) * 1e-5;
    book.announce(0, 0, cal.month_start_seconds(month), price, "test");
  }
  CHECK(book.latest(0, 0) == limits::kMinPrice);
  CHECK(book.in_force(0, 0, cal.month_start_seconds(61)) == limits::kMinPrice);
  book.announce(0, 0, cal.month_start_seconds(61), 0.0, "test");
  CHECK(book.latest(0, 0) == 0.0);

  // At the floor, a month's bill of the largest spends stays finite.
  const Grid prices(1, 1, limits::kMinPrice), capacity(1, 1, 1e18);
  Grid wanted(1, 1, 1e200);
  const Bill bill = bill_month({wanted}, {1.0}, {0.04}, prices, capacity);
  CHECK(std::isfinite(bill.quantity(0, 0)));
  CHECK(std::isfinite(bill.revenue(0, 0)));
  CHECK(bill.quantity(0, 0) == Approx(1e18));
}
