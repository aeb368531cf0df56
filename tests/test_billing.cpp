// Billing and the books: what customers pay is what vendors earn, capacity binds pro rata, and
// quantities respond to price with the segment's constant elasticity.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "agents/billing.hpp"

using namespace cm;

namespace {
double total(const Grid& g) { return std::accumulate(g.values().begin(), g.values().end(), 0.0); }
}  // namespace

TEST_CASE("customers' payments equal vendors' revenue, and revenue is price times quantity", "[billing]") {
  // 2 segments, 2 vendors, 2 products: spend wanted at reference prices.
  Grid a(2, 2), b(2, 2);
  a(0, 0) = 70; a(0, 1) = 30; a(1, 0) = 28; a(1, 1) = 12;
  b(0, 0) = 6;  b(0, 1) = 24; b(1, 0) = 14; b(1, 1) = 56;
  Grid prices(2, 2);
  prices(0, 0) = 0.04; prices(0, 1) = 3.0;
  prices(1, 0) = 0.05; prices(1, 1) = 2.5;
  const std::vector<double> reference{0.045, 2.75};
  for (double e1 : {1.0, 0.0, 1.7}) {
    const Bill bill = bill_month({a, b}, {e1, 0.5}, reference, prices, Grid(2, 2, 1e12));
    const double paid = std::accumulate(bill.segment_spend.begin(), bill.segment_spend.end(), 0.0);
    CHECK(paid == Approx(total(bill.revenue)).epsilon(1e-12));
    for (std::size_t v = 0; v < 2; ++v)
      for (std::size_t p = 0; p < 2; ++p) CHECK(bill.revenue(v, p) == Approx(prices(v, p) * bill.quantity(v, p)));
  }
  const Bill fixed_spend = bill_month({a, b}, {1.0, 1.0}, reference, prices, Grid(2, 2, 1e12));
  CHECK(total(fixed_spend.revenue) == Approx(total(a) + total(b)));
  CHECK(fixed_spend.quantity(0, 0) == Approx((70 + 6) / 0.04));
}

TEST_CASE("quantities follow a constant price elasticity", "[billing]") {
  const Grid wanted(1, 1, 100.0);
  const std::vector<double> reference{2.0};
  for (double e : {0.0, 0.5, 1.0, 2.0}) {
    const Bill low = bill_month({wanted}, {e}, reference, Grid(1, 1, 2.0), Grid(1, 1, 1e12));
    const Bill high = bill_month({wanted}, {e}, reference, Grid(1, 1, 4.0), Grid(1, 1, 1e12));
    // Doubling the price scales quantity by 2^-e.
    CHECK(high.quantity(0, 0) / low.quantity(0, 0) == Approx(std::pow(2.0, -e)));
  }
}

TEST_CASE("demand above capacity is served pro rata and only what is served is paid", "[billing]") {
  const Grid wanted(1, 1, 1000.0);
  const Bill bill = bill_month({wanted}, {1.0}, {2.0}, Grid(1, 1, 2.0), Grid(1, 1, 100.0));  // 500 units wanted
  CHECK(bill.wanted(0, 0) == Approx(500));
  CHECK(bill.quantity(0, 0) == Approx(100));
  CHECK(bill.served(0, 0) == Approx(0.2));
  CHECK(bill.revenue(0, 0) == Approx(200));
  CHECK(bill.segment_spend[0] == Approx(200));
}
