// Numbers that hold one double per lane, for integrating several neurons per instruction, and
// the few operations a right-hand side needs written once for `double` and for lanes.
//
// Lanes<W> is GCC's vector extension: + − × ÷ and comparisons act lane by lane and compile to
// whatever the translation unit targets (8 lanes in one AVX-512 register, 4 in AVX2, 2 in SSE2).
// Every lane gets the IEEE operation the scalar code applies, in the same order, and the build
// forbids implicit fused multiply-adds (-ffp-contract=off; fma_of fuses explicitly, on every
// path alike), so a lane computes the scalar code's bits.
// A comparison gives a LaneMask<W> (all bits set where true).
//
// One rule keeps the per-ISA builds apart: each lane count W is instantiated by exactly one
// translation unit (models/ht_neuron_lanes_*.cpp), so no function of Lanes<W> is compiled twice
// under different instruction sets. Functions on plain doubles that lane code calls are marked
// always_inline for the same reason: an out-of-line copy built with AVX-512 must never be the one
// the linker keeps for the scalar code.
#pragma once

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <type_traits>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#define NESTLING_ALWAYS_INLINE inline __attribute__((always_inline))

namespace nestling::ode {

template <int W>
struct LaneTypes {
  static_assert(W == 2 || W == 4 || W == 8);
  typedef double Value __attribute__((vector_size(W * sizeof(double))));
  typedef std::int64_t Mask __attribute__((vector_size(W * sizeof(double))));
};
template <int W>
using Lanes = typename LaneTypes<W>::Value;
template <int W>
using LaneMask = typename LaneTypes<W>::Mask;

template <class D>
inline constexpr bool is_scalar = std::is_same_v<D, double>;

// The number of lanes of D (1 for double).
template <class D>
inline constexpr int width_of = static_cast<int>(sizeof(D) / sizeof(double));

// The mask type of D: bool for double.
template <class D>
struct MaskTypeOf {
  using type = LaneMask<width_of<D>>;
};
template <>
struct MaskTypeOf<double> {
  using type = bool;
};
template <class D>
using MaskOf = typename MaskTypeOf<D>::type;

template <class D>
NESTLING_ALWAYS_INLINE D splat(double x) {
  if constexpr (is_scalar<D>) {
    return x;
  } else {
    return D{} + x;
  }
}

// m ? a : b lane by lane.
NESTLING_ALWAYS_INLINE double select(bool m, double a, double b) { return m ? a : b; }
template <class M, class D>
NESTLING_ALWAYS_INLINE D select(M m, D a, D b) {
  return m ? a : b;
}

// std::min's rule, b < a ? b : a (a NaN `a` stays).
template <class D>
NESTLING_ALWAYS_INLINE D min_of(D a, D b) {
  if constexpr (is_scalar<D>) {
    return b < a ? b : a;
  } else {
    return select(b < a, b, a);
  }
}

// The larger of a and b; a where b is NaN (min_of's twin).
template <class D>
NESTLING_ALWAYS_INLINE D max_of(D a, D b) {
  if constexpr (is_scalar<D>) {
    return b > a ? b : a;
  } else {
    return select(b > a, b, a);
  }
}

template <class D>
NESTLING_ALWAYS_INLINE D abs_of(D x) {
  if constexpr (is_scalar<D>) {
    return std::fabs(x);
  } else {
    using M = MaskOf<D>;
    return reinterpret_cast<D>(reinterpret_cast<M>(x) & static_cast<std::int64_t>(0x7fffffffffffffffLL));
  }
}

// Correctly rounded square root (IEEE), so every path agrees.
template <class D>
NESTLING_ALWAYS_INLINE D sqrt_of(D x) {
  if constexpr (is_scalar<D>) {
    return std::sqrt(x);
  } else {
    constexpr int W = width_of<D>;
#if defined(__AVX512F__)
    // _mm512_sqrt_pd's undefined pass-through trips GCC 12's maybe-uninitialized check.
    if constexpr (W == 8) return __builtin_ia32_sqrtpd512_mask(x, x, static_cast<__mmask8>(-1), _MM_FROUND_CUR_DIRECTION);
#endif
#if defined(__AVX__)
    if constexpr (W == 4) return _mm256_sqrt_pd(x);
#endif
#if defined(__SSE2__)
    if constexpr (W == 2) return _mm_sqrt_pd(x);
#endif
    D r{};
    for (int k = 0; k < W; ++k) r[k] = __builtin_sqrt(x[k]);
    return r;
  }
}

// a·b + c rounded once, lane by lane (fused multiply-add), the same bits on every path.
template <class D>
NESTLING_ALWAYS_INLINE D fma_of(D a, D b, D c) {
  if constexpr (is_scalar<D>) {
    return __builtin_fma(a, b, c);
  } else {
    constexpr int W = width_of<D>;
#if defined(__AVX512F__)
    if constexpr (W == 8) return _mm512_fmadd_pd(a, b, c);
#endif
#if defined(__FMA__)
    if constexpr (W == 4) return _mm256_fmadd_pd(a, b, c);
    if constexpr (W == 2) return _mm_fmadd_pd(a, b, c);
#endif
    D r{};
    for (int k = 0; k < W; ++k) r[k] = __builtin_fma(a[k], b[k], c[k]);
    return r;
  }
}

template <class M>
NESTLING_ALWAYS_INLINE bool any_of(M m) {
  if constexpr (std::is_same_v<M, bool>) {
    return m;
  } else {
    // One test instruction where there is one: the kernel asks this several times per attempt,
    // and lane by lane it took a score of extracts and ors.
#if defined(__AVX512F__)
    if constexpr (width_of<M> == 8) return _mm512_test_epi64_mask(reinterpret_cast<__m512i>(m), reinterpret_cast<__m512i>(m)) != 0;
#endif
#if defined(__AVX__)
    if constexpr (width_of<M> == 4) return !_mm256_testz_si256(reinterpret_cast<__m256i>(m), reinterpret_cast<__m256i>(m));
#endif
    std::int64_t bits = 0;
    for (int k = 0; k < width_of<M>; ++k) bits |= m[k];
    return bits != 0;
  }
}

// The bits of a double (per lane), and back.
template <class D>
NESTLING_ALWAYS_INLINE auto bits_of(D x) {
  if constexpr (is_scalar<D>) {
    return std::bit_cast<std::uint64_t>(x);
  } else {
    return reinterpret_cast<MaskOf<D>>(x);
  }
}
template <class D, class B>
NESTLING_ALWAYS_INLINE D from_bits(B b) {
  if constexpr (is_scalar<D>) {
    return std::bit_cast<double>(b);
  } else {
    return reinterpret_cast<D>(b);
  }
}

// table[index] lane by lane for a 16-entry table (index in 0..15): one two-register permute
// with AVX-512, a gather with AVX2, loads otherwise. Every path returns the same entries.
template <class D, class I>
NESTLING_ALWAYS_INLINE D lookup16(const double (&table)[16], I index) {
  if constexpr (is_scalar<D>) {
    return table[index];
  } else {
    constexpr int W = width_of<D>;
#if defined(__AVX512F__)
    if constexpr (W == 8)
      return _mm512_permutex2var_pd(_mm512_loadu_pd(table), reinterpret_cast<__m512i>(index), _mm512_loadu_pd(table + 8));
#endif
#if defined(__AVX2__)
    if constexpr (W == 4) return _mm256_i64gather_pd(table, reinterpret_cast<__m256i>(index), 8);
#endif
    D r{};
    for (int k = 0; k < W; ++k) r[k] = table[index[k]];
    return r;
  }
}

}  // namespace nestling::ode
