// Integrating several Hill–Tononi neurons per instruction: the neurons of one group and thread
// advance in blocks of W (8 lanes with AVX-512, 4 with AVX2, 2 on the portable path), each lane
// under GSL's adaptive RKF45 rules of its own (accept/reject, growth, last-step cut, spike test,
// NMDA clamp), masked once its step is done. A lane computes exactly the scalar code's bits
// (ht_neuron_core.hpp), so the path changes the speed and nothing else; whatever the lanes do
// not cover (voltage clamp, non-whole or mixed N_NaP/N_T, instant NMDA unblock, a step that
// overflows or grinds, V beyond the fast exponential's range) is handed back to the scalar code,
// which then takes the block's step from the unchanged state.
//
// The path is picked once per process from the CPU (widest first) unless the environment
// variable NESTLING_SIMD names one (avx512, avx2, portable, scalar); set_lane_path() overrides
// both (tests force every path).
#pragma once

#include <string>

#include "models/ht_neuron_core.hpp"

namespace nestling::ht {

enum class LanePath { scalar, portable, avx2, avx512 };

// The lane count of a path (1 for scalar).
int lane_width(LanePath path);
const char* lane_path_name(LanePath path);
// Whether this CPU (and build) can run the path.
bool lane_path_available(LanePath path);
// The path in force: forced, else NESTLING_SIMD, else the widest available. A NESTLING_SIMD
// naming an unknown or unavailable path is a UserError at path "NESTLING_SIMD".
LanePath lane_path();
// Forces a path for this process (throws std::invalid_argument if unavailable); `reset` returns
// to the automatic choice.
void set_lane_path(LanePath path);
void reset_lane_path();
// Parses a path name as NESTLING_SIMD takes it.
bool parse_lane_path(const std::string& name, LanePath& path);

// One block-step: up to 8 neurons of one group, their constants and the step length. Idle lanes
// (n ≤ j < W) compute a copy of lane 0 and are never stored.
template <class Variant>
struct LaneBlock {
  static constexpr int max_lanes = 8;
  HtCell<Variant>* cell[max_lanes];
  const HtConstants<Variant>* k[max_lanes];
  int n = 0;
  double h = 0.1;
  double eps_abs = 1e-3;  // the step control's absolute tolerance (relative: 0)
  unsigned spiked = 0;    // out: bit j set if lane j spiked
};

// Advances every lane of the block by one step as ht::advance would, or returns false with the
// cells untouched when the block needs the scalar code. Defined in models/lanes/ for W = 2, 4, 8.
template <class Variant, int W>
bool advance_lanes(LaneBlock<Variant>& block);

template <class Variant>
using LaneKernel = bool (*)(LaneBlock<Variant>&);

// The kernel of a path (nullptr for scalar).
template <class Variant>
LaneKernel<Variant> lane_kernel(LanePath path) {
  switch (path) {
    case LanePath::scalar:
      return nullptr;
    case LanePath::portable:
      return &advance_lanes<Variant, 2>;
#if defined(NESTLING_X86_LANES)  // the AVX2 and AVX-512 kernels are built on x86-64 only
    case LanePath::avx2:
      return &advance_lanes<Variant, 4>;
    case LanePath::avx512:
      return &advance_lanes<Variant, 8>;
#else
    case LanePath::avx2:
    case LanePath::avx512:
      return nullptr;
#endif
  }
  return nullptr;
}

}  // namespace nestling::ht
