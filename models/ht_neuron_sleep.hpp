// The neuron of the thalamocortical sleep model (Bugnon et al. 2021; spec mc-sleep §1), in its
// two public variants:
//   ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike        (NP, MC_sleep_replicate's trees)
//   ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike_mGluR  (MG, deNEST's MC_sleep example)
// Both are ht_neuron with
//   * g_peak_NaP = g_peak_KNa = 0.5 by default, and no N_NaP / N_T parameters;
//   * a GABA_B1a channel (a beta time course without a current) whose conductance, capped at
//     g_max_GABA_B1a, scales the weight of every spike arriving on receptor slot r by
//     x_r = clamp(1 − alpha_GABA_B1a[r]·g, 0, xmax_GABA_B1a), and softly bounds its own input;
//   * minis: any positive input on the MINI port in a step adds one jump mini_mean +
//     mini_sigma·z to V_m, z standard normal;
//   * the gap-junction term g_gap_scale_factor·(−S·V + P) in dV/dt, S and P from the kernel's
//     gap junctions (engine/gap_coupling.hpp);
//   * the clamp, the NMDA block and the spike test once per step, after the whole RKF45 step
//     ("noprelimspike"; stock ht_neuron runs them after every accepted sub-step).
// MG adds an mGluR conductance on port 5 (GABA_B1a and MINI move to 6 and 7).
// Deliberate difference: NEST draws the minis' z from the thread's random stream; nestling from
// the neuron's own stream, so that results do not depend on the number of threads.
#pragma once

#include <type_traits>

#include "models/ht_neuron_group.hpp"

namespace nestling {

struct HtMGluRParameters {
  double g_peak_mGluR = 0.0132;    // may be negative (no check in NEST)
  double tau_rise_mGluR = 60.0;    // ms
  double tau_decay_mGluR = 200.0;  // ms
  double E_rev_mGluR = -90.0;      // mV
  bool operator==(const HtMGluRParameters&) const = default;
};
struct HtNoMGluRParameters {
  bool operator==(const HtNoMGluRParameters&) const = default;
};

template <bool MGluR>
struct HtSleepParameters : HtParameters, std::conditional_t<MGluR, HtMGluRParameters, HtNoMGluRParameters> {
  static constexpr int conductances = MGluR ? 5 : 4;  // receptors with a current
  static constexpr int channels = conductances + 1;   // and GABA_B1a

  HtSleepParameters() {
    g_peak_NaP = 0.5;
    g_peak_KNa = 0.5;
    alpha_GABA_B1a.fill(1.0);
  }
  double g_peak_GABA_B1a = 0.0;
  double tau_rise_GABA_B1a = 60.0;    // ms
  double tau_decay_GABA_B1a = 200.0;  // ms
  double g_max_GABA_B1a = 1.0;
  double xmax_GABA_B1a = 1.0;
  std::array<double, channels> alpha_GABA_B1a;  // per receptor slot, MINI excluded
  double mini_mean = 0.5;                       // mV
  double mini_sigma = 0.25;                     // mV
  double g_gap_scale_factor = 1.0;

  bool operator==(const HtSleepParameters&) const = default;

  // The GABA_B1a conductance as it acts, capped at g_max_GABA_B1a (the state may exceed it),
  // and the scaling factor of receptor slot `channel` at that conductance (mc-sleep §1.6).
  double capped_gaba_b1a(double G) const { return std::min(g_max_GABA_B1a, G); }
  double scaling(int channel, double g) const {
    return std::max(0.0, std::min(xmax_GABA_B1a, 1.0 - alpha_GABA_B1a[static_cast<std::size_t>(channel)] * g));
  }

  std::array<ht::BetaChannel, channels> beta_channels() const {
    std::array<ht::BetaChannel, channels> ch;
    const auto stock = HtParameters::beta_channels();
    std::copy(stock.begin(), stock.end(), ch.begin());
    if constexpr (MGluR) ch[4] = {this->tau_rise_mGluR, this->tau_decay_mGluR, this->g_peak_mGluR};
    ch[conductances] = {tau_rise_GABA_B1a, tau_decay_GABA_B1a, g_peak_GABA_B1a};
    return ch;
  }
  std::array<double, conductances> reversal_potentials() const {
    std::array<double, conductances> E;
    const auto stock = HtParameters::reversal_potentials();
    std::copy(stock.begin(), stock.end(), E.begin());
    if constexpr (MGluR) E[4] = this->E_rev_mGluR;
    return E;
  }
};

namespace ht {

// NP (MGluR false) and MG (true): ports and recordables as the modules number and name them.
template <bool MGluR>
struct Sleep {
  using Parameters = HtSleepParameters<MGluR>;
  static constexpr int conductances = Parameters::conductances;
  static constexpr bool gaba_b1a = true, minis = true, gap = true;
  static constexpr bool spike_test_per_substep = false;
  static constexpr std::array<const char*, conductances + 2> receptors = [] {
    std::array<const char*, conductances + 2> r{"AMPA", "NMDA", "GABA_A", "GABA_B"};
    if constexpr (MGluR) r[4] = "mGluR";
    r[conductances] = "GABA_B1a";
    r[conductances + 1] = "MINI";
    return r;
  }();
  static constexpr std::array<Recordable, conductances + 9> recordables = [] {
    std::array<Recordable, conductances + 9> r{};
    std::size_t k = 0;
    for (const Recordable& x : {Recordable{"V_m", Quantity::V_m}, Recordable{"theta", Quantity::theta},
                                Recordable{"g_AMPA", Quantity::g, 0}, Recordable{"g_NMDA", Quantity::g_NMDA},
                                Recordable{"g_GABA_A", Quantity::g, 2}, Recordable{"g_GABA_B", Quantity::g, 3}})
      r[k++] = x;
    if constexpr (MGluR) r[k++] = {"g_mGluR", Quantity::g, 4};
    for (const Recordable& x :
         {Recordable{"g_GABA_B1a", Quantity::g_GABA_B1a}, Recordable{"x_GABA_B1a", Quantity::x_GABA_B1a},
          Recordable{"I_NaP", Quantity::I_NaP}, Recordable{"I_KNa", Quantity::I_KNa}, Recordable{"I_T", Quantity::I_T},
          Recordable{"I_h", Quantity::I_h}, Recordable{"I_gap", Quantity::I_gap}})
      r[k++] = x;
    return r;
  }();
};
using SleepNP = Sleep<false>;
using SleepMG = Sleep<true>;

}  // namespace ht

using HtSleepNeuron = HtNeuronGroup<ht::SleepNP>;
using HtSleepMGluRNeuron = HtNeuronGroup<ht::SleepMG>;

template <>
const ParamBinder<HtSleepNeuron::Prototype>& HtSleepNeuron::binder();
template <>
void HtSleepNeuron::check_relations(const Prototype& p);
template <>
std::string HtSleepNeuron::documentation();
template <>
const ParamBinder<HtSleepMGluRNeuron::Prototype>& HtSleepMGluRNeuron::binder();
template <>
void HtSleepMGluRNeuron::check_relations(const Prototype& p);
template <>
std::string HtSleepMGluRNeuron::documentation();
extern template class HtNeuronGroup<ht::SleepNP>;
extern template class HtNeuronGroup<ht::SleepMG>;

}  // namespace nestling
