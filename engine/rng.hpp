// Random streams keyed by what they belong to, never by thread.
//
// Every stream is seeded from a hash of (kernel seed, purpose, key, subkey), so a node's or a
// projection driver's draws are the same whatever the number of threads and whatever else
// draws elsewhere. The generator is xoshiro256++ (Blackman & Vigna 2019): 32 bytes of state,
// period 2^256 - 1, passes BigCrush, seeded by SplitMix64. Every node that draws owns a stream
// and a projection reseeds one per driving node, so the state must be small and cheap to seed:
// a Mersenne Twister (2.5 kB, 312 words to seed) made the sleep network's node streams 72 MB
// of cache misses. Boost 1.74 has no generator of this size and quality.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#include <boost/random/poisson_distribution.hpp>

namespace nestling {

// SplitMix64's output function: a bijective 64-bit mix.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Xoshiro256pp {
 public:
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }

  explicit Xoshiro256pp(std::uint64_t seed_value = 0) { seed(seed_value); }

  // The state is four successive SplitMix64 outputs from seed_value (never all zero).
  void seed(std::uint64_t seed_value) {
    for (std::size_t i = 0; i < s_.size(); ++i) s_[i] = mix64(seed_value + i * 0x9e3779b97f4a7c15ULL);
  }

  result_type operator()() {
    const std::uint64_t result = std::rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

 private:
  std::array<std::uint64_t, 4> s_{};
};

using Rng = Xoshiro256pp;

enum class StreamPurpose : std::uint64_t {
  node = 1,             // a node's own stream (Poisson input drawn for it, stochastic models)
  projection_driver = 2,// topology: one stream per (projection, driving node)
  connect_rule = 3,     // non-spatial connect rules: one stream per (connect call, node)
  unit_selection = 4,   // frontend: reproducible choice of units (proportion)
};

inline std::uint64_t stream_seed(std::uint64_t seed, StreamPurpose purpose, std::uint64_t key,
                                 std::uint64_t subkey = 0) {
  std::uint64_t h = mix64(seed);
  h = mix64(h ^ static_cast<std::uint64_t>(purpose));
  h = mix64(h ^ key);
  h = mix64(h ^ subkey);
  return h;
}

inline Rng make_stream(std::uint64_t seed, StreamPurpose purpose, std::uint64_t key, std::uint64_t subkey = 0) {
  return Rng(stream_seed(seed, purpose, key, subkey));
}

// A Poisson deviate with the given mean. (GCC 12 warns about a member of Boost's PTRD state that
// is set whenever it is read; the pragma keeps that false positive out of -Werror builds.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// Poisson deviates of one mean; set up once, drawn many times.
class PoissonDraw {
 public:
  explicit PoissonDraw(double mean) : dist_(mean) {}
  long operator()(Rng& rng) { return dist_(rng); }

 private:
  boost::random::poisson_distribution<long, double> dist_;
};

inline long poisson(Rng& rng, double mean) { return PoissonDraw(mean)(rng); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// Uniform double in [0, 1) from 53 random bits.
inline double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// A standard normal deviate by the polar Box–Muller method, as NEST 2.20's NormalRandomDev
// draws it: v = 2u − 1 for two uniforms until 0 < s = v1² + v2² < 1, then v1·sqrt(−2 ln s / s);
// the second deviate of the pair is discarded. (s = 0 is rejected too, which NEST does not do,
// so that log(0) can never give a NaN; it has probability 2^-106.)
inline double standard_normal_polar(Rng& rng) {
  double v1 = 0.0, s = 0.0;
  do {
    v1 = 2.0 * uniform01(rng) - 1.0;
    const double v2 = 2.0 * uniform01(rng) - 1.0;
    s = v1 * v1 + v2 * v2;
  } while (s >= 1.0 || s == 0.0);
  return v1 * std::sqrt(-2.0 * std::log(s) / s);
}

}  // namespace nestling
