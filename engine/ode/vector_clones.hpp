// NESTLING_VECTOR_CLONES compiles a hot function (with everything it calls inlined) twice: for
// x86-64-v3 (AVX2 and FMA) and for the baseline instruction set; the loader picks the one the
// CPU supports. Both compute the same bits: -ffp-contract=off leaves fusing to the explicit
// ode::fma_of, which is one instruction in the v3 version and glibc's fma() in the baseline.
// Define NESTLING_NO_VECTOR_CLONES to build the baseline version alone.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute) && !defined(NESTLING_NO_VECTOR_CLONES)
#if __has_attribute(target_clones) && __has_attribute(flatten)
#define NESTLING_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default"), flatten))
#endif
#endif

#if !defined(NESTLING_VECTOR_CLONES) && defined(__GNUC__)
#define NESTLING_VECTOR_CLONES __attribute__((flatten))
#endif

#if !defined(NESTLING_VECTOR_CLONES)
#define NESTLING_VECTOR_CLONES
#endif
