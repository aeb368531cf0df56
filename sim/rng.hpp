#pragma once
// Counter-based random streams (Random123 Philox4x64-10).
//
// A stream is keyed by (seed, agent, purpose); a draw is addressed by a counter (index, step).
// Nothing is consumed sequentially, so adding an agent, a purpose or a draw somewhere never shifts
// any other draw, and the order in which actors run cannot change a result.
#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace cm {

// FNV-1a, 64 bit: a stable hash of ids (std::hash is not stable across implementations).
constexpr std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::string_view agent, std::string_view purpose)
      : key_{{seed, stable_hash(agent) ^ (stable_hash(purpose) * 0x9E3779B97F4A7C15ull)}} {}

  // The four 64-bit words of the draw addressed by (index, step).
  std::array<std::uint64_t, 4> bits(std::uint64_t index, std::uint64_t step) const {
    const r123::Philox4x64::ctr_type ctr = {{index, step, 0, 0}};
    const auto words = r123::Philox4x64()(ctr, key_);
    return {words[0], words[1], words[2], words[3]};
  }

  // Four independent uniforms in the open interval (0, 1) for the draw addressed by (index, step).
  std::array<double, 4> uniforms(std::uint64_t index, std::uint64_t step) const {
    const auto words = bits(index, step);
    std::array<double, 4> u{};
    for (int k = 0; k < 4; ++k) u[k] = to_open_unit(words[k]);
    return u;
  }

  double uniform(std::uint64_t index, std::uint64_t step) const { return uniforms(index, step)[0]; }

  // A standard normal (Box-Muller on the first two uniforms of the draw).
  double normal(std::uint64_t index, std::uint64_t step) const {
    const auto u = uniforms(index, step);
    return std::sqrt(-2.0 * std::log(u[0])) * std::cos(6.283185307179586 * u[1]);
  }

  // 53 random bits, centred in their cell: never exactly 0 or 1.
  static double to_open_unit(std::uint64_t bits) { return (double(bits >> 11) + 0.5) * 0x1.0p-53; }

 private:

  r123::Philox4x64::key_type key_;
};

}  // namespace cm
