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
    if (!is_whole) return std::pow(x, n);
    switch (whole) {
      case 0:
        return 1.0;
      case 1:
        return x;
      case 2:
        return x * x;
      case 3:
        return x * x * x;
      default: {
        double r = x;
        for (int k = 1; k < whole; ++k) r *= x;
        return r;
      }
    }
  }
};

// What the right-hand side needs, derived from the parameters once per Simulate (calibrate):
// reciprocal time constants so that the hot path multiplies instead of dividing.
template <class Variant>
struct HtConstants {
  using L = ht::Layout<Variant>;
  double E_Na, E_K, g_NaL, g_KL, inv_tau_m, inv_tau_spike;
  double theta_eq, inv_tau_theta;
  std::array<double, L::channels> inv_tau_rise, inv_tau_decay;
  std::array<double, L::channels> cond_step;  // DG jump per unit weight (beta normalisation, nest-2.20 §1.6)
  std::array<double, L::conductances> E_rev;
  double S_act_NMDA, V_act_NMDA, inv_tau_Mg_fast, inv_tau_Mg_slow;
  double g_NaP, E_NaP, g_KNa, E_KNa, tau_D, inv_tau_D, g_T, E_T, g_h, E_h;
  GatingExponent N_NaP, N_T;
  // exp((V + exp_offset[k]) * exp_scale[k]) are the exponentials of the gating functions:
  // 0 NMDA unblock, 1 I_NaP activation, 2 Na influx (D), 3 m_eq_T, 4 h_eq_T, 5 m_eq_h,
  // 6 and 7 tau_h_T (denominator, numerator), 8 and 9 tau_m_T, 10 and 11 tau_m_h.
  std::array<double, 12> exp_offset, exp_scale;
  double exp_safe_range;  // |V| up to which the fast exp applies
  bool instant_unblock_NMDA, voltage_clamp;
  double V_clamp;        // V_m at the start of the Simulate call
  double gap_scale;      // g_gap_scale_factor, for variants with gap coupling
  int refractory_steps;  // t_ref in steps, rounded up

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
    c.S_act_NMDA = p.S_act_NMDA;
    c.V_act_NMDA = p.V_act_NMDA;
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
    c.exp_offset = {-p.V_act_NMDA, 55.7,  10.0,  59.0, 83.0,          75.0,
                    86.0,          115.2, 132.0, 16.8, 14.59 / 0.086, -1.87 / 0.0701};
    c.exp_scale = {-p.S_act_NMDA, -1.0 / 7.7, -1.0 / 5.0,  -1.0 / 6.2, 1.0 / 4.0, 1.0 / 5.5,
                   1.0 / 3.2,     1.0 / 5.0,  -1.0 / 16.7, 1.0 / 18.2, -0.086,    0.0701};
    c.exp_safe_range = ode::exp_affine_safe_range(c.exp_offset, c.exp_scale);
    c.N_NaP = GatingExponent::of(p.N_NaP);
    c.N_T = GatingExponent::of(p.N_T);
    c.instant_unblock_NMDA = p.instant_unblock_NMDA;
    c.voltage_clamp = p.voltage_clamp;
    c.V_clamp = V_now;
    if constexpr (Variant::gap) c.gap_scale = p.g_gap_scale_factor;
    c.refractory_steps = refractory_steps;
    return c;
  }
};

// Values the right-hand side computes on the way that the update loop and the recorder use.
struct HtCurrents {
  double I_NaP = 0.0, I_KNa = 0.0, I_T = 0.0, I_h = 0.0;  // mV, recordables
  double m_eq_NMDA = 0.0;                                 // at the evaluated V, for the block
  double I_gap = 0.0;                                     // mV, variants with gap coupling
};

namespace ht {
// Gap-junction input during one step (mc-sleep §1.7): the sum of the incoming gap weights S
// and P = Σ w_j·V_j, the partners' potentials at the end of the previous slice. (Partners
// that do not iterate send constant interpolation, so higher coefficients are always zero.)
struct GapInput {
  double weight_sum = 0.0, potential = 0.0;
  bool operator==(const GapInput&) const = default;
};
struct NoGapInput {
  bool operator==(const NoGapInput&) const = default;
};
template <class Variant>
using GapInputOf = std::conditional_t<Variant::gap, GapInput, NoGapInput>;
}  // namespace ht

// NEST's m_NMDA: the open fraction of NMDA channels, mixing fast and slow unblocking (A1 is
// voltage dependent), or the equilibrium value with instant unblocking.
inline double nmda_open_fraction(double V, double m_eq, double m_fast, double m_slow, bool instant_unblock) {
  if (instant_unblock) return m_eq;
  const double A1 = 0.51 - 0.0028 * V;
  return A1 * m_fast + (1.0 - A1) * m_slow;
}

// The right-hand side (nest-2.20 §1.5, mc-sleep §1.4). Every evaluation overwrites `last`, so
// after an integration step it holds the values at the accepted end point, as NEST's cached
// currents.
template <class Variant>
struct HtDynamics {
  using L = ht::Layout<Variant>;
  const HtConstants<Variant>* k;
  double I_stim;
  bool refractory;
  HtCurrents* last;
  [[no_unique_address]] ht::GapInputOf<Variant> gap;

  void operator()(const typename L::Vector& y, typename L::Vector& f, double /*t*/) const {
    const HtConstants<Variant>& c = *k;
    const double V = c.voltage_clamp ? c.V_clamp : y[L::V_M];

    // The twelve voltage-dependent exponentials exp((V + offset) * scale), evaluated together
    // (lane order: see HtConstants::exp_offset), and the logistic functions made from them.
    std::array<double, 12> e;
    ode::exp_affine(V, c.exp_offset, c.exp_scale, e, c.exp_safe_range);
    static constexpr std::array<double, 8> numerators = {1.0, 1.0, 0.025, 1.0, 1.0, 1.0, 1.0, 1.0};
    std::array<double, 8> q;
    ode::over_one_plus(numerators, e, q);
    const double m_eq_NMDA = q[0], m_inf_NaP = q[1], D_influx = q[2], m_eq_T = q[3], h_eq_T = q[4], m_eq_h = q[5];
    // 1/tau_m_T = 1/(0.22/s + 0.13) = s/(0.22 + 0.13 s) with s the sum of its two exponentials;
    // 1/tau_h_T = 1/(8.2 + (56.6 + 0.27 e')/(1 + e)) = (1 + e)/(8.2 (1 + e) + 56.6 + 0.27 e').
    const double s_mT = e[8] + e[9];
    const double rate_m_T = s_mT / (0.22 + 0.13 * s_mT);
    const double d_hT = 1.0 + e[6];
    const double rate_h_T = d_hT / (8.2 * d_hT + (56.6 + 0.27 * e[7]));
    const double rate_m_h = e[10] + e[11];

    // NMDA: blocking is instantaneous, unblocking follows m_fast and m_slow.
    const double m_fast = std::min(m_eq_NMDA, y[L::M_FAST_NMDA]);
    const double m_slow = std::min(m_eq_NMDA, y[L::M_SLOW_NMDA]);
    const double m_NMDA = nmda_open_fraction(V, m_eq_NMDA, m_fast, m_slow, c.instant_unblock_NMDA);

    double I_syn = -y[L::g(0)] * (V - c.E_rev[0]) - y[L::g(1)] * m_NMDA * (V - c.E_rev[1]) -
                   y[L::g(2)] * (V - c.E_rev[2]) - y[L::g(3)] * (V - c.E_rev[3]);
    for (int r = 4; r < L::conductances; ++r) I_syn -= y[L::g(r)] * (V - c.E_rev[r]);  // mGluR
    const double I_spike = refractory ? -(V - c.E_K) * c.inv_tau_spike : 0.0;
    const double I_Na = -c.g_NaL * (V - c.E_Na);
    const double I_K = -c.g_KL * (V - c.E_K);

    const double I_NaP = -c.g_NaP * c.N_NaP.raise(m_inf_NaP) * (V - c.E_NaP);
    // m_KNa = 1 / (1 + (0.25/D)^3.5) = D^3.5 / (D^3.5 + 2^-7)
    const double D = y[L::D_IKNA];
    const double D_35 = D * D * D * std::sqrt(D);
    const double I_KNa = -c.g_KNa * (D_35 / (D_35 + 0.0078125)) * (V - c.E_KNa);
    const double I_T = -c.g_T * c.N_T.raise(y[L::M_IT]) * y[L::H_IT] * (V - c.E_T);
    const double I_h = -c.g_h * y[L::M_IH] * (V - c.E_h);

    [[maybe_unused]] double I_gap = 0.0;
    if constexpr (Variant::gap) {
      I_gap = c.gap_scale * (-gap.weight_sum * V + gap.potential);
      f[L::V_M] = (I_Na + I_K + I_syn + I_NaP + I_KNa + I_T + I_h + I_stim + I_gap) * c.inv_tau_m + I_spike;
    } else {
      f[L::V_M] = (I_Na + I_K + I_syn + I_NaP + I_KNa + I_T + I_h + I_stim) * c.inv_tau_m + I_spike;
    }
    f[L::THETA] = -(y[L::THETA] - c.theta_eq) * c.inv_tau_theta;
    for (int r = 0; r < L::channels; ++r) {
      f[L::dg(r)] = -y[L::dg(r)] * c.inv_tau_rise[r];
      f[L::g(r)] = y[L::dg(r)] - y[L::g(r)] * c.inv_tau_decay[r];
    }
    f[L::M_FAST_NMDA] = (m_eq_NMDA - m_fast) * c.inv_tau_Mg_fast;
    f[L::M_SLOW_NMDA] = (m_eq_NMDA - m_slow) * c.inv_tau_Mg_slow;
    f[L::D_IKNA] = (c.tau_D * D_influx + 0.001 - D) * c.inv_tau_D;
    f[L::M_IT] = (m_eq_T - y[L::M_IT]) * rate_m_T;
    f[L::H_IT] = (h_eq_T - y[L::H_IT]) * rate_h_T;
    f[L::M_IH] = (m_eq_h - y[L::M_IH]) * rate_m_h;

    last->I_NaP = I_NaP;
    last->I_KNa = I_KNa;
    last->I_T = I_T;
    last->I_h = I_h;
    last->m_eq_NMDA = m_eq_NMDA;
    if constexpr (Variant::gap) last->I_gap = I_gap;
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
  HtCurrents last;                                    // values of the latest right-hand-side evaluation
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
// 1–2, mc-sleep §1.5 steps 2–6). Returns true if the neuron spiked.
template <class Variant>
inline bool advance(HtCell<Variant>& s, const HtConstants<Variant>& k, double h, GapInputOf<Variant> gap,
                    ode::GslStyleRkf45<static_cast<std::size_t>(Layout<Variant>::size)>& integrator) {
  if constexpr (Variant::gap) {
    if (!(gap == s.gap)) {
      s.gap = gap;
      s.derivative_known = false;
    }
  }
  HtDynamics<Variant> rhs{&k, s.I_stim, s.ref_steps > 0, &s.last, gap};
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
