// ht_neuron: the Hill & Tononi (2005) point neuron with NEST 2.20.2's semantics (spec §1).
//
// Sixteen state variables (membrane potential, threshold, four beta-function synapses, NMDA
// unblock, four intrinsic-current gates) are integrated together with GSL-style adaptive RKF45
// (absolute error 1e-3). After every accepted sub-step the NMDA block is enforced and the spike
// test runs; a spike sets V and θ to E_Na and starts the post-spike K current for t_ref.
// The equations and the group are shared with the sleep model's variants (ht_neuron_core.hpp,
// ht_neuron_dynamics.hpp, ht_neuron_group.hpp); this file names what is particular to the
// stock model.
#pragma once

#include "models/ht_neuron_group.hpp"

namespace nestling {
namespace ht {

struct Stock {
  using Parameters = HtParameters;
  static constexpr int conductances = 4;  // AMPA, NMDA, GABA_A, GABA_B on ports 1-4
  static constexpr bool gaba_b1a = false, minis = false, gap = false;
  static constexpr bool spike_test_per_substep = true;
  static constexpr std::array<const char*, 4> receptors = {"AMPA", "NMDA", "GABA_A", "GABA_B"};
  static constexpr std::array<Recordable, 10> recordables = {{{"V_m", Quantity::V_m},
                                                              {"theta", Quantity::theta},
                                                              {"g_AMPA", Quantity::g, 0},
                                                              {"g_NMDA", Quantity::g_NMDA},
                                                              {"g_GABA_A", Quantity::g, 2},
                                                              {"g_GABA_B", Quantity::g, 3},
                                                              {"I_NaP", Quantity::I_NaP},
                                                              {"I_KNa", Quantity::I_KNa},
                                                              {"I_T", Quantity::I_T},
                                                              {"I_h", Quantity::I_h}}};
};

}  // namespace ht

using HtNeuron = HtNeuronGroup<ht::Stock>;
template <>
const ParamBinder<HtNeuron::Prototype>& HtNeuron::binder();
template <>
void HtNeuron::check_relations(const Prototype& p);
template <>
std::string HtNeuron::documentation();
extern template class HtNeuronGroup<ht::Stock>;

}  // namespace nestling
