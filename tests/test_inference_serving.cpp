// Inference rationed on a vendor's fleet (agents/inference_serving.hpp) against its equations:
// S = min(D, max(0, K - W)), U = D - S.
#include <catch2/catch.hpp>

#include <algorithm>

#include "agents/inference_serving.hpp"

using namespace cm;

TEST_CASE("inference within what training leaves of the fleet is all served", "[inference]") {
  const InferenceService s = serve_inference(3e23, 1e24, 5e23);
  CHECK(s.served_flops == 3e23);
  CHECK(s.unserved_flops == 0.0);  // exactly: nothing rationed
  CHECK(serve_inference(0, 1e24, 0).served_flops == 0.0);
  CHECK(serve_inference(5e23, 1e24, 5e23).unserved_flops == 0.0);  // demand = capacity left
}

TEST_CASE("inference beyond what training leaves is rationed to the capacity left", "[inference]") {
  const InferenceService s = serve_inference(8e23, 1e24, 5e23);
  CHECK(s.served_flops == Approx(5e23).epsilon(1e-15));
  CHECK(s.unserved_flops == Approx(3e23).epsilon(1e-15));
  // A fleet that training fills (or, by rounding, a little more than fills) serves nothing.
  for (double training : {1e24, 1.0000001e24}) {
    const InferenceService full = serve_inference(8e23, 1e24, training);
    CHECK(full.served_flops == 0.0);
    CHECK(full.unserved_flops == 8e23);
  }
}

TEST_CASE("served is min(D, max(0, K - W)) and served + unserved = D over a grid of loads", "[inference]") {
  const double K = 2.6e24;
  for (double d = 0; d <= 3.0; d += 0.125) {
    for (double w = 0; w <= 1.25; w += 0.125) {
      const double D = d * K, W = w * K;
      const InferenceService s = serve_inference(D, K, W);
      CHECK(s.served_flops == Approx(std::min(D, std::max(0.0, K - W))).epsilon(1e-14).margin(1e-3));
      CHECK(s.served_flops + s.unserved_flops == Approx(D).epsilon(1e-14).margin(1e-3));
      CHECK(s.served_flops >= 0.0);
      CHECK(s.unserved_flops >= 0.0);
      CHECK(s.served_flops <= K);
    }
  }
}

TEST_CASE("a month's inference per vendor: tokens of every startup, training on its own hosts", "[inference]") {
  // Two startups on two vendors; vendor 0's fleet is short, vendor 1's is not.
  const std::vector<std::vector<double>> tokens{{2e6, 1e6}, {4e6, 0.0}};  // [startup][vendor], million tokens
  const double per_million = 1e17, month = 2.5e6;
  const std::vector<double> fleet{2e17, 1e17};  // FLOP/s: K = 5e23 and 2.5e23
  const std::vector<ComputeUse> training{{0, 0, 1e23}, {1, 0, 1e23}, {1, 1, 5e22}};
  const auto out = serve_inference_month(tokens, per_million, fleet, month, training);
  REQUIRE(out.size() == 2);
  // Vendor 0: D = 6e6 x 1e17 = 6e23, K - W = 5e23 - 2e23 = 3e23.
  CHECK(out[0].served_flops == Approx(3e23).epsilon(1e-15));
  CHECK(out[0].unserved_flops == Approx(3e23).epsilon(1e-15));
  // Vendor 1: D = 1e23 <= K - W = 2e23.
  CHECK(out[1].served_flops == Approx(1e23).epsilon(1e-15));
  CHECK(out[1].unserved_flops == 0.0);
}
