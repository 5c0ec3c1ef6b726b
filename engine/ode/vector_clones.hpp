// NESTLING_VECTOR_CLONES compiles a hot function (with everything it calls inlined) twice: for
// AVX2 and for the baseline instruction set; the loader picks the one the CPU supports. The
// AVX2 target adds wider SIMD only, no fused multiply-add, so both versions compute the same
// bits. Define NESTLING_NO_VECTOR_CLONES to build the baseline version alone.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute) && !defined(NESTLING_NO_VECTOR_CLONES)
#if __has_attribute(target_clones) && __has_attribute(flatten)
#define NESTLING_VECTOR_CLONES __attribute__((target_clones("avx2", "default"), flatten))
#endif
#endif

#if !defined(NESTLING_VECTOR_CLONES) && defined(__GNUC__)
#define NESTLING_VECTOR_CLONES __attribute__((flatten))
#endif

#if !defined(NESTLING_VECTOR_CLONES)
#define NESTLING_VECTOR_CLONES
#endif
