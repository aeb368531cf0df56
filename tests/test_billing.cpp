// Billing and the books: what customers pay is what vendors earn, and capacity binds pro rata.
#include <catch2/catch.hpp>

#include <numeric>

#include "agents/billing.hpp"

using namespace cm;

namespace {
double total(const Grid& g) { return std::accumulate(g.values().begin(), g.values().end(), 0.0); }
}  // namespace

TEST_CASE("customers' payments equal vendors' revenue, and revenue is price times quantity", "[billing]") {
  Grid budget(2, 3);  // 2 segments x (on-premises + 2 vendors)
  budget(0, 0) = 50; budget(0, 1) = 100; budget(0, 2) = 40;
  budget(1, 0) = 10; budget(1, 1) = 30;  budget(1, 2) = 70;
  Grid shares(2, 2);
  shares(0, 0) = 0.7; shares(0, 1) = 0.3;
  shares(1, 0) = 0.2; shares(1, 1) = 0.8;
  Grid prices(2, 2);
  prices(0, 0) = 0.04; prices(0, 1) = 3.0;
  prices(1, 0) = 0.05; prices(1, 1) = 2.5;
  const Grid capacity(2, 2, 1e12);

  const Bill bill = bill_month(budget, shares, prices, capacity);
  const double paid = std::accumulate(bill.segment_spend.begin(), bill.segment_spend.end(), 0.0);
  CHECK(paid == Approx(total(bill.revenue)).epsilon(1e-12));
  CHECK(paid == Approx(100 + 40 + 30 + 70).epsilon(1e-12));  // on-premises spend is not cloud revenue
  for (std::size_t v = 0; v < 2; ++v)
    for (std::size_t p = 0; p < 2; ++p) CHECK(bill.revenue(v, p) == Approx(prices(v, p) * bill.quantity(v, p)));
  CHECK(bill.quantity(0, 0) == Approx((0.7 * 100 + 0.2 * 30) / 0.04));
}

TEST_CASE("demand above capacity is served pro rata and only what is served is paid", "[billing]") {
  Grid budget(1, 2);
  budget(0, 1) = 1000;  // one vendor, all spend on it
  const Grid shares(1, 1, 1.0);
  const Grid prices(1, 1, 2.0);
  Grid capacity(1, 1, 100.0);  // 500 units wanted
  const Bill bill = bill_month(budget, shares, prices, capacity);
  CHECK(bill.quantity(0, 0) == Approx(100));
  CHECK(bill.revenue(0, 0) == Approx(200));
  CHECK(bill.segment_spend[0] == Approx(200));
}
