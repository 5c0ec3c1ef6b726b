// The Hill–Tononi neuron's equations and step rules, shared by ht_neuron (NEST 2.20, spec
// nest-2.20 §1) and the variants of the sleep model (spec mc-sleep §1).
//
// A variant type fixes at compile time what differs between them:
//   conductances            receptors with a current, in port order (AMPA, NMDA, GABA_A, GABA_B[, mGluR])
//   gaba_b1a                a GABA_B1a channel: a beta time course with no current of its own
//   minis, gap              a MINI port; the gap-junction term in dV/dt
//   spike_test_per_substep  clamp, NMDA block and spike test after every accepted RKF45
//                           sub-step (stock) or once after the whole step (noprelimspike)
// The state vector, the constants and the right-hand side follow from it: every variant
// integrates one fixed-size vector under one GSL-style step control, and the right-hand side
// stays one inlinable function over the state.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/ode/gsl_style_rkf45.hpp"
#include "engine/ode/packed_exp.hpp"

namespace nestling {
namespace ht {

// Positions in the state vector: V_M, THETA, one (DG, G) pair per beta channel (the
// conductance receptors in port order, then GABA_B1a), then the six gating variables in NEST's
// order (nest-2.20 §1.1, mc-sleep §1.2).
template <class Variant>
struct Layout {
  static constexpr int conductances = Variant::conductances;
  static constexpr int channels = conductances + (Variant::gaba_b1a ? 1 : 0);
  static constexpr int gaba_b1a = conductances;  // channel of GABA_B1a, where there is one
  static constexpr int V_M = 0, THETA = 1;
  static constexpr int dg(int channel) { return 2 + 2 * channel; }
  static constexpr int g(int channel) { return 3 + 2 * channel; }
  static constexpr int M_FAST_NMDA = 2 + 2 * channels, M_SLOW_NMDA = M_FAST_NMDA + 1, M_IH = M_FAST_NMDA + 2,
                       D_IKNA = M_FAST_NMDA + 3, M_IT = M_FAST_NMDA + 4, H_IT = M_FAST_NMDA + 5, size = M_FAST_NMDA + 6;
  // Input buffers: spikes per channel (port − 1), then MINI where there is one, then current.
  static constexpr int mini_buffer = channels;
  static constexpr int current_buffer = channels + (Variant::minis ? 1 : 0);
  static constexpr int buffers = current_buffer + 1;
  using Vector = ode::Vector<static_cast<std::size_t>(size)>;
};

// A beta-function synapse: time constants and peak conductance per unit weight.
struct BetaChannel {
  double tau_rise, tau_decay, g_peak;
};

// g(t) of a beta synapse peaks at t_peak = τr·τd·ln(τd/τr)/(τd−τr); scaling the DG jump by
// (1/τr − 1/τd)/(e^(−t_peak/τd) − e^(−t_peak/τr)) makes that peak equal to w·g_peak.
inline double beta_jump(const BetaChannel& ch) {
  const double tau_rise = ch.tau_rise, tau_decay = ch.tau_decay;
  const double t_peak = (tau_decay * tau_rise) * std::log(tau_decay / tau_rise) / (tau_decay - tau_rise);
  const double prefactor = (1 / tau_rise) - (1 / tau_decay);
  const double peak = std::exp(-t_peak / tau_decay) - std::exp(-t_peak / tau_rise);
  return ch.g_peak * prefactor / peak;
}

}  // namespace ht

// ht_neuron's parameters under NEST's names and defaults (nest-2.20 §1.2); the variants add
// theirs. Conductances are unitless.
struct HtParameters {
  double E_Na = 30.0;  // mV
  double E_K = -90.0;  // mV
  double g_NaL = 0.2;
  double g_KL = 1.0;
  double tau_m = 16.0;      // ms
  double theta_eq = -51.0;  // mV
  double tau_theta = 2.0;   // ms
  double tau_spike = 1.75;  // ms
  double t_ref = 2.0;       // ms
  double g_peak_AMPA = 0.1;
  double tau_rise_AMPA = 0.5;   // ms
  double tau_decay_AMPA = 2.4;  // ms
  double E_rev_AMPA = 0.0;      // mV
  double g_peak_NMDA = 0.075;
  double tau_rise_NMDA = 4.0;      // ms
  double tau_decay_NMDA = 40.0;    // ms
  double E_rev_NMDA = 0.0;         // mV
  double V_act_NMDA = -25.57;      // mV
  double S_act_NMDA = 0.081;       // 1/mV
  double tau_Mg_slow_NMDA = 22.7;  // ms
  double tau_Mg_fast_NMDA = 0.68;  // ms
  bool instant_unblock_NMDA = false;
  double g_peak_GABA_A = 0.33;
  double tau_rise_GABA_A = 1.0;   // ms
  double tau_decay_GABA_A = 7.0;  // ms
  double E_rev_GABA_A = -70.0;    // mV
  double g_peak_GABA_B = 0.0132;
  double tau_rise_GABA_B = 60.0;    // ms
  double tau_decay_GABA_B = 200.0;  // ms
  double E_rev_GABA_B = -90.0;      // mV
  double g_peak_NaP = 1.0;
  double E_rev_NaP = 30.0;  // mV
  double N_NaP = 3.0;
  double g_peak_KNa = 1.0;
  double E_rev_KNa = -90.0;   // mV
  double tau_D_KNa = 1250.0;  // ms
  double g_peak_T = 1.0;
  double E_rev_T = 0.0;  // mV
  double N_T = 2.0;
  double g_peak_h = 1.0;
  double E_rev_h = -40.0;  // mV
  bool voltage_clamp = false;

  bool operator==(const HtParameters&) const = default;

  // Equilibrium functions of the gating variables (nest-2.20 §1.4), as NEST writes them.
  double m_eq_NMDA(double V) const { return 1.0 / (1.0 + std::exp(-S_act_NMDA * (V - V_act_NMDA))); }
  double D_eq_KNa(double V) const { return tau_D_KNa * (0.025 / (1.0 + std::exp(-(V + 10.0) / 5.0))) + 0.001; }
  static double m_eq_h(double V) { return 1.0 / (1.0 + std::exp((V + 75.0) / 5.5)); }
  static double m_eq_T(double V) { return 1.0 / (1.0 + std::exp(-(V + 59.0) / 6.2)); }
  static double h_eq_T(double V) { return 1.0 / (1.0 + std::exp((V + 83.0) / 4.0)); }

  // Sets the six gating variables of `y` (laid out as L) to their equilibrium at `V`.
  template <class L>
  void equilibrate(typename L::Vector& y, double V) const {
    y[L::M_FAST_NMDA] = m_eq_NMDA(V);
    y[L::M_SLOW_NMDA] = m_eq_NMDA(V);
    y[L::M_IH] = m_eq_h(V);
    y[L::D_IKNA] = D_eq_KNa(V);
    y[L::M_IT] = m_eq_T(V);
    y[L::H_IT] = h_eq_T(V);
  }
  // The resting state: V = V_eq, θ = θ_eq, no synaptic conductance, gates at equilibrium.
  template <class L>
  typename L::Vector equilibrium_state() const {
    typename L::Vector y{};
    y[L::V_M] = (g_NaL * E_Na + g_KL * E_K) / (g_NaL + g_KL);
    y[L::THETA] = theta_eq;
    equilibrate<L>(y, y[L::V_M]);
    return y;
  }

  // The four receptors' beta channels and reversal potentials, in port order.
  std::array<ht::BetaChannel, 4> beta_channels() const {
    return {{{tau_rise_AMPA, tau_decay_AMPA, g_peak_AMPA},
             {tau_rise_NMDA, tau_decay_NMDA, g_peak_NMDA},
             {tau_rise_GABA_A, tau_decay_GABA_A, g_peak_GABA_A},
             {tau_rise_GABA_B, tau_decay_GABA_B, g_peak_GABA_B}}};
  }
  std::array<double, 4> reversal_potentials() const { return {E_rev_AMPA, E_rev_NMDA, E_rev_GABA_A, E_rev_GABA_B}; }
};

namespace ht {
// x^n for a whole gating exponent n (scalar and lanes).
template <class D>
NESTLING_ALWAYS_INLINE D raise_whole(D x, int n) {
  switch (n) {
    case 0:
      return ode::splat<D>(1.0);
    case 1:
      return x;
    case 2:
      return x * x;
    case 3:
      return x * x * x;
    default: {
      D r = x;
      for (int k = 1; k < n; ++k) r *= x;
      return r;
    }
  }
}
}  // namespace ht

// x^n for the gating exponents N_NaP and N_T: whole exponents multiply, others use pow.
struct GatingExponent {
  double n = 1.0;
  int whole = 1;
  bool is_whole = true;

  static GatingExponent of(double n) {
    const bool whole_and_small = n >= 0.0 && n <= 16.0 && n == std::floor(n);
    return {n, whole_and_small ? static_cast<int>(n) : 0, whole_and_small};
  }
  double raise(double x) const {
    return is_whole ? ht::raise_whole(x, whole) : std::pow(x, n);
  }
};

// The constants the right-hand side reads, one D per lane (D = double for one neuron,
// ode::Lanes<W> for W neurons integrated together): reciprocal time constants, so that the hot
// path multiplies instead of dividing.
template <class Variant, class D>
struct HtRates {
  using L = ht::Layout<Variant>;
  D E_Na, E_K, g_NaL, g_KL, inv_tau_m, inv_tau_spike;
  D theta_eq, inv_tau_theta;
  std::array<D, L::channels> inv_tau_rise, inv_tau_decay;
  std::array<D, L::conductances> E_rev;
  D inv_tau_Mg_fast, inv_tau_Mg_slow;
  D g_NaP, E_NaP, g_KNa, E_KNa, tau_D, inv_tau_D, g_T, E_T, g_h, E_h;
  // exp((V + offset_k)·scale_k), computed as exp(V·exp_scale[k] + exp_shift[k]) (one fused
  // multiply-add, exp_shift = offset·scale), are the exponentials of the gating functions:
  // 0 NMDA unblock, 1 I_NaP activation, 2 Na influx (D), 3 m_eq_T, 4 h_eq_T, 5 m_eq_h,
  // 6 and 7 tau_h_T (denominator, numerator), 8 and 9 tau_m_T, 10 and 11 tau_m_h.
  std::array<D, 12> exp_scale, exp_shift;
  D exp_safe_range;  // |V| up to which the fast exp applies
  D gap_scale;       // g_gap_scale_factor, for variants with gap coupling
};

// Calls f(a.x, b.x) for every field x of two HtRates of the same variant (to fill lanes from
// the scalar constants of each neuron).
template <class A, class B, class F>
NESTLING_ALWAYS_INLINE void zip_rates(A& a, B& b, F&& f) {
  auto each = [&f](auto& x, auto& y) {
    for (std::size_t i = 0; i < x.size(); ++i) f(x[i], y[i]);
  };
  f(a.E_Na, b.E_Na), f(a.E_K, b.E_K), f(a.g_NaL, b.g_NaL), f(a.g_KL, b.g_KL);
  f(a.inv_tau_m, b.inv_tau_m), f(a.inv_tau_spike, b.inv_tau_spike), f(a.theta_eq, b.theta_eq);
  f(a.inv_tau_theta, b.inv_tau_theta);
  each(a.inv_tau_rise, b.inv_tau_rise), each(a.inv_tau_decay, b.inv_tau_decay), each(a.E_rev, b.E_rev);
  f(a.inv_tau_Mg_fast, b.inv_tau_Mg_fast), f(a.inv_tau_Mg_slow, b.inv_tau_Mg_slow);
  f(a.g_NaP, b.g_NaP), f(a.E_NaP, b.E_NaP), f(a.g_KNa, b.g_KNa), f(a.E_KNa, b.E_KNa), f(a.tau_D, b.tau_D);
  f(a.inv_tau_D, b.inv_tau_D), f(a.g_T, b.g_T), f(a.E_T, b.E_T), f(a.g_h, b.g_h), f(a.E_h, b.E_h);
  each(a.exp_scale, b.exp_scale), each(a.exp_shift, b.exp_shift);
  f(a.exp_safe_range, b.exp_safe_range), f(a.gap_scale, b.gap_scale);
}

// What one neuron's update needs, derived from its parameters once per Simulate (calibrate);
// neurons with equal parameters share one copy.
template <class Variant>
struct HtConstants : HtRates<Variant, double> {
  using L = ht::Layout<Variant>;
  std::array<double, L::channels> cond_step;  // DG jump per unit weight (beta normalisation, nest-2.20 §1.6)
  GatingExponent N_NaP, N_T;
  bool instant_unblock_NMDA, voltage_clamp;
  double V_clamp;        // V_m at the start of the Simulate call (0 unless voltage_clamp)
  int refractory_steps;  // t_ref in steps, rounded up

  // Whether the lane integration takes this neuron (the rare paths run the scalar code).
  bool lane_friendly() const { return !instant_unblock_NMDA && !voltage_clamp && N_NaP.is_whole && N_T.is_whole; }

  // Field by field, so that neurons with equal parameters are found equal.
  bool operator==(const HtConstants& o) const {
    bool same = cond_step == o.cond_step && N_NaP.n == o.N_NaP.n && N_T.n == o.N_T.n &&
                instant_unblock_NMDA == o.instant_unblock_NMDA && voltage_clamp == o.voltage_clamp &&
                V_clamp == o.V_clamp && refractory_steps == o.refractory_steps;
    zip_rates(*this, o, [&same](double a, double b) { same = same && a == b; });
    return same;
  }

  // `p` is the variant's parameter struct: its beta_channels() and reversal_potentials() list
  // the channels in state order.
  template <class P>
  static HtConstants from(const P& p, double V_now, int refractory_steps) {
    HtConstants c{};
    c.E_Na = p.E_Na;
    c.E_K = p.E_K;
    c.g_NaL = p.g_NaL;
    c.g_KL = p.g_KL;
    c.inv_tau_m = 1.0 / p.tau_m;
    c.inv_tau_spike = 1.0 / p.tau_spike;
    c.theta_eq = p.theta_eq;
    c.inv_tau_theta = 1.0 / p.tau_theta;
    const auto channels = p.beta_channels();
    static_assert(channels.size() == L::channels);
    for (int r = 0; r < L::channels; ++r) {
      c.inv_tau_rise[r] = 1.0 / channels[r].tau_rise;
      c.inv_tau_decay[r] = 1.0 / channels[r].tau_decay;
      c.cond_step[r] = ht::beta_jump(channels[r]);
    }
    c.E_rev = p.reversal_potentials();
    c.inv_tau_Mg_fast = 1.0 / p.tau_Mg_fast_NMDA;
    c.inv_tau_Mg_slow = 1.0 / p.tau_Mg_slow_NMDA;
    c.g_NaP = p.g_peak_NaP;
    c.E_NaP = p.E_rev_NaP;
    c.g_KNa = p.g_peak_KNa;
    c.E_KNa = p.E_rev_KNa;
    c.tau_D = p.tau_D_KNa;
    c.inv_tau_D = 1.0 / p.tau_D_KNa;
    c.g_T = p.g_peak_T;
    c.E_T = p.E_rev_T;
    c.g_h = p.g_peak_h;
    c.E_h = p.E_rev_h;
    const std::array<double, 12> offset = {-p.V_act_NMDA, 55.7,  10.0,  59.0, 83.0,          75.0,
                                           86.0,          115.2, 132.0, 16.8, 14.59 / 0.086, -1.87 / 0.0701};
    c.exp_scale = {-p.S_act_NMDA, -1.0 / 7.7, -1.0 / 5.0,  -1.0 / 6.2, 1.0 / 4.0, 1.0 / 5.5,
                   1.0 / 3.2,     1.0 / 5.0,  -1.0 / 16.7, 1.0 / 18.2, -0.086,    0.0701};
    for (std::size_t j = 0; j < offset.size(); ++j) c.exp_shift[j] = offset[j] * c.exp_scale[j];
    c.exp_safe_range = ode::exp_affine_safe_range(c.exp_scale, c.exp_shift);
    c.N_NaP = GatingExponent::of(p.N_NaP);
    c.N_T = GatingExponent::of(p.N_T);
    c.instant_unblock_NMDA = p.instant_unblock_NMDA;
    c.voltage_clamp = p.voltage_clamp;
    c.V_clamp = p.voltage_clamp ? V_now : 0.0;
    c.gap_scale = 0.0;
    if constexpr (Variant::gap) c.gap_scale = p.g_gap_scale_factor;
    c.refractory_steps = refractory_steps;
    return c;
  }
};

// Values the right-hand side computes on the way that the update loop and the recorder use.
// No member initialisers: the lane kernel's per-attempt copies are written before they are
// read (zeroing them cost 2% of its time); `HtCurrents{}` gives zeros.
template <class D>
struct HtCurrentsOf {
  D I_NaP, I_KNa, I_T, I_h;  // mV, recordables
  D m_eq_NMDA;               // at the evaluated V, for the block
  D I_gap;                   // mV, variants with gap coupling (written only by those)
};
using HtCurrents = HtCurrentsOf<double>;

namespace ht {
// Gap-junction input during one step (mc-sleep §1.7): the sum of the incoming gap weights S
// and P = Σ w_j·V_j, the partners' potentials at the end of the previous slice. (Partners
// that do not iterate send constant interpolation, so higher coefficients are always zero.)
template <class D>
struct GapSums {
  D weight_sum{}, potential{};
};
using GapInput = GapSums<double>;
inline bool operator==(const GapInput& a, const GapInput& b) {
  return a.weight_sum == b.weight_sum && a.potential == b.potential;
}
struct NoGapInput {
  bool operator==(const NoGapInput&) const = default;
};
template <class Variant, class D = double>
using GapInputOf = std::conditional_t<Variant::gap, GapSums<D>, NoGapInput>;

}  // namespace ht

// The derivatives of a beta channel's DG and G, shared by the right-hand side and the refresh
// after an input jump (models/ht_neuron_lanes.hpp), so that both give the same bits.
template <class D>
NESTLING_ALWAYS_INLINE D channel_rise_derivative(D dg, D inv_tau_rise) {
  return -dg * inv_tau_rise;
}
template <class D>
NESTLING_ALWAYS_INLINE D channel_decay_derivative(D dg, D g, D inv_tau_decay) {
  return ode::fma_of(-g, inv_tau_decay, dg);
}

// NEST's m_NMDA: the open fraction of NMDA channels, mixing fast and slow unblocking (A1 is
// voltage dependent), or the equilibrium value with instant unblocking.
template <class D>
NESTLING_ALWAYS_INLINE D nmda_unblock_mix(D V, D m_fast, D m_slow) {
  const D A1 = ode::fma_of(ode::splat<D>(-0.0028), V, ode::splat<D>(0.51));
  return ode::fma_of(A1, m_fast, (1.0 - A1) * m_slow);
}
inline double nmda_open_fraction(double V, double m_eq, double m_fast, double m_slow, bool instant_unblock) {
  return instant_unblock ? m_eq : nmda_unblock_mix(V, m_fast, m_slow);
}

// The right-hand side (nest-2.20 §1.5, mc-sleep §1.4) for one neuron (D = double) or for the
// lanes of a block (D = ode::Lanes<W>), one code for both so that they compute the same bits.
// Every evaluation overwrites `*last`, so after an integration step it holds the values at the
// accepted end point, as NEST's cached currents. Lanes take only neurons without the rare paths
// (HtConstants::lane_friendly) and with the same gating exponents (those of `k`); a lane whose
// V lies beyond the fast exponential's range is marked in `*exp_outside` (the block then runs
// the scalar code, which takes std::exp there).
template <class Variant, class D>
struct HtRhs {
  using L = ht::Layout<Variant>;
  using Mask = ode::MaskOf<D>;
  const HtRates<Variant, D>* c;
  const HtConstants<Variant>* k;  // the scalar constants (for lanes: of the first lane)
  D I_stim;
  Mask refractory;
  HtCurrentsOf<D>* last;
  [[no_unique_address]] ht::GapInputOf<Variant, D> gap;
  Mask* exp_outside = nullptr;  // lanes only

  // `y` is the state, read once per entry through y[i]: an array, or a stage's weighted sum
  // computed as it is read (the lane kernel: no stored stage vector).
  template <class State>
  NESTLING_ALWAYS_INLINE void operator()(const State& y, D* f) const {
    const HtRates<Variant, D>& r = *c;
    D V = y[L::V_M];
    // The twelve voltage-dependent exponentials exp((V + offset) * scale) (lane order: see
    // HtRates::exp_scale), and the logistic functions made from them.
    std::array<D, 12> e;
    if constexpr (ode::is_scalar<D>) {
      if (k->voltage_clamp) V = k->V_clamp;
      ode::exp_affine(V, r.exp_scale, r.exp_shift, e, r.exp_safe_range);
    } else {
      for (std::size_t j = 0; j < 12; ++j) e[j] = ode::exp_reduced_of(ode::fma_of(V, r.exp_scale[j], r.exp_shift[j]));
      *exp_outside |= !(ode::abs_of(V) <= r.exp_safe_range);
    }
    const D m_eq_NMDA = 1.0 / (1.0 + e[0]), m_inf_NaP = 1.0 / (1.0 + e[1]), D_influx = 0.025 / (1.0 + e[2]);
    const D m_eq_T = 1.0 / (1.0 + e[3]), h_eq_T = 1.0 / (1.0 + e[4]), m_eq_h = 1.0 / (1.0 + e[5]);
    // 1/tau_m_T = 1/(0.22/s + 0.13) = s/(0.22 + 0.13 s) with s the sum of its two exponentials;
    // 1/tau_h_T = 1/(8.2 + (56.6 + 0.27 e')/(1 + e)) = (1 + e)/(8.2 (1 + e) + 56.6 + 0.27 e').
    const D s_mT = e[8] + e[9];
    const auto C = [](double x) { return ode::splat<D>(x); };
    const D rate_m_T = s_mT / ode::fma_of(C(0.13), s_mT, C(0.22));
    const D d_hT = 1.0 + e[6];
    const D rate_h_T = d_hT / ode::fma_of(C(8.2), d_hT, ode::fma_of(C(0.27), e[7], C(56.6)));
    const D rate_m_h = e[10] + e[11];

    // NMDA: blocking is instantaneous, unblocking follows m_fast and m_slow.
    const D m_fast = ode::min_of(m_eq_NMDA, y[L::M_FAST_NMDA]);
    const D m_slow = ode::min_of(m_eq_NMDA, y[L::M_SLOW_NMDA]);
    D m_NMDA;
    if constexpr (ode::is_scalar<D>) {
      m_NMDA = nmda_open_fraction(V, m_eq_NMDA, m_fast, m_slow, k->instant_unblock_NMDA);
    } else {
      m_NMDA = nmda_unblock_mix(V, m_fast, m_slow);  // lanes never unblock instantly
    }

    // Each state entry is read once and used at once (a stage's entries are computed when read).
    // The channels' derivatives, and the leak and synaptic currents summed with one fused
    // multiply-add per term: −Σ g·(V − E).
    D I_leak_syn{};
    for (int q = 0; q < L::channels; ++q) {
      const D dg = y[L::dg(q)], g = y[L::g(q)];
      f[L::dg(q)] = channel_rise_derivative(dg, r.inv_tau_rise[q]);
      f[L::g(q)] = channel_decay_derivative(dg, g, r.inv_tau_decay[q]);
      if (q == 0) {
        I_leak_syn = -(g * (V - r.E_rev[0]));
      } else if (q == 1) {
        I_leak_syn = ode::fma_of(-(g * m_NMDA), V - r.E_rev[1], I_leak_syn);
      } else if (q < L::conductances) {
        I_leak_syn = ode::fma_of(-g, V - r.E_rev[q], I_leak_syn);
      }
    }
    I_leak_syn = ode::fma_of(-r.g_NaL, V - r.E_Na, I_leak_syn);
    I_leak_syn = ode::fma_of(-r.g_KL, V - r.E_K, I_leak_syn);
    const D I_spike = ode::select(refractory, -(V - r.E_K) * r.inv_tau_spike, ode::splat<D>(0.0));

    const D m_T = y[L::M_IT], h_T = y[L::H_IT], m_h = y[L::M_IH], Dk = y[L::D_IKNA];
    D NaP_gate, T_gate;
    if constexpr (ode::is_scalar<D>) {
      NaP_gate = k->N_NaP.raise(m_inf_NaP);
      T_gate = k->N_T.raise(m_T);
    } else {
      NaP_gate = ht::raise_whole(m_inf_NaP, k->N_NaP.whole);
      T_gate = ht::raise_whole(m_T, k->N_T.whole);
    }
    const D I_NaP = -r.g_NaP * NaP_gate * (V - r.E_NaP);
    // m_KNa = 1 / (1 + (0.25/D)^3.5) = D^3.5 / (D^3.5 + 2^-7)
    const D D_35 = Dk * Dk * Dk * ode::sqrt_of(Dk);
    const D I_KNa = -r.g_KNa * (D_35 / (D_35 + 0.0078125)) * (V - r.E_KNa);
    const D I_T = -r.g_T * T_gate * h_T * (V - r.E_T);
    const D I_h = -r.g_h * m_h * (V - r.E_h);

    if constexpr (Variant::gap) {
      const D I_gap = r.gap_scale * (-gap.weight_sum * V + gap.potential);
      f[L::V_M] = ode::fma_of(I_leak_syn + I_NaP + I_KNa + I_T + I_h + I_stim + I_gap, r.inv_tau_m, I_spike);
      last->I_gap = I_gap;
    } else {
      f[L::V_M] = ode::fma_of(I_leak_syn + I_NaP + I_KNa + I_T + I_h + I_stim, r.inv_tau_m, I_spike);
    }
    f[L::THETA] = -(y[L::THETA] - r.theta_eq) * r.inv_tau_theta;
    f[L::M_FAST_NMDA] = (m_eq_NMDA - m_fast) * r.inv_tau_Mg_fast;
    f[L::M_SLOW_NMDA] = (m_eq_NMDA - m_slow) * r.inv_tau_Mg_slow;
    f[L::D_IKNA] = (ode::fma_of(r.tau_D, D_influx, C(0.001)) - Dk) * r.inv_tau_D;
    f[L::M_IT] = (m_eq_T - m_T) * rate_m_T;
    f[L::H_IT] = (h_eq_T - h_T) * rate_h_T;
    f[L::M_IH] = (m_eq_h - m_h) * rate_m_h;

    last->I_NaP = I_NaP;
    last->I_KNa = I_KNa;
    last->I_T = I_T;
    last->I_h = I_h;
    last->m_eq_NMDA = m_eq_NMDA;
  }
};

// The scalar right-hand side in the form the integrator calls.
template <class Variant>
struct HtDynamics : HtRhs<Variant, double> {
  using L = ht::Layout<Variant>;
  void operator()(const typename L::Vector& y, typename L::Vector& f, double /*t*/) const {
    HtRhs<Variant, double>::operator()(y.data(), f.data());
  }
};

// A neuron's dynamic state, one contiguous block per neuron.
template <class Variant>
struct HtCell {
  using L = ht::Layout<Variant>;
  typename L::Vector y{};
  typename L::Vector dydt{};                          // derivative at y, valid while derivative_known
  double step = 0.0;                                  // the integrator's proposed step, carried across steps (GSL)
  double I_stim = 0.0;                                // current applied during the present step
  HtCurrents last{};                                  // values of the latest right-hand-side evaluation
  [[no_unique_address]] ht::GapInputOf<Variant> gap;  // gap input dydt was computed with
  int ref_steps = 0;
  bool derivative_known = false;
};

namespace ht {

// Voltage clamp, instantaneous NMDA block and spike test on the stored state (nest-2.20 §1.9
// step 1.2, mc-sleep §1.5 steps 3–5). Returns true on a spike.
template <class Variant>
inline bool settle(HtCell<Variant>& s, const HtConstants<Variant>& k) {
  using L = Layout<Variant>;
  if (k.voltage_clamp) s.y[L::V_M] = k.V_clamp;
  // The right-hand side already uses min(m_eq, m), so the derivative stays valid.
  // s.last.m_eq_NMDA is m_eq at the accepted V.
  s.y[L::M_FAST_NMDA] = std::min(s.last.m_eq_NMDA, s.y[L::M_FAST_NMDA]);
  s.y[L::M_SLOW_NMDA] = std::min(s.last.m_eq_NMDA, s.y[L::M_SLOW_NMDA]);
  if (s.ref_steps != 0 || !(s.y[L::V_M] >= s.y[L::THETA])) return false;
  s.y[L::V_M] = k.E_Na;
  s.y[L::THETA] = k.E_Na;
  s.ref_steps = k.refractory_steps + 1;  // the decrement at the end of this step makes it R
  s.derivative_known = false;
  return true;
}

// Names of the state vector's entries, for reports of a diverging integration.
template <class Variant>
std::span<const char* const> state_names() {
  using L = Layout<Variant>;
  static const std::vector<std::string> owned = [] {
    std::vector<std::string> n(static_cast<std::size_t>(L::size));
    n[L::V_M] = "V_m";
    n[L::THETA] = "theta";
    for (int c = 0; c < L::channels; ++c) {
      n[static_cast<std::size_t>(L::dg(c))] = std::string("dg_") + Variant::receptors[static_cast<std::size_t>(c)];
      n[static_cast<std::size_t>(L::g(c))] = std::string("g_") + Variant::receptors[static_cast<std::size_t>(c)];
    }
    n[L::M_FAST_NMDA] = "m_fast_NMDA";
    n[L::M_SLOW_NMDA] = "m_slow_NMDA";
    n[L::M_IH] = "m_Ih";
    n[L::D_IKNA] = "D_IKNa";
    n[L::M_IT] = "m_IT";
    n[L::H_IT] = "h_IT";
    return n;
  }();
  static const std::vector<const char*> names = [] {
    std::vector<const char*> p;
    for (const auto& x : owned) p.push_back(x.c_str());
    return p;
  }();
  return names;
}

// Integrates one time step of length h and ends the refractory count (nest-2.20 §1.9 steps
// 1–2, mc-sleep §1.5 steps 2–6), with the gap input taken by take_gap_input. Returns true if
// the neuron spiked. The integrator must assume equal intervals (all steps are h long).
template <class Variant>
inline bool advance(HtCell<Variant>& s, const HtConstants<Variant>& k, double h,
                    ode::GslStyleRkf45<static_cast<std::size_t>(Layout<Variant>::size)>& integrator) {
  HtDynamics<Variant> rhs{{&k, &k, s.I_stim, s.ref_steps > 0, &s.last, s.gap}};
  bool spiked = false;
  double t = 0.0;
  while (t < h) {
    // GSL evaluates the derivative at the start of every call; it is unchanged unless the
    // state or the inputs changed since the end of the previous sub-step.
    if (!s.derivative_known) rhs(s.y, s.dydt, t);
    integrator.apply(rhs, s.y, s.dydt, t, h, s.step);
    s.derivative_known = true;
    if constexpr (Variant::spike_test_per_substep) {
      if (settle(s, k)) {
        rhs.refractory = true;  // integration goes on to the end of the step with I_spike
        spiked = true;
      }
    }
  }
  if constexpr (!Variant::spike_test_per_substep) spiked = settle(s, k);
  if (s.ref_steps > 0 && --s.ref_steps == 0) s.derivative_known = false;  // I_spike ends
  return spiked;
}

}  // namespace ht
}  // namespace nestling
