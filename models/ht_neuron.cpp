#include "models/ht_neuron.hpp"

namespace nestling {

void check_ht_relations(const HtParameters& p) {
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

template <>
const ParamBinder<HtNeuron::Prototype>& HtNeuron::binder() {
  static const ParamBinder<Prototype> b = [] {
    ParamBinder<Prototype> x;
    add_ht_parameters(x, true);
    add_ht_state<HtNeuron>(x);
    return x;
  }();
  return b;
}

template <>
void HtNeuron::check_relations(const Prototype& p) {
  check_ht_relations(p);
}

template <>
std::string HtNeuron::documentation() {
  return "Hill & Tononi (2005) neuron: leak, threshold dynamics, post-spike K current, AMPA/NMDA/GABA_A/GABA_B "
         "beta-function conductances (receptors 1-4; a spike of weight w makes g peak at w*g_peak), NMDA Mg "
         "unblock, and the intrinsic currents I_NaP, I_KNa, I_T, I_h. Current input on receptor 0. Integrated "
         "with adaptive RKF45 (absolute error 1e-3), taking the steps NEST 2.20's GSL solver takes. State: V_m, theta; "
         "`equilibrate: true` sets the gating variables to equilibrium at V_m.";
}

template class HtNeuronGroup<ht::Stock>;

}  // namespace nestling
