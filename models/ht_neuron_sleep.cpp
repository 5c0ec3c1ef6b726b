#include "models/ht_neuron_sleep.hpp"

namespace nestling {

namespace {

// ht_neuron's table without N_NaP / N_T, then the sleep model's parameters (mc-sleep §1.3).
template <class Group>
ParamBinder<typename Group::Prototype> sleep_binder() {
  using Proto = typename Group::Prototype;
  using P = typename Group::Parameters;
  ParamBinder<Proto> b;
  add_ht_parameters(b, false);
  b.real("g_peak_GABA_B1a", &P::g_peak_GABA_B1a, "", Check::non_negative,
         "peak of the GABA_B1a conductance per unit weight (it carries no current; it scales input)");
  b.real("tau_rise_GABA_B1a", &P::tau_rise_GABA_B1a, "ms", Check::positive, "GABA_B1a rise time");
  b.real("tau_decay_GABA_B1a", &P::tau_decay_GABA_B1a, "ms", Check::positive, "GABA_B1a decay time");
  b.real("g_max_GABA_B1a", &P::g_max_GABA_B1a, "", Check::non_negative,
         "cap of the GABA_B1a conductance and its soft bound (0 gives NaN, as in NEST)");
  b.real("xmax_GABA_B1a", &P::xmax_GABA_B1a, "", Check::unit_interval, "upper bound of every scaling factor");
  const std::size_t slots = std::tuple_size_v<decltype(P::alpha_GABA_B1a)>;
  std::string names;
  for (std::size_t r = 0; r < slots; ++r) names += std::string(r ? ", " : "") + Group::Traits::receptors[r];
  b.custom(
      {"alpha_GABA_B1a", ParamKind::real_list, "", Check::any,
       "GABA_B1a's weight on the scaling of each receptor (" + names +
           "), each in [0, 1]: x = clamp(1 - alpha g, 0, "
           "xmax_GABA_B1a)"},
      [slots, names](Proto& p, const Value& v, const std::string& path) {
        const std::vector<double> a = v.as_double_vector();
        if (a.size() != slots)
          throw UserError(path, "must list " + std::to_string(slots) + " values, one per receptor except MINI (" +
                                    names + "), got " + std::to_string(a.size()));
        for (double x : a)
          if (!(x >= 0.0 && x <= 1.0)) throw UserError(path, "values must lie in [0, 1], got " + format_number(x));
        std::copy(a.begin(), a.end(), p.alpha_GABA_B1a.begin());
      },
      [](const Proto& p) { return Value(std::vector<double>(p.alpha_GABA_B1a.begin(), p.alpha_GABA_B1a.end())); });
  b.real("mini_mean", &P::mini_mean, "mV", Check::any, "mean jump of V_m per mini");
  b.real("mini_sigma", &P::mini_sigma, "mV", Check::any, "standard deviation of the mini jump");
  b.real("g_gap_scale_factor", &P::g_gap_scale_factor, "", Check::non_negative, "multiplies the gap-junction current");
  if constexpr (Group::Traits::conductances == 5) {
    b.real("g_peak_mGluR", &P::g_peak_mGluR, "", Check::any, "peak mGluR conductance (may be negative)");
    b.real("tau_rise_mGluR", &P::tau_rise_mGluR, "ms", Check::any, "mGluR rise time (not checked, as in NEST)");
    b.real("tau_decay_mGluR", &P::tau_decay_mGluR, "ms", Check::any, "mGluR decay time (not checked, as in NEST)");
    b.real("E_rev_mGluR", &P::E_rev_mGluR, "mV", Check::any, "mGluR reversal potential");
  }
  add_ht_state<Group>(b);
  return b;
}

const char* sleep_documentation =
    "leak, threshold, post-spike K current, NMDA unblock, I_NaP, I_KNa, I_T and I_h as ht_neuron (g_peak_NaP and "
    "g_peak_KNa default to 0.5); beta-function conductances AMPA, NMDA, GABA_A, GABA_B on receptors 1-4; a GABA_B1a "
    "conductance without current whose value, capped at g_max_GABA_B1a, scales every arriving weight by "
    "x = clamp(1 - alpha_GABA_B1a g, 0, xmax_GABA_B1a) and softly bounds its own input; minis: any positive MINI input "
    "in a step adds one jump mini_mean + mini_sigma z to V_m (z from the neuron's own random stream, not the "
    "thread's as in NEST); the gap-junction current g_gap_scale_factor (P - S V). Spike test, voltage clamp and NMDA "
    "block once per step after the whole RKF45 step (absolute error 1e-3). Current input on receptor 0. Recordables "
    "add g_GABA_B1a (capped), x_GABA_B1a (the NMDA factor) and I_gap.";

}  // namespace

template <>
const ParamBinder<HtSleepNeuron::Prototype>& HtSleepNeuron::binder() {
  static const ParamBinder<Prototype> b = sleep_binder<HtSleepNeuron>();
  return b;
}

template <>
void HtSleepNeuron::check_relations(const Prototype& p) {
  check_ht_relations(p);  // GABA_B1a's rise < decay is not required
}

template <>
std::string HtSleepNeuron::documentation() {
  return std::string("Sleep-model neuron of Bugnon et al. (2021), NEST module htneuronmodule: ") + sleep_documentation +
         " Receptors: AMPA 1, NMDA 2, GABA_A 3, GABA_B 4, GABA_B1a 5, MINI 6.";
}

template <>
const ParamBinder<HtSleepMGluRNeuron::Prototype>& HtSleepMGluRNeuron::binder() {
  static const ParamBinder<Prototype> b = sleep_binder<HtSleepMGluRNeuron>();
  return b;
}

template <>
void HtSleepMGluRNeuron::check_relations(const Prototype& p) {
  check_ht_relations(p);  // nothing is required of mGluR's or GABA_B1a's time constants
}

template <>
std::string HtSleepMGluRNeuron::documentation() {
  return std::string("Sleep-model neuron of Bugnon et al. (2021) with mGluR, deNEST's MC_sleep example: ") +
         sleep_documentation +
         " Adds an mGluR conductance (g_peak_mGluR may be negative). Receptors: AMPA 1, NMDA 2, GABA_A 3, GABA_B 4, "
         "mGluR 5, GABA_B1a 6, MINI 7.";
}

template class HtNeuronGroup<ht::SleepNP>;
template class HtNeuronGroup<ht::SleepMG>;

}  // namespace nestling
