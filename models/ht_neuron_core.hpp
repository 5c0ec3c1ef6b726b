// The Hill–Tononi neuron's state layout, parameters and derived constants, shared by ht_neuron
// (NEST 2.20, spec nest-2.20 §1) and the variants of the sleep model (spec mc-sleep §1); the
// right-hand side and the step rules that act on them are in ht_neuron_dynamics.hpp.
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
#include <type_traits>

#include "engine/ode/gsl_style_rkf45.hpp"
#include "engine/ode/packed_exp.hpp"
#include "models/ht_neuron_linear.hpp"

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
  // θ and the channels: the entries advanced by the step's linear map (ht_neuron_linear.hpp).
  static constexpr bool linear(int i) { return i == THETA || (i >= 2 && i < 2 + 2 * channels); }
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
// x^n·a for a whole n, with the multiplications paired for a shorter chain from x.
template <class D>
NESTLING_ALWAYS_INLINE D raise_whole_times(D x, int n, D a) {
  switch (n) {
    case 0:
      return a;
    case 1:
      return x * a;
    case 2:
      return x * (x * a);
    case 3:
      return (x * x) * (x * a);
    default:
      return raise_whole(x, n) * a;
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
  double raise_times(double x, double a) const {
    return is_whole ? ht::raise_whole_times(x, whole, a) : std::pow(x, n) * a;
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
  D exp_safe_range;   // |V| up to which the fast exp applies
  D exp_product_2_7;  // e[2]·e[7], constant (opposite scales): e[7] is computed as this / e[2]
  D gap_scale;        // g_gap_scale_factor, for variants with gap coupling
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
  f(a.exp_safe_range, b.exp_safe_range), f(a.exp_product_2_7, b.exp_product_2_7), f(a.gap_scale, b.gap_scale);
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
  double mapped_step;    // the step length of step_map (the resolution)
  ht::LinearStepMap<L::channels> step_map;

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
  // the channels in state order. `step` is the resolution (ms): the step length whose linear
  // map is kept (equal constants have equal maps, so operator== need not compare them).
  template <class P>
  static HtConstants from(const P& p, double V_now, int refractory_steps, double step) {
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
    c.exp_product_2_7 = std::exp(c.exp_shift[2] + c.exp_shift[7]);
    c.N_NaP = GatingExponent::of(p.N_NaP);
    c.N_T = GatingExponent::of(p.N_T);
    c.instant_unblock_NMDA = p.instant_unblock_NMDA;
    c.voltage_clamp = p.voltage_clamp;
    c.V_clamp = p.voltage_clamp ? V_now : 0.0;
    c.gap_scale = 0.0;
    if constexpr (Variant::gap) c.gap_scale = p.g_gap_scale_factor;
    c.refractory_steps = refractory_steps;
    c.mapped_step = step;
    c.step_map = ht::linear_step_map<L::channels>(step, c.inv_tau_rise, c.inv_tau_decay, c.inv_tau_theta);
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

}  // namespace nestling
