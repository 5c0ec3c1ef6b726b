// ht_neuron: the Hill & Tononi (2005) point neuron with NEST 2.20.2's semantics (spec §1).
//
// Sixteen state variables (membrane potential, threshold, four beta-function synapses, NMDA
// unblock, four intrinsic-current gates) are integrated together with GSL-style adaptive RKF45
// (absolute error 1e-3). After every accepted sub-step the NMDA block is enforced and the spike
// test runs; a spike sets V and θ to E_Na and starts the post-spike K current for t_ref.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

#include "engine/node_model.hpp"
#include "engine/ode/gsl_style_rkf45.hpp"
#include "engine/ode/packed_exp.hpp"

namespace nestling {

// Positions in the state vector (NEST's State_ enum).
namespace ht {
enum Index : int {
  V_M = 0,
  THETA,
  DG_AMPA,
  G_AMPA,
  DG_NMDA_TIMECOURSE,
  G_NMDA_TIMECOURSE,
  DG_GABA_A,
  G_GABA_A,
  DG_GABA_B,
  G_GABA_B,
  M_FAST_NMDA,
  M_SLOW_NMDA,
  M_IH,
  D_IKNA,
  M_IT,
  H_IT,
  STATE_SIZE
};
using StateVector = ode::Vector<STATE_SIZE>;
}  // namespace ht

// Parameters under NEST's names and defaults (spec §1.2). Conductances are unitless.
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

  // Equilibrium functions of the gating variables (spec §1.4), as NEST writes them.
  double m_eq_NMDA(double V) const { return 1.0 / (1.0 + std::exp(-S_act_NMDA * (V - V_act_NMDA))); }
  double D_eq_KNa(double V) const { return tau_D_KNa * (0.025 / (1.0 + std::exp(-(V + 10.0) / 5.0))) + 0.001; }
  static double m_eq_h(double V) { return 1.0 / (1.0 + std::exp((V + 75.0) / 5.5)); }
  static double m_eq_T(double V) { return 1.0 / (1.0 + std::exp(-(V + 59.0) / 6.2)); }
  static double h_eq_T(double V) { return 1.0 / (1.0 + std::exp((V + 83.0) / 4.0)); }
  // Sets the six gating variables of `y` to their equilibrium at `V`.
  void equilibrate(ht::StateVector& y, double V) const;
  // The resting state of a neuron with these parameters: V = V_eq, θ = θ_eq, gates at equilibrium.
  ht::StateVector equilibrium_state() const;
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

// What the right-hand side needs, derived from HtParameters once per Simulate (calibrate):
// reciprocal time constants so that the hot path multiplies instead of dividing.
struct HtConstants {
  double E_Na, E_K, g_NaL, g_KL, inv_tau_m, inv_tau_spike;
  double theta_eq, inv_tau_theta;
  std::array<double, 4> inv_tau_rise, inv_tau_decay, E_rev;  // AMPA, NMDA, GABA_A, GABA_B
  double S_act_NMDA, V_act_NMDA, inv_tau_Mg_fast, inv_tau_Mg_slow;
  double g_NaP, E_NaP, g_KNa, E_KNa, tau_D, inv_tau_D, g_T, E_T, g_h, E_h;
  GatingExponent N_NaP, N_T;
  // exp((V + exp_offset[k]) * exp_scale[k]) are the exponentials of the gating functions:
  // 0 NMDA unblock, 1 I_NaP activation, 2 Na influx (D), 3 m_eq_T, 4 h_eq_T, 5 m_eq_h,
  // 6 and 7 tau_h_T (denominator, numerator), 8 and 9 tau_m_T, 10 and 11 tau_m_h.
  std::array<double, 12> exp_offset, exp_scale;
  double exp_safe_range;  // |V| up to which the fast exp applies
  bool instant_unblock_NMDA, voltage_clamp;
  double V_clamp;                   // V_m at the start of the Simulate call
  std::array<double, 4> cond_step;  // DG jump per unit weight (beta normalisation, spec §1.6)
  int refractory_steps;             // t_ref in steps, rounded up

  static HtConstants from(const HtParameters& p, double V_now, int refractory_steps);
};

// Values the right-hand side computes on the way that the update loop and the recorder use.
struct HtCurrents {
  double I_NaP = 0.0, I_KNa = 0.0, I_T = 0.0, I_h = 0.0;  // mV, recordables
  double m_eq_NMDA = 0.0;                                 // at the evaluated V, for the block
};

// NEST's m_NMDA: the open fraction of NMDA channels, mixing fast and slow unblocking (A1 is
// voltage dependent), or the equilibrium value with instant unblocking.
inline double nmda_open_fraction(double V, double m_eq, double m_fast, double m_slow, bool instant_unblock) {
  if (instant_unblock) return m_eq;
  const double A1 = 0.51 - 0.0028 * V;
  return A1 * m_fast + (1.0 - A1) * m_slow;
}

// The right-hand side (spec §1.5). Every evaluation overwrites `last`, so after an
// integration step it holds the values at the accepted end point, as NEST's cached currents.
struct HtDynamics {
  const HtConstants* k;
  double I_stim;
  bool refractory;
  HtCurrents* last;

  void operator()(const ht::StateVector& y, ht::StateVector& f, double /*t*/) const {
    using namespace ht;
    const HtConstants& c = *k;
    const double V = c.voltage_clamp ? c.V_clamp : y[V_M];

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
    const double m_fast = std::min(m_eq_NMDA, y[M_FAST_NMDA]);
    const double m_slow = std::min(m_eq_NMDA, y[M_SLOW_NMDA]);
    const double m_NMDA = nmda_open_fraction(V, m_eq_NMDA, m_fast, m_slow, c.instant_unblock_NMDA);

    const double I_syn = -y[G_AMPA] * (V - c.E_rev[0]) - y[G_NMDA_TIMECOURSE] * m_NMDA * (V - c.E_rev[1]) -
                         y[G_GABA_A] * (V - c.E_rev[2]) - y[G_GABA_B] * (V - c.E_rev[3]);
    const double I_spike = refractory ? -(V - c.E_K) * c.inv_tau_spike : 0.0;
    const double I_Na = -c.g_NaL * (V - c.E_Na);
    const double I_K = -c.g_KL * (V - c.E_K);

    const double I_NaP = -c.g_NaP * c.N_NaP.raise(m_inf_NaP) * (V - c.E_NaP);
    // m_KNa = 1 / (1 + (0.25/D)^3.5) = D^3.5 / (D^3.5 + 2^-7)
    const double D = y[D_IKNA];
    const double D_35 = D * D * D * std::sqrt(D);
    const double I_KNa = -c.g_KNa * (D_35 / (D_35 + 0.0078125)) * (V - c.E_KNa);
    const double I_T = -c.g_T * c.N_T.raise(y[M_IT]) * y[H_IT] * (V - c.E_T);
    const double I_h = -c.g_h * y[M_IH] * (V - c.E_h);

    f[V_M] = (I_Na + I_K + I_syn + I_NaP + I_KNa + I_T + I_h + I_stim) * c.inv_tau_m + I_spike;
    f[THETA] = -(y[THETA] - c.theta_eq) * c.inv_tau_theta;
    for (int r = 0; r < 4; ++r) {
      f[DG_AMPA + 2 * r] = -y[DG_AMPA + 2 * r] * c.inv_tau_rise[r];
      f[G_AMPA + 2 * r] = y[DG_AMPA + 2 * r] - y[G_AMPA + 2 * r] * c.inv_tau_decay[r];
    }
    f[M_FAST_NMDA] = (m_eq_NMDA - m_fast) * c.inv_tau_Mg_fast;
    f[M_SLOW_NMDA] = (m_eq_NMDA - m_slow) * c.inv_tau_Mg_slow;
    f[D_IKNA] = (c.tau_D * D_influx + 0.001 - D) * c.inv_tau_D;
    f[M_IT] = (m_eq_T - y[M_IT]) * rate_m_T;
    f[H_IT] = (h_eq_T - y[H_IT]) * rate_h_T;
    f[M_IH] = (m_eq_h - y[M_IH]) * rate_m_h;

    *last = {I_NaP, I_KNa, I_T, I_h, m_eq_NMDA};
  }
};

class HtNeuron final : public NodeGroup {
 public:
  // Model defaults: the parameters and the initial state of new nodes.
  struct Prototype : HtParameters {
    Prototype() : y(equilibrium_state()) {}
    ht::StateVector y;
    bool equilibrate_requested = false;  // set by the action flag `equilibrate`, consumed by apply()
  };
  static constexpr NodeKind node_kind = NodeKind::neuron;
  static std::vector<ParamSpec> parameter_specs();
  // Sets parameters and state like NEST's set_status: transactional; `equilibrate` uses the
  // parameters in force before this call (NEST 2.20 quirk, spec §1.3).
  static void apply(Prototype& p, const Dict& d, const std::string& model);
  static Dict describe(const Prototype& p);
  static std::string documentation();
  static std::vector<std::string> recordable_names();
  static Dict receptor_type_names();

  HtNeuron(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto);

  NodeKind kind() const override { return node_kind; }
  void set_status(std::size_t i, const Dict& d) override;
  Dict get_status(std::size_t i) const override;
  // Buffers 0..3: spikes on receptors 1..4 (AMPA, NMDA, GABA_A, GABA_B); buffer 4: current on 0.
  int num_buffers() const override { return 5; }
  int spike_buffer(long receptor) const override;
  int current_buffer(long receptor) const override;
  long receptor_of_buffer(int buffer) const override { return buffer < 4 ? buffer + 1 : 0; }
  bool conductance_buffer(int buffer) const override { return buffer < 4; }
  Dict receptor_types() const override { return receptor_type_names(); }
  void init_buffers() override;
  void reset_state() override;
  void calibrate(const CalibrationContext& ctx) override;
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override;
  const std::vector<std::string>& recordables() const override;
  double recordable_value(std::size_t i, int which) const override;
  std::size_t state_bytes() const override {
    return size() * (sizeof(HtParameters) + sizeof(HtConstants) + sizeof(NodeState) + sizeof(step_t));
  }

 private:
  // Per-node dynamic state, one contiguous block per neuron.
  struct NodeState {
    ht::StateVector y{};
    ht::StateVector dydt{};  // derivative at y, valid while derivative_known
    double step = 0.0;       // the integrator's proposed step, carried across steps (GSL)
    double I_stim = 0.0;     // current applied during the present step
    HtCurrents last;         // values of the latest right-hand-side evaluation
    int ref_steps = 0;
    bool derivative_known = false;
  };

  Prototype prototype_of(std::size_t i) const;
  void set_initial_state(std::size_t i, const Prototype& proto);
  // Integrates node i over one step; returns true if it spiked.
  bool integrate_step(std::size_t i, double h, ode::GslStyleRkf45<ht::STATE_SIZE>& integrator);

  std::vector<HtParameters> params_;
  std::vector<HtConstants> constants_;
  std::vector<NodeState> nodes_;
  std::vector<step_t> last_spike_;  // stamp of the latest spike, -1 if none
  double h_ = 0.1;                  // resolution in ms, as NEST computes it
};

}  // namespace nestling
