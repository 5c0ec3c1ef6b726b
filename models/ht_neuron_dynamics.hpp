// The Hill–Tononi right-hand side and step rules (nest-2.20 §1.5 and §1.9, mc-sleep §1.4–1.5),
// shared by every variant: HtRhs for one neuron and for the lanes of a block, the scalar step
// (ht::advance) with its NMDA block and spike test (ht::settle). The types they act on are in
// ht_neuron_core.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "engine/ode/gsl_style_rkf45.hpp"
#include "engine/ode/packed_exp.hpp"
#include "models/ht_neuron_core.hpp"

namespace nestling {

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

// A stage whose linear entries come from the step map on every lane: their derivatives are
// never read (ht_neuron_linear.hpp), so the right-hand side does not compute them.
template <class State>
concept unread_linear_derivatives = requires { requires State::linear_derivatives_unread; };

// The right-hand side (nest-2.20 §1.5, mc-sleep §1.4) for one neuron (D = double) or for the
// lanes of a block (D = ode::Lanes<W>), one code for both so that they compute the same bits.
// Every evaluation overwrites `*last`, so after an integration step it holds the values at the
// accepted end point, as NEST's cached currents. Lanes take only neurons without the rare paths
// (HtConstants::lane_friendly) and with the same gating exponents (those of `k`); a lane whose
// V lies beyond the fast exponential's range is marked in `*exp_outside` (the block then runs
// the scalar code, which takes std::exp there).
//
// One evaluation is three parts, run in this order: voltage_terms (what depends on V through
// two exponentials, NMDA unblock and I_NaP, and the channels), finish_voltage (the currents of
// the gating state; dV/dt) and gating (the ten other exponentials; the gating variables'
// derivatives). The next Runge–Kutta stage waits for dV/dt and the lanes' core works through the
// gating exponentials meanwhile; with the exponentials first, dV/dt came last and every stage
// waited for all twelve (8–11% of the lane kernel's time on the benchmark machine, 2026-12-04).
// The late terms of dV/dt (I_NaP, the NMDA current) are added last for the same reason.
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

  // What voltage_terms hands to finish_voltage, and finish_voltage to gating.
  struct VoltageTerms {
    D V, I_leak_syn, I_NaP, I_NMDA, I_spike;
  };
  struct GatingInputs {
    D V, m_T, h_T, m_h, Dk;
  };

  // `y` is the state, read once per entry through y[i]: an array, or a stage's weighted sum
  // computed as it is read (the lane kernel: no stored stage vector).
  template <class State>
  NESTLING_ALWAYS_INLINE void operator()(const State& y, D* f) const {
    gating(finish_voltage(y, voltage_terms(y, f), f), f);
  }

  // exp((V + offset_j)·scale_j) for j in [first, end) (lane order: see HtRates::exp_scale). The
  // scalar code takes std::exp for every j alike when V lies beyond the fast range.
  template <std::size_t first, std::size_t end>
  NESTLING_ALWAYS_INLINE void exponentials(D V, std::array<D, 12>& e) const {
    const HtRates<Variant, D>& r = *c;
    if constexpr (ode::is_scalar<D>) {
      ode::exp_affine<first, end>(V, r.exp_scale, r.exp_shift, e, r.exp_safe_range);
    } else {
      for (std::size_t j = first; j < end; ++j)
        e[j] = ode::exp_reduced_of(ode::fma_of(V, r.exp_scale[j], r.exp_shift[j]));
    }
  }

  // Reads V, THETA, the channels and the NMDA gates; writes their derivatives.
  template <class State>
  NESTLING_ALWAYS_INLINE VoltageTerms voltage_terms(const State& y, D* f) const {
    const HtRates<Variant, D>& r = *c;
    D V = y[L::V_M];
    if constexpr (ode::is_scalar<D>) {
      if (k->voltage_clamp) V = k->V_clamp;
    } else {
      *exp_outside |= !(ode::abs_of(V) <= r.exp_safe_range);
    }
    std::array<D, 12> e;
    exponentials<0, 2>(V, e);
    const D m_eq_NMDA = 1.0 / (1.0 + e[0]), m_inf_NaP = 1.0 / (1.0 + e[1]);

    // NMDA: blocking is instantaneous, unblocking follows m_fast and m_slow.
    const D m_fast = ode::min_of(m_eq_NMDA, y[L::M_FAST_NMDA]);
    const D m_slow = ode::min_of(m_eq_NMDA, y[L::M_SLOW_NMDA]);
    D m_NMDA;
    if constexpr (ode::is_scalar<D>) {
      m_NMDA = nmda_open_fraction(V, m_eq_NMDA, m_fast, m_slow, k->instant_unblock_NMDA);
    } else {
      m_NMDA = nmda_unblock_mix(V, m_fast, m_slow);  // lanes never unblock instantly
    }
    f[L::M_FAST_NMDA] = (m_eq_NMDA - m_fast) * r.inv_tau_Mg_fast;
    f[L::M_SLOW_NMDA] = (m_eq_NMDA - m_slow) * r.inv_tau_Mg_slow;
    last->m_eq_NMDA = m_eq_NMDA;

    // Each state entry is read once and used at once (a stage's entries are computed when read).
    // The channels' derivatives, and the leak and synaptic currents summed with one fused
    // multiply-add per term: −Σ g·(V − E), but for NMDA's, which waits on the unblock.
    D I_leak_syn{}, NMDA_drive{};
    for (int q = 0; q < L::channels; ++q) {
      const D dg = y[L::dg(q)], g = y[L::g(q)];
      if constexpr (!unread_linear_derivatives<State>) {
        f[L::dg(q)] = channel_rise_derivative(dg, r.inv_tau_rise[q]);
        f[L::g(q)] = channel_decay_derivative(dg, g, r.inv_tau_decay[q]);
      }
      if (q == 0) {
        I_leak_syn = -(g * (V - r.E_rev[0]));
      } else if (q == 1) {
        NMDA_drive = g * (r.E_rev[1] - V);
      } else if (q < L::conductances) {
        I_leak_syn = ode::fma_of(-g, V - r.E_rev[q], I_leak_syn);
      }
    }
    I_leak_syn = ode::fma_of(-r.g_NaL, V - r.E_Na, I_leak_syn);
    I_leak_syn = ode::fma_of(-r.g_KL, V - r.E_K, I_leak_syn);
    const D I_spike = ode::select(refractory, -(V - r.E_K) * r.inv_tau_spike, ode::splat<D>(0.0));
    if constexpr (!unread_linear_derivatives<State>) f[L::THETA] = -(y[L::THETA] - r.theta_eq) * r.inv_tau_theta;

    const D NaP_drive = r.g_NaP * (r.E_NaP - V);
    D I_NaP;
    if constexpr (ode::is_scalar<D>) {
      I_NaP = k->N_NaP.raise_times(m_inf_NaP, NaP_drive);
    } else {
      I_NaP = ht::raise_whole_times(m_inf_NaP, k->N_NaP.whole, NaP_drive);
    }
    last->I_NaP = I_NaP;
    return {V, I_leak_syn, I_NaP, NMDA_drive * m_NMDA, I_spike};
  }

  // Reads the gating variables; writes dV/dt.
  template <class State>
  NESTLING_ALWAYS_INLINE GatingInputs finish_voltage(const State& y, const VoltageTerms& v, D* f) const {
    const HtRates<Variant, D>& r = *c;
    const D V = v.V;
    const D m_T = y[L::M_IT], h_T = y[L::H_IT], m_h = y[L::M_IH], Dk = y[L::D_IKNA];
    D T_gate;
    if constexpr (ode::is_scalar<D>) {
      T_gate = k->N_T.raise(m_T);
    } else {
      T_gate = ht::raise_whole(m_T, k->N_T.whole);
    }
    // m_KNa = 1 / (1 + (0.25/D)^3.5) = D^3.5 / (D^3.5 + 2^-7)
    const D D_35 = Dk * Dk * Dk * ode::sqrt_of(Dk);
    const D I_KNa = -r.g_KNa * (D_35 / (D_35 + 0.0078125)) * (V - r.E_KNa);
    const D I_T = -r.g_T * T_gate * h_T * (V - r.E_T);
    const D I_h = -r.g_h * m_h * (V - r.E_h);
    if constexpr (Variant::gap) {
      const D I_gap = r.gap_scale * (-gap.weight_sum * V + gap.potential);
      f[L::V_M] =
          ode::fma_of(I_KNa + I_T + I_h + I_stim + I_gap + v.I_leak_syn + v.I_NaP + v.I_NMDA, r.inv_tau_m, v.I_spike);
      last->I_gap = I_gap;
    } else {
      f[L::V_M] = ode::fma_of(I_KNa + I_T + I_h + I_stim + v.I_leak_syn + v.I_NaP + v.I_NMDA, r.inv_tau_m, v.I_spike);
    }
    last->I_KNa = I_KNa;
    last->I_T = I_T;
    last->I_h = I_h;
    return {V, m_T, h_T, m_h, Dk};
  }

  // Writes the gating variables' derivatives.
  NESTLING_ALWAYS_INLINE void gating(const GatingInputs& in, D* f) const {
    const HtRates<Variant, D>& r = *c;
    const auto C = [](double x) { return ode::splat<D>(x); };
    std::array<D, 12> e;
    // exp((V + 115.2)/5) = exp(21.04) / exp(−(V + 10)/5): a division (a third of the pipe time
    // of an exponential) instead of the exponential.
    exponentials<2, 7>(in.V, e);
    exponentials<8, 12>(in.V, e);
    e[7] = r.exp_product_2_7 / e[2];
    const D D_influx = 0.025 / (1.0 + e[2]);
    const D m_eq_T = 1.0 / (1.0 + e[3]), h_eq_T = 1.0 / (1.0 + e[4]), m_eq_h = 1.0 / (1.0 + e[5]);
    // 1/tau_m_T = 1/(0.22/s + 0.13) = s/(0.22 + 0.13 s) with s the sum of its two exponentials;
    // 1/tau_h_T = 1/(8.2 + (56.6 + 0.27 e')/(1 + e)) = (1 + e)/(8.2 (1 + e) + 56.6 + 0.27 e').
    const D s_mT = e[8] + e[9];
    const D rate_m_T = s_mT / ode::fma_of(C(0.13), s_mT, C(0.22));
    const D d_hT = 1.0 + e[6];
    const D rate_h_T = d_hT / ode::fma_of(C(8.2), d_hT, ode::fma_of(C(0.27), e[7], C(56.6)));
    const D rate_m_h = e[10] + e[11];
    f[L::D_IKNA] = (ode::fma_of(r.tau_D, D_influx, C(0.001)) - in.Dk) * r.inv_tau_D;
    f[L::M_IT] = (m_eq_T - in.m_T) * rate_m_T;
    f[L::H_IT] = (h_eq_T - in.h_T) * rate_h_T;
    f[L::M_IH] = (m_eq_h - in.m_h) * rate_m_h;
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

namespace ht {

// The scalar Runge–Kutta step of the Hill–Tononi models (GslStyleRkf45's stepper): Fehlberg's
// stages with the sums of ode::FehlbergStepper, and the linear entries from the step map when
// the step has the mapped length (ht_neuron_linear.hpp). The lanes' kernel repeats these very
// operations.
template <class Variant>
class HtStepper {
 public:
  using L = Layout<Variant>;
  using Vector = typename L::Vector;
  static constexpr unsigned order = ode::Fehlberg::order;

  template <class System>
  void do_step_impl(System system, const Vector& y, const Vector& dydt, double /*t*/, Vector& y_new, double s,
                    Vector& y_err) {
    const HtRhs<Variant, double>& rhs = system.get();
    if (s == rhs.k->mapped_step) {
      step<true>(rhs, y, dydt, y_new, s, y_err);
    } else {
      step<false>(rhs, y, dydt, y_new, s, y_err);
    }
  }

 private:
  template <bool mapped>
  NESTLING_ALWAYS_INLINE void step(const HtRhs<Variant, double>& rhs, const Vector& y, const Vector& dydt,
                                   Vector& y_new, double s, Vector& y_err) {
    using F = ode::Fehlberg;
    const HtConstants<Variant>& k = *rhs.k;
    const double* const stages[6] = {dydt.data(), k_[0].data(), k_[1].data(), k_[2].data(), k_[3].data(), k_[4].data()};
    stage<mapped>(rhs, y, stages, s, F::a2, k_[0]);
    stage<mapped>(rhs, y, stages, s, F::a3, k_[1]);
    stage<mapped>(rhs, y, stages, s, F::a4, k_[2]);
    stage<mapped>(rhs, y, stages, s, F::a5, k_[3]);
    stage<mapped>(rhs, y, stages, s, F::a6, k_[4]);
    const StageSum<double, 6> solution(y.data(), stages, F::b, s);
    double es[6];
    for (int j = 0; j < 6; ++j) es[j] = F::e[j] * s;
    for (int i = 0; i < L::size; ++i) {
      if (mapped && L::linear(i)) {
        y_new[i] = linear_end<L, false>(k.step_map, y.data(), i, k.theta_eq);
        y_err[i] = linear_end<L, true>(k.step_map, y.data(), i, k.theta_eq);
      } else {
        y_new[i] = solution[i];
        double err = es[0] * stages[0][i];
        for (int j = 1; j < 6; ++j) err = ode::fma_of(es[j], stages[j][i], err);
        y_err[i] = err;
      }
    }
  }

  // Always inlined, as the step: the caller (integrate_step) is built once per instruction set,
  // and an out-of-line stage took glibc's software fma (2x the scalar code's time).
  template <bool mapped, int terms>
  NESTLING_ALWAYS_INLINE static void stage(const HtRhs<Variant, double>& rhs, const Vector& y,
                                           const double* const (&stages)[6], double s, const double (&a)[terms],
                                           Vector& out) {
    const StageSum<double, terms> sum(y.data(), stages, a, s);
    if constexpr (mapped) {
      rhs(MappedStage<L, double, terms, LinearStepMap<L::channels>, false>{sum, &rhs.k->step_map}, out.data());
    } else {
      rhs(sum, out.data());
    }
  }

  std::array<Vector, 5> k_{};  // stages 2..6
};

template <class Variant>
using Integrator = ode::GslStyleRkf45<static_cast<std::size_t>(Layout<Variant>::size), HtStepper<Variant>>;

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
inline bool advance(HtCell<Variant>& s, const HtConstants<Variant>& k, double h, Integrator<Variant>& integrator) {
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
