#include "models/ht_neuron.hpp"

#include <sstream>

#include "engine/ode/vector_clones.hpp"

namespace nestling {

using namespace ht;

// ------------------------------------------------------------------------ parameters, state

void HtParameters::equilibrate(StateVector& y, double V) const {
  y[M_FAST_NMDA] = m_eq_NMDA(V);
  y[M_SLOW_NMDA] = m_eq_NMDA(V);
  y[M_IH] = m_eq_h(V);
  y[D_IKNA] = D_eq_KNa(V);
  y[M_IT] = m_eq_T(V);
  y[H_IT] = h_eq_T(V);
}

StateVector HtParameters::equilibrium_state() const {
  StateVector y{};
  y[V_M] = (g_NaL * E_Na + g_KL * E_K) / (g_NaL + g_KL);
  y[THETA] = theta_eq;
  equilibrate(y, y[V_M]);
  return y;
}

namespace {

// g(t) of a beta synapse peaks at t_peak = τr·τd·ln(τd/τr)/(τd−τr); scaling the DG jump by
// (1/τr − 1/τd)/(e^(−t_peak/τd) − e^(−t_peak/τr)) makes that peak equal to w·g_peak.
double beta_jump(double tau_rise, double tau_decay, double g_peak) {
  const double t_peak = (tau_decay * tau_rise) * std::log(tau_decay / tau_rise) / (tau_decay - tau_rise);
  const double prefactor = (1 / tau_rise) - (1 / tau_decay);
  const double peak = std::exp(-t_peak / tau_decay) - std::exp(-t_peak / tau_rise);
  return g_peak * prefactor / peak;
}

using Proto = HtNeuron::Prototype;

ParamBinder<Proto>& add_conductance(ParamBinder<Proto>& b, const char* name, double HtParameters::*m) {
  return b.real(name, m, "", Check::non_negative, "peak conductance (unitless)");
}
ParamBinder<Proto>& add_time_constant(ParamBinder<Proto>& b, const char* name, double HtParameters::*m,
                                      const char* doc) {
  return b.real(name, m, "ms", Check::positive, doc);
}
ParamBinder<Proto>& add_potential(ParamBinder<Proto>& b, const char* name, double HtParameters::*m, const char* doc) {
  return b.real(name, m, "mV", Check::any, doc);
}

ParamBinder<Proto>& add_state_entry(ParamBinder<Proto>& b, const char* name, int index, const char* doc) {
  b.custom(
      {name, ParamKind::real, "mV", Check::any, doc},
      [index](Proto& p, const Value& v, const std::string& path) {
        const double x = v.as_double();
        if (std::isnan(x)) throw UserError(path, "must be a number, got NaN");
        p.y[index] = x;
      },
      [index](const Proto& p) { return Value(p.y[index]); });
  return b.state();
}

const ParamBinder<Proto>& binder() {
  static const ParamBinder<Proto> b = [] {
    ParamBinder<Proto> x;
    using P = HtParameters;
    add_potential(x, "E_Na", &P::E_Na, "Na leak reversal; V and theta are set to it at a spike");
    add_potential(x, "E_K", &P::E_K, "K leak reversal; reversal of the post-spike K current");
    add_conductance(x, "g_NaL", &P::g_NaL);
    add_conductance(x, "g_KL", &P::g_KL);
    add_time_constant(x, "tau_m", &P::tau_m, "membrane time constant");
    add_potential(x, "theta_eq", &P::theta_eq, "equilibrium threshold");
    add_time_constant(x, "tau_theta", &P::tau_theta, "threshold time constant");
    add_time_constant(x, "tau_spike", &P::tau_spike, "time constant of the post-spike K current");
    x.real("t_ref", &P::t_ref, "ms", Check::non_negative, "refractory time and duration of the post-spike K current");
    add_conductance(x, "g_peak_AMPA", &P::g_peak_AMPA);
    add_time_constant(x, "tau_rise_AMPA", &P::tau_rise_AMPA, "AMPA rise time, < tau_decay_AMPA");
    add_time_constant(x, "tau_decay_AMPA", &P::tau_decay_AMPA, "AMPA decay time");
    add_potential(x, "E_rev_AMPA", &P::E_rev_AMPA, "AMPA reversal potential");
    add_conductance(x, "g_peak_NMDA", &P::g_peak_NMDA);
    add_time_constant(x, "tau_rise_NMDA", &P::tau_rise_NMDA, "NMDA rise time, < tau_decay_NMDA");
    add_time_constant(x, "tau_decay_NMDA", &P::tau_decay_NMDA, "NMDA decay time");
    add_potential(x, "E_rev_NMDA", &P::E_rev_NMDA, "NMDA reversal potential");
    add_potential(x, "V_act_NMDA", &P::V_act_NMDA, "midpoint of the NMDA unblock sigmoid");
    x.real("S_act_NMDA", &P::S_act_NMDA, "1/mV", Check::non_negative, "slope of the NMDA unblock sigmoid");
    add_time_constant(x, "tau_Mg_slow_NMDA", &P::tau_Mg_slow_NMDA, "slow NMDA unblock time, > tau_Mg_fast_NMDA");
    add_time_constant(x, "tau_Mg_fast_NMDA", &P::tau_Mg_fast_NMDA, "fast NMDA unblock time");
    x.boolean("instant_unblock_NMDA", &P::instant_unblock_NMDA, "NMDA unblock follows V instantaneously");
    add_conductance(x, "g_peak_GABA_A", &P::g_peak_GABA_A);
    add_time_constant(x, "tau_rise_GABA_A", &P::tau_rise_GABA_A, "GABA_A rise time, < tau_decay_GABA_A");
    add_time_constant(x, "tau_decay_GABA_A", &P::tau_decay_GABA_A, "GABA_A decay time");
    add_potential(x, "E_rev_GABA_A", &P::E_rev_GABA_A, "GABA_A reversal potential");
    add_conductance(x, "g_peak_GABA_B", &P::g_peak_GABA_B);
    add_time_constant(x, "tau_rise_GABA_B", &P::tau_rise_GABA_B, "GABA_B rise time, < tau_decay_GABA_B");
    add_time_constant(x, "tau_decay_GABA_B", &P::tau_decay_GABA_B, "GABA_B decay time");
    add_potential(x, "E_rev_GABA_B", &P::E_rev_GABA_B, "GABA_B reversal potential");
    add_conductance(x, "g_peak_NaP", &P::g_peak_NaP);
    add_potential(x, "E_rev_NaP", &P::E_rev_NaP, "persistent Na current reversal potential");
    x.real("N_NaP", &P::N_NaP, "", Check::any, "exponent of the I_NaP activation");
    add_conductance(x, "g_peak_KNa", &P::g_peak_KNa);
    add_potential(x, "E_rev_KNa", &P::E_rev_KNa, "depolarisation-activated K current reversal potential");
    add_time_constant(x, "tau_D_KNa", &P::tau_D_KNa, "time constant of the Na influx variable D");
    add_conductance(x, "g_peak_T", &P::g_peak_T);
    add_potential(x, "E_rev_T", &P::E_rev_T, "low-threshold Ca current reversal potential");
    x.real("N_T", &P::N_T, "", Check::any, "exponent of the I_T activation");
    add_conductance(x, "g_peak_h", &P::g_peak_h);
    add_potential(x, "E_rev_h", &P::E_rev_h, "hyperpolarisation-activated current reversal potential");
    x.boolean("voltage_clamp", &P::voltage_clamp, "hold V_m at its value at the start of each Simulate");
    add_state_entry(x, "V_m", V_M, "membrane potential");
    add_state_entry(x, "theta", THETA, "spike threshold");
    x.custom(
        {"equilibrate", ParamKind::boolean, "", Check::any,
         "action: set the gating variables to equilibrium at V_m (with the parameters before this call)", false, false,
         true},
        [](Proto& p, const Value& v, const std::string&) { p.equilibrate_requested = v.as_bool(); },
        [](const Proto&) { return Value(false); });
    x.custom(
         {"t_spike", ParamKind::real, "ms", Check::any, "time of the latest spike, -1 if none"},
         [](Proto&, const Value&, const std::string&) {}, [](const Proto&) { return Value(-1.0); })
        .read_only();
    x.custom(
         {"receptor_types", ParamKind::any, "", Check::any, "receptor numbers by name"},
         [](Proto&, const Value&, const std::string&) {},
         [](const Proto&) { return Value(HtNeuron::receptor_type_names()); })
        .read_only();
    return x;
  }();
  return b;
}

// The cross-parameter rules of NEST's Parameters_::set.
void check_relations(const HtParameters& p) {
  auto rise_below_decay = [](const char* rise, double r, const char* decay, double d) {
    if (r >= d) {
      std::ostringstream os;
      os << "must be less than " << decay << " (" << d << " ms), got " << r;
      throw UserError(rise, os.str());
    }
  };
  rise_below_decay("tau_rise_AMPA", p.tau_rise_AMPA, "tau_decay_AMPA", p.tau_decay_AMPA);
  rise_below_decay("tau_rise_GABA_A", p.tau_rise_GABA_A, "tau_decay_GABA_A", p.tau_decay_GABA_A);
  rise_below_decay("tau_rise_GABA_B", p.tau_rise_GABA_B, "tau_decay_GABA_B", p.tau_decay_GABA_B);
  rise_below_decay("tau_rise_NMDA", p.tau_rise_NMDA, "tau_decay_NMDA", p.tau_decay_NMDA);
  rise_below_decay("tau_Mg_fast_NMDA", p.tau_Mg_fast_NMDA, "tau_Mg_slow_NMDA", p.tau_Mg_slow_NMDA);
}

}  // namespace

HtConstants HtConstants::from(const HtParameters& p, double V_now, int refractory_steps) {
  HtConstants c{};
  c.E_Na = p.E_Na;
  c.E_K = p.E_K;
  c.g_NaL = p.g_NaL;
  c.g_KL = p.g_KL;
  c.inv_tau_m = 1.0 / p.tau_m;
  c.inv_tau_spike = 1.0 / p.tau_spike;
  c.theta_eq = p.theta_eq;
  c.inv_tau_theta = 1.0 / p.tau_theta;
  const std::array<double, 4> rise = {p.tau_rise_AMPA, p.tau_rise_NMDA, p.tau_rise_GABA_A, p.tau_rise_GABA_B};
  const std::array<double, 4> decay = {p.tau_decay_AMPA, p.tau_decay_NMDA, p.tau_decay_GABA_A, p.tau_decay_GABA_B};
  const std::array<double, 4> g_peak = {p.g_peak_AMPA, p.g_peak_NMDA, p.g_peak_GABA_A, p.g_peak_GABA_B};
  c.E_rev = {p.E_rev_AMPA, p.E_rev_NMDA, p.E_rev_GABA_A, p.E_rev_GABA_B};
  for (int r = 0; r < 4; ++r) {
    c.inv_tau_rise[r] = 1.0 / rise[r];
    c.inv_tau_decay[r] = 1.0 / decay[r];
    c.cond_step[r] = beta_jump(rise[r], decay[r], g_peak[r]);
  }
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
  c.exp_offset = {-p.V_act_NMDA, 55.7, 10.0, 59.0, 83.0, 75.0, 86.0, 115.2, 132.0, 16.8, 14.59 / 0.086, -1.87 / 0.0701};
  c.exp_scale = {-p.S_act_NMDA, -1.0 / 7.7, -1.0 / 5.0,  -1.0 / 6.2, 1.0 / 4.0, 1.0 / 5.5,
                 1.0 / 3.2,     1.0 / 5.0,  -1.0 / 16.7, 1.0 / 18.2, -0.086,    0.0701};
  c.exp_safe_range = ode::exp_affine_safe_range(c.exp_offset, c.exp_scale);
  c.N_NaP = GatingExponent::of(p.N_NaP);
  c.N_T = GatingExponent::of(p.N_T);
  c.instant_unblock_NMDA = p.instant_unblock_NMDA;
  c.voltage_clamp = p.voltage_clamp;
  c.V_clamp = V_now;
  c.refractory_steps = refractory_steps;
  return c;
}

// ------------------------------------------------------------------------ model interface

std::vector<ParamSpec> HtNeuron::parameter_specs() { return binder().specs(); }

Dict HtNeuron::describe(const Prototype& p) { return describe_parameters(binder(), p); }

std::string HtNeuron::documentation() {
  return "Hill & Tononi (2005) neuron: leak, threshold dynamics, post-spike K current, AMPA/NMDA/GABA_A/GABA_B "
         "beta-function conductances (receptors 1-4; a spike of weight w makes g peak at w*g_peak), NMDA Mg "
         "unblock, and the intrinsic currents I_NaP, I_KNa, I_T, I_h. Current input on receptor 0. Integrated "
         "with adaptive RKF45 (absolute error 1e-3), taking the steps NEST 2.20's GSL solver takes. State: V_m, theta; "
         "`equilibrate: true` sets the gating variables to equilibrium at V_m.";
}

std::vector<std::string> HtNeuron::recordable_names() {
  return {"V_m", "theta", "g_AMPA", "g_NMDA", "g_GABA_A", "g_GABA_B", "I_NaP", "I_KNa", "I_T", "I_h"};
}

Dict HtNeuron::receptor_type_names() {
  return {{"AMPA", 1}, {"NMDA", 2}, {"GABA_A", 3}, {"GABA_B", 4}};
}

void HtNeuron::apply(Prototype& p, const Dict& d, const std::string& model) {
  Prototype next = p;
  next.equilibrate_requested = false;
  apply_parameters(binder(), next, d, model);
  check_relations(next);
  if (next.equilibrate_requested) p.equilibrate(next.y, next.y[V_M]);  // with the parameters before the call
  next.equilibrate_requested = false;
  p = std::move(next);
}

const std::vector<std::string>& HtNeuron::recordables() const {
  static const std::vector<std::string> names = recordable_names();
  return names;
}

HtNeuron::HtNeuron(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto)
    : NodeGroup(model, first, n), params_(n, proto), constants_(n), nodes_(n), last_spike_(n, -1) {
  for (std::size_t i = 0; i < n; ++i) set_initial_state(i, proto);
}

void HtNeuron::set_initial_state(std::size_t i, const Prototype& proto) {
  NodeState& s = nodes_[i];
  s.y = proto.y;
  s.ref_steps = 0;
  s.last = HtCurrents{};
  s.derivative_known = false;
}

HtNeuron::Prototype HtNeuron::prototype_of(std::size_t i) const {
  Prototype p;
  static_cast<HtParameters&>(p) = params_[i];
  p.y = nodes_[i].y;
  return p;
}

void HtNeuron::set_status(std::size_t i, const Dict& d) {
  Prototype p = prototype_of(i);
  apply(p, d, model_name());
  params_[i] = p;
  nodes_[i].y = p.y;
  nodes_[i].derivative_known = false;
}

Dict HtNeuron::get_status(std::size_t i) const {
  Dict d = describe(prototype_of(i));
  d.set("t_spike", last_spike_[i] < 0 ? -1.0 : grid().steps_to_ms(last_spike_[i]));
  return d;
}

int HtNeuron::spike_buffer(long receptor) const {
  if (receptor >= 1 && receptor <= 4) return static_cast<int>(receptor - 1);
  throw UserError("receptor_type", "model " + model_name() +
                                       " takes spikes only on receptors 1 (AMPA), 2 (NMDA), 3 (GABA_A) and 4 "
                                       "(GABA_B), not on receptor " +
                                       std::to_string(receptor));
}

int HtNeuron::current_buffer(long receptor) const {
  if (receptor == 0) return 4;
  throw UserError("receptor_type", "model " + model_name() + " takes currents only on receptor 0, not on receptor " +
                                       std::to_string(receptor));
}

void HtNeuron::init_buffers() {
  h_ = grid().steps_to_ms(1);
  for (std::size_t i = 0; i < size(); ++i) {
    nodes_[i].step = h_;
    nodes_[i].I_stim = 0.0;
    nodes_[i].derivative_known = false;
    last_spike_[i] = -1;
  }
}

void HtNeuron::reset_state() {
  const auto& proto = dynamic_cast<const NodeModelOf<HtNeuron>&>(model()).prototype();
  for (std::size_t i = 0; i < size(); ++i) set_initial_state(i, proto);
}

void HtNeuron::calibrate(const CalibrationContext& ctx) {
  for (std::size_t i = 0; i < size(); ++i) {
    const auto refractory = ctx.grid->ms_to_steps(params_[i].t_ref);
    constants_[i] = HtConstants::from(params_[i], nodes_[i].y[V_M], static_cast<int>(refractory));
    nodes_[i].derivative_known = false;
  }
}

// ------------------------------------------------------------------------ simulation

NESTLING_VECTOR_CLONES bool HtNeuron::integrate_step(std::size_t i, double h,
                                                     ode::GslStyleRkf45<STATE_SIZE>& integrator) {
  NodeState& s = nodes_[i];
  const HtConstants& k = constants_[i];
  HtDynamics rhs{&k, s.I_stim, s.ref_steps > 0, &s.last};
  bool spiked = false;
  double t = 0.0;
  while (t < h) {
    // GSL evaluates the derivative at the start of every call; it is unchanged unless the
    // state or the inputs changed since the end of the previous sub-step.
    if (!s.derivative_known) rhs(s.y, s.dydt, t);
    integrator.apply(rhs, s.y, s.dydt, t, h, s.step);
    s.derivative_known = true;

    if (k.voltage_clamp) s.y[V_M] = k.V_clamp;
    // Instantaneous NMDA block. The right-hand side already uses min(m_eq, m), so the
    // derivative stays valid. s.last.m_eq_NMDA is m_eq at the accepted V.
    s.y[M_FAST_NMDA] = std::min(s.last.m_eq_NMDA, s.y[M_FAST_NMDA]);
    s.y[M_SLOW_NMDA] = std::min(s.last.m_eq_NMDA, s.y[M_SLOW_NMDA]);

    if (s.ref_steps == 0 && s.y[V_M] >= s.y[THETA]) {
      s.y[V_M] = k.E_Na;
      s.y[THETA] = k.E_Na;
      s.ref_steps = k.refractory_steps + 1;  // the decrement at the end of this step makes it R
      rhs.refractory = true;
      s.derivative_known = false;
      spiked = true;
    }
  }
  if (s.ref_steps > 0 && --s.ref_steps == 0) s.derivative_known = false;  // I_spike ends
  return spiked;
}

// Names of the state vector's entries, for divergence reports (NEST's names where it has them).
constexpr const char* kStateNames[STATE_SIZE] = {
    "V_m",       "theta",    "dg_AMPA",     "g_AMPA",      "dg_NMDA", "g_NMDA", "dg_GABA_A", "g_GABA_A",
    "dg_GABA_B", "g_GABA_B", "m_fast_NMDA", "m_slow_NMDA", "m_Ih",    "D_IKNa", "m_IT",      "h_IT"};

void HtNeuron::update(UpdateContext& ctx, std::size_t begin, std::size_t end) {
  ode::GslStyleRkf45<STATE_SIZE> integrator({.eps_abs = 1e-3, .eps_rel = 0.0, .a_y = 1.0, .a_dydt = 0.0});
  const int ring = ctx.ring_len;
  for (std::size_t i = begin; i < end; ++i) {
    NodeState& s = nodes_[i];
    const HtConstants& k = constants_[i];
    double* in = inputs(ctx, i);
    for (int lag = ctx.from; lag < ctx.to; ++lag) {
      const bool spiked = integrate_step(i, h_, integrator);
      if (integrator.failed()) integration_failed(ctx, i, lag, integrator.failure(), kStateNames);
      if (spiked) {
        last_spike_[i] = ctx.origin + lag + 1;
        ctx.emit(first_gid() + i, lag, EventKind::spike, 1.0);
      }
      const int slot = ctx.slot(lag);
      for (int r = 0; r < 4; ++r) {
        double& arrived = in[r * ring + slot];
        if (arrived != 0.0) {
          s.y[DG_AMPA + 2 * r] += k.cond_step[r] * arrived;
          s.derivative_known = false;
          arrived = 0.0;
        }
      }
      double& current = in[4 * ring + slot];
      if (current != s.I_stim) {
        s.I_stim = current;  // applies during the next step
        s.derivative_known = false;
      }
      current = 0.0;
      if (sampled(i)) sample(ctx, i, ctx.origin + lag + 1);
    }
  }
}

double HtNeuron::recordable_value(std::size_t i, int which) const {
  const NodeState& s = nodes_[i];
  switch (which) {
    case 0:
      return s.y[V_M];
    case 1:
      return s.y[THETA];
    case 2:
      return s.y[G_AMPA];
    case 3: {
      // NEST recomputes the unblock from the stored (already clamped) m values.
      const HtParameters& p = params_[i];
      const double V = s.y[V_M];
      // NEST reports the unclamped mix (the right-hand side clamps m_fast and m_slow to m_eq).
      return s.y[G_NMDA_TIMECOURSE] *
             nmda_open_fraction(V, p.m_eq_NMDA(V), s.y[M_FAST_NMDA], s.y[M_SLOW_NMDA], p.instant_unblock_NMDA);
    }
    case 4:
      return s.y[G_GABA_A];
    case 5:
      return s.y[G_GABA_B];
    case 6:
      return s.last.I_NaP;
    case 7:
      return s.last.I_KNa;
    case 8:
      return s.last.I_T;
    case 9:
      return s.last.I_h;
    default:
      return 0.0;
  }
}

}  // namespace nestling
