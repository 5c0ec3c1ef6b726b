// Integrating several Hill–Tononi neurons per instruction: the neurons of one group and thread
// advance in blocks of W (8 lanes with AVX-512, 4 with AVX2, 2 on the portable path), each lane
// under GSL's adaptive RKF45 rules of its own (accept/reject, growth, last-step cut, spike test,
// NMDA clamp), masked once its step is done. A lane computes exactly the scalar code's bits
// (ht_neuron_dynamics.hpp), so the path changes the speed and nothing else; whatever the lanes do
// not cover (voltage clamp, non-whole or mixed N_NaP/N_T, instant NMDA unblock, a step that
// overflows or grinds, V beyond the fast exponential's range) is handed back to the scalar code,
// which then takes the block's step from the unchanged state.
//
// The path is picked once per process from the CPU (widest first) unless the environment
// variable NESTLING_SIMD names one (avx512, avx2, portable, scalar); set_lane_path() overrides
// both (tests force every path).
#pragma once

#include <cstdint>
#include <string>

#include "models/ht_neuron_dynamics.hpp"

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

// Up to 8 neurons of one group in lane-major order: value k of lane j at y[k][j]. The update
// loop loads a block once per slice, runs the kernel at every lag on these arrays (whole-vector
// loads, no transposing) and stores it back at the end of the slice, before the scalar code
// steps in, and for a neuron that is sampled. Idle lanes (n ≤ j < 8) hold a copy of lane 0 and
// are never stored.
template <class Variant>
struct LaneBlock {
  static constexpr int max_lanes = 8;
  static constexpr int S = Layout<Variant>::size;
  using Row = double[max_lanes];
  using Flags = std::int64_t[max_lanes];  // all bits set or none, as lane masks

  alignas(64) Row y[S];
  alignas(64) Row dydt[S];
  alignas(64) Row step, I_stim, gap_weight_sum, gap_potential;
  alignas(64) Row I_NaP, I_KNa, I_T, I_h, m_eq_NMDA, I_gap;  // HtCell::last
  alignas(64) Flags known, ref_steps;
  HtCell<Variant>* cell[max_lanes];
  const HtConstants<Variant>* k[max_lanes];
  // The kernel's constants per lane (an HtRates<Variant, ode::Lanes<W>>), built at its first step
  // after load() and reused until the next load (rebuilt at every step, they took 4% of its
  // time). The update loop sets `k` only before a load.
  alignas(64) unsigned char rates[sizeof(HtRates<Variant, double>) * max_lanes];
  int rates_width = 0;  // W of the rates built, 0 for none
  bool rates_shared = false;
  int n = 0;
  double h = 0.1;
  double eps_abs = 1e-3;  // the step control's absolute tolerance (relative: 0)
  unsigned spiked = 0;    // out: bit j set if lane j spiked

  void load() {
    rates_width = 0;
    for (int j = 0; j < max_lanes; ++j) load_lane(j, j < n ? j : 0);
  }
  void store() const {
    for (int j = 0; j < n; ++j) store_lane(j);
  }
  // Lane j from cell `from`.
  void load_lane(int j, int from) {
    const HtCell<Variant>& s = *cell[from];
    for (int i = 0; i < S; ++i) {
      y[i][j] = s.y[i];
      dydt[i][j] = s.dydt[i];
    }
    step[j] = s.step;
    I_stim[j] = s.I_stim;
    if constexpr (Variant::gap) {
      gap_weight_sum[j] = s.gap.weight_sum;
      gap_potential[j] = s.gap.potential;
    }
    I_NaP[j] = s.last.I_NaP;
    I_KNa[j] = s.last.I_KNa;
    I_T[j] = s.last.I_T;
    I_h[j] = s.last.I_h;
    m_eq_NMDA[j] = s.last.m_eq_NMDA;
    I_gap[j] = s.last.I_gap;
    known[j] = s.derivative_known ? -1 : 0;
    ref_steps[j] = s.ref_steps;
  }
  void store_lane(int j) const {
    HtCell<Variant>& s = *cell[j];
    for (int i = 0; i < S; ++i) {
      s.y[i] = y[i][j];
      s.dydt[i] = dydt[i][j];
    }
    s.step = step[j];
    s.I_stim = I_stim[j];
    if constexpr (Variant::gap) {
      s.gap.weight_sum = gap_weight_sum[j];
      s.gap.potential = gap_potential[j];
    }
    s.last.I_NaP = I_NaP[j];
    s.last.I_KNa = I_KNa[j];
    s.last.I_T = I_T[j];
    s.last.I_h = I_h[j];
    s.last.m_eq_NMDA = m_eq_NMDA[j];
    s.last.I_gap = I_gap[j];
    s.derivative_known = known[j] != 0;
    s.ref_steps = static_cast<int>(ref_steps[j]);
  }
};

// Neuron state as the update loop's input handling sees it: a cell, or lane j of a block.
template <class Variant>
struct CellAccess {
  HtCell<Variant>& s;
  double& y(int i) const { return s.y[static_cast<std::size_t>(i)]; }
  double& dydt(int i) const { return s.dydt[static_cast<std::size_t>(i)]; }
  double& I_stim() const { return s.I_stim; }
  bool derivative_known() const { return s.derivative_known; }
  void forget_derivative() const { s.derivative_known = false; }
  GapInputOf<Variant> gap() const { return s.gap; }
  void set_gap(GapInputOf<Variant> g) const { s.gap = g; }
};
template <class Variant>
struct LaneAccess {
  LaneBlock<Variant>& b;
  int j;
  double& y(int i) const { return b.y[i][j]; }
  double& dydt(int i) const { return b.dydt[i][j]; }
  double& I_stim() const { return b.I_stim[j]; }
  bool derivative_known() const { return b.known[j] != 0; }
  void forget_derivative() const { b.known[j] = 0; }
  GapInputOf<Variant> gap() const {
    if constexpr (Variant::gap) {
      return {b.gap_weight_sum[j], b.gap_potential[j]};
    } else {
      return {};
    }
  }
  void set_gap(GapInputOf<Variant> g) const {
    if constexpr (Variant::gap) {
      b.gap_weight_sum[j] = g.weight_sum;
      b.gap_potential[j] = g.potential;
    }
  }
};

// After a jump of channel r's DG only the derivatives of DG and G of that channel change (the
// rest of the right-hand side reads G, not DG): they are recomputed as the right-hand side
// computes them, so the stored derivative stays exact without a full evaluation (twelve
// exponentials) at the start of the next step.
template <class Variant, class Access>
inline void refresh_channel_derivative(const Access& s, const HtConstants<Variant>& k, int r) {
  using L = Layout<Variant>;
  if (!s.derivative_known()) return;
  s.dydt(L::dg(r)) = channel_rise_derivative(s.y(L::dg(r)), k.inv_tau_rise[r]);
  s.dydt(L::g(r)) = channel_decay_derivative(s.y(L::dg(r)), s.y(L::g(r)), k.inv_tau_decay[r]);
}

// Takes the gap input of the coming step; a change invalidates the stored derivative.
template <class Variant, class Access>
inline void take_gap_input(const Access& s, GapInputOf<Variant> gap) {
  if constexpr (Variant::gap) {
    if (!(gap == s.gap())) {
      s.set_gap(gap);
      s.forget_derivative();
    }
  }
}

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
