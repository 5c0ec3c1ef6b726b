// Many exponentials at once, for right-hand sides that need several per call (ht_neuron:
// twelve): exp_affine computes exp(x·scale_k + shift_k) for arrays of coefficients.
//
// The loops are branch-free so that the compiler vectorises them for whatever the enclosing
// function targets (SSE2 pairs by default, four lanes in an x86-64-v3 clone). Every element gets
// the same IEEE operations in the same order, so the result does not depend on the vector
// width. The reduction, the polynomial and the reconstruction use fused multiply-adds
// (ode::fma_of): one rounding fewer each, and on the benchmark machine (2026-12-03) 6–14% less
// time per neuron-step on the AVX-512 and AVX2 paths.
//
// exp: exp(a) = 2^m · 2^(j/16) · exp(r) with n = round(16 a/ln 2) = 16 m + j (0 ≤ j < 16) and
// r = a − (n/16)·ln2 (ln 2 split in a high part with trailing zero bits, so (n/16)·hi is exact,
// and a low part); 2^(j/16) from a 16-entry table (one two-register permute with AVX-512), and
// exp(r) − 1, |r| ≤ ln2/32, by a minimax polynomial of degree 6 (relative error of exp at most
// 1.2e-17) in Estrin's scheme, added to the table value last so that its rounding counts
// once. For |a| ≤ 708 the result is within 2 ulp of glibc's exp; beyond it 2^m would leave
// the exponent range, so exp_affine falls back to std::exp for an x that could take any
// argument there.
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

// 2^(j/16), correctly rounded.
alignas(64) inline constexpr double exp2_sixteenths[16] = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0,
};

// For double and for Lanes<W> (engine/ode/lanes.hpp): the same operations lane by lane.
template <class D>
NESTLING_ALWAYS_INLINE D exp_reduced_of(D a) {
  // n/16 = m + j/16 is rounded in place: adding 1.5·2^48 leaves sixteenths as the last bits.
  constexpr double inv_ln2 = 23.083120654223414518 / 16.0;  // 16/ln2, scaled exactly
  constexpr double sixteenths_shift = 6755399441055744.0 / 16.0;
  constexpr std::int64_t sixteenths_shift_bits = 0x42F8000000000000LL;
  // ln 2 in a high part with trailing zero bits (so that (n/16)·hi is exact) and a low part.
  constexpr double ln2_hi = 6.93147180369123816490e-01;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  const auto S = [](double x) { return splat<D>(x); };
  const D shifted = fma_of(a, S(inv_ln2), S(sixteenths_shift));
  const D n16 = shifted - sixteenths_shift;
  const D r = fma_of(n16, S(-ln2_lo), fma_of(n16, S(-ln2_hi), a));
  // exp(r) − 1 ≈ r + r²·(c₂ + c₃r + c₄r² + c₅r³ + c₆r⁴), minimax for exp's relative error on
  // |r| ≤ ln2/32 (at most 1.2e-17), in Estrin's scheme.
  const D r2 = r * r;
  const D p01 = fma_of(r, S(0x1.555555548f74fp-3), S(0x1.fffffffffffb9p-2));
  const D p23 = fma_of(r, S(0x1.11123abd8c085p-7), S(0x1.55555558fd05ap-5));
  const D q = fma_of(r2, fma_of(r2, fma_of(r2, S(0x1.6c14c6d1defd6p-10), p23), p01), r);
#if defined(__AVX512F__)
  if constexpr (width_of<D> == 8) {
    // The same bits in four instructions fewer: the permute reads only the low four bits of
    // its index, which `shifted` holds (j), and vscalefpd multiplies by 2^floor(n/16) = 2^m
    // with the multiplication's rounding.
    const D table = _mm512_permutex2var_pd(_mm512_load_pd(exp2_sixteenths), reinterpret_cast<__m512i>(shifted),
                                           _mm512_load_pd(exp2_sixteenths + 8));
    const D x = fma_of(table, q, table);
    // _mm512_scalef_pd's undefined pass-through trips GCC 12's uninitialized check.
    return __builtin_ia32_scalefpd512_mask(x, n16, x, static_cast<__mmask8>(-1), _MM_FROUND_CUR_DIRECTION);
  }
#endif
  // The low bits of `shifted` hold n = 16 m + j; (m + 1023) in the exponent field is 2^m
  // (biased by 16·1023 first so that the shift needs no sign).
  const auto n_bits = bits_of(shifted) - sixteenths_shift_bits;
  const D table = lookup16<D>(exp2_sixteenths, n_bits & 15);
  const auto scale_bits = ((n_bits + 16 * 1023) & ~std::int64_t{15}) << 48;
  return fma_of(table, q, table) * from_bits<D>(scale_bits);
}

inline double exp_reduced(double a) { return exp_reduced_of(a); }

// The largest |x| for which every x·scale[k] + shift[k] lies within ±exp_reduced_limit
// (negative if there is none).
template <std::size_t N>
double exp_affine_safe_range(const std::array<double, N>& scale, const std::array<double, N>& shift) {
  double range = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < N; ++k) {
    if (scale[k] != 0.0) {
      range = std::min(range, (exp_reduced_limit - std::fabs(shift[k])) / std::fabs(scale[k]));
    } else if (std::fabs(shift[k]) > exp_reduced_limit) {
      range = -1.0;
    }
  }
  return range;
}

// out[k] = exp(x·scale[k] + shift[k]) for k in [first, end), the argument fused (one rounding).
// `safe_range` comes from exp_affine_safe_range; an x beyond it takes the slow exact path (the
// same path for every k, so that a range computed in parts equals one computed whole).
template <std::size_t first = 0, std::size_t end = 0, std::size_t N>
inline void exp_affine(double x, const std::array<double, N>& scale, const std::array<double, N>& shift,
                       std::array<double, N>& out, double safe_range) {
  constexpr std::size_t stop = end == 0 ? N : end;
  static_assert(first <= stop && stop <= N);
  if (std::fabs(x) <= safe_range) {
    for (std::size_t k = first; k < stop; ++k) out[k] = exp_reduced(fma_of(x, scale[k], shift[k]));
  } else {
    for (std::size_t k = first; k < stop; ++k) out[k] = std::exp(fma_of(x, scale[k], shift[k]));
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
