// Many exponentials at once, for right-hand sides that need several per call (ht_neuron:
// twelve): exp_affine computes exp((x + offset_k)·scale_k) for arrays of coefficients.
//
// The loops are branch-free so that the compiler vectorises them for whatever the enclosing
// function targets (SSE2 pairs by default, four lanes in an avx2 clone). Every element gets
// the same IEEE operations in the same order, so the result does not depend on the vector
// width. (A build for a CPU with FMA, e.g. -march=native, lets GCC fuse a·b + c, which
// changes the last bits.)
//
// exp: exp(a) = 2^n · exp(r) with n = round(a/ln 2) and r = a − n·ln 2 (ln 2 split in a high
// part with trailing zero bits, so n·ln2_hi is exact, and a low part); exp(r), |r| ≤ ln2/2, by
// its Taylor polynomial of degree 13 (truncation < 1e-17 relative), evaluated by Estrin's
// scheme to keep the dependency chain short. For |a| ≤ 708 the result is within 2 ulp of
// glibc's exp (within 1 ulp for 99.4 % of arguments); beyond it 2^n would leave the exponent
// range, so exp_affine falls back to std::exp for an x that could take any argument there.
// NaN stays NaN.
//
// Why not Eigen's Array::exp: measured on the benchmark machine (2026-11-21), ht_neuron costs
// 440 ns per neuron-step with Eigen's vectorised exp against 247 ns with this one: Eigen picks
// its packet width at compile time (SSE2 here) and cannot follow the avx2 clone.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "engine/ode/lanes.hpp"

namespace nestling::ode {

// The largest |a| for which exp_reduced is accurate.
inline constexpr double exp_reduced_limit = 708.0;

// For double and for Lanes<W> (engine/ode/lanes.hpp): the same operations lane by lane.
template <class D>
NESTLING_ALWAYS_INLINE D exp_reduced_of(D a) {
  constexpr double log2e = 1.4426950408889634074;
  constexpr double round_shift = 6755399441055744.0;  // 1.5·2^52: adding it rounds to an integer
  constexpr std::int64_t round_shift_bits = 0x4338000000000000LL;
  constexpr double ln2_hi = 6.93147180369123816490e-01;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  const D shifted = a * log2e + round_shift;
  const D n = shifted - round_shift;
  const D r = (a - n * ln2_hi) - n * ln2_lo;
  // Estrin: sum of r^k/k!, k = 0..13, as pairs (c_k + c_{k+1} r) combined with r², r⁴, r⁸.
  const D r2 = r * r;
  const D r4 = r2 * r2;
  const D r8 = r4 * r4;
  const D p0_3 = (1.0 + r) + r2 * (0.5 + r * (1.0 / 6.0));
  const D p4_7 = ((1.0 / 24.0) + r * (1.0 / 120.0)) + r2 * ((1.0 / 720.0) + r * (1.0 / 5040.0));
  const D p8_11 = ((1.0 / 40320.0) + r * (1.0 / 362880.0)) + r2 * ((1.0 / 3628800.0) + r * (1.0 / 39916800.0));
  const D p12_13 = (1.0 / 479001600.0) + r * (1.0 / 6227020800.0);
  const D p = (p0_3 + r4 * p4_7) + r8 * (p8_11 + r4 * p12_13);
  // The low bits of `shifted` hold n; n + 1023 in the exponent field is 2^n.
  const auto scale_bits = (bits_of(shifted) - round_shift_bits + 1023) << 52;
  return p * from_bits<D>(scale_bits);
}

inline double exp_reduced(double a) { return exp_reduced_of(a); }

// The largest |x| for which every (x + offset[k])·scale[k] lies within ±exp_reduced_limit
// (negative if there is none).
template <std::size_t N>
double exp_affine_safe_range(const std::array<double, N>& offset, const std::array<double, N>& scale) {
  double range = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < N; ++k)
    if (scale[k] != 0.0) range = std::min(range, exp_reduced_limit / std::fabs(scale[k]) - std::fabs(offset[k]));
  return range;
}

// out[k] = exp((x + offset[k]) * scale[k]). `safe_range` comes from exp_affine_safe_range; an x
// beyond it takes the slow exact path.
template <std::size_t N>
inline void exp_affine(double x, const std::array<double, N>& offset, const std::array<double, N>& scale,
                       std::array<double, N>& out, double safe_range) {
  if (std::fabs(x) <= safe_range) {
    for (std::size_t k = 0; k < N; ++k) out[k] = exp_reduced((x + offset[k]) * scale[k]);
  } else {
    for (std::size_t k = 0; k < N; ++k) out[k] = std::exp((x + offset[k]) * scale[k]);
  }
}

// out[k] = num[k] / (1 + e[k]) for k < M: logistic functions from their exponentials.
template <std::size_t M, std::size_t N>
inline void over_one_plus(const std::array<double, M>& num, const std::array<double, N>& e,
                          std::array<double, M>& out) {
  static_assert(M <= N);
  for (std::size_t k = 0; k < M; ++k) out[k] = num[k] / (1.0 + e[k]);
}

}  // namespace nestling::ode
