#include <catch2/catch.hpp>

#include <cmath>

#include "sim/rng.hpp"

using namespace cm;

TEST_CASE("random streams are keyed by seed, agent and purpose", "[rng]") {
  const RandomStream a(42, "segment:finance", "budget");
  CHECK(a.uniform(7, 3) == RandomStream(42, "segment:finance", "budget").uniform(7, 3));
  CHECK(a.uniform(7, 3) != RandomStream(43, "segment:finance", "budget").uniform(7, 3));
  CHECK(a.uniform(7, 3) != RandomStream(42, "segment:retail", "budget").uniform(7, 3));
  CHECK(a.uniform(7, 3) != RandomStream(42, "segment:finance", "renewal").uniform(7, 3));
  CHECK(a.uniform(7, 3) != a.uniform(8, 3));
  CHECK(a.uniform(7, 3) != a.uniform(7, 4));
}

TEST_CASE("uniform draws are in (0,1) with the right mean; normals have unit variance", "[rng]") {
  const RandomStream s(1, "test", "moments");
  const int n = 200000;
  double sum = 0, sum_z = 0, sum_z2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform(i, 0);
    REQUIRE(u > 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    const double z = s.normal(i, 1);
    sum_z += z;
    sum_z2 += z * z;
  }
  CHECK(sum / n == Approx(0.5).margin(0.005));
  CHECK(sum_z / n == Approx(0.0).margin(0.01));
  CHECK(sum_z2 / n == Approx(1.0).margin(0.01));
}
