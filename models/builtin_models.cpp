// The one list of built-in models.
#include "models/builtin_models.hpp"

#include "models/dc_generator.hpp"
#include "models/gap_junction.hpp"
#include "models/ht_neuron.hpp"
#include "models/ht_neuron_sleep.hpp"
#include "models/ht_synapse.hpp"
#include "models/multimeter.hpp"
#include "models/parrot_neuron.hpp"
#include "models/poisson_generator.hpp"
#include "models/sinusoidal_poisson_generator.hpp"
#include "models/spike_detector.hpp"
#include "models/spike_generator.hpp"
#include "models/static_synapse.hpp"
#include "models/step_current_generator.hpp"
#include "models/tsodyks2_synapse.hpp"
#include "models/weight_recorder.hpp"

namespace nestling {

namespace {
template <class G>
void add_node(ModelRegistry& r, const std::string& name, typename G::Prototype proto = {}) {
  r.add(std::make_unique<NodeModelOf<G>>(name, name, std::move(proto)));
}
// NEST registers each synapse model with *_lbl (labelled) and *_hpc variants; the hpc
// variants behave exactly as the plain model here.
template <class Syn>
void add_synapse(ModelRegistry& r, const std::string& name) {
  r.add(std::make_unique<SynapseModelOf<Syn>>(name));
  auto labelled = std::make_unique<SynapseModelOf<Syn>>(name + "_lbl");
  labelled->set_labelled(true);
  r.add(std::move(labelled));
  r.add(std::make_unique<SynapseModelOf<Syn>>(name + "_hpc"));
}
}  // namespace

void register_builtin_models(ModelRegistry& r) {
  add_node<HtNeuron>(r, "ht_neuron");
  // The sleep model's neuron (NEST extension module htneuronmodule), both public variants.
  add_node<HtSleepNeuron>(r, "ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike");
  add_node<HtSleepMGluRNeuron>(r, "ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike_mGluR");
  add_node<ParrotNeuron>(r, "parrot_neuron");
  add_node<SpikeGenerator>(r, "spike_generator");
  add_node<PoissonGenerator>(r, "poisson_generator");
  add_node<SinusoidalPoissonGenerator>(r, "sinusoidal_poisson_generator");
  add_node<DcGenerator>(r, "dc_generator");
  add_node<StepCurrentGenerator>(r, "step_current_generator");
  add_node<SpikeDetector>(r, "spike_detector", SpikeDetector::defaults());
  add_node<SpikeDetector>(r, "spike_recorder", SpikeDetector::defaults());
  add_node<Multimeter>(r, "multimeter", Multimeter::defaults());
  add_node<WeightRecorder>(r, "weight_recorder", WeightRecorder::defaults());
  add_synapse<StaticSynapse>(r, "static_synapse");
  add_synapse<HtSynapse>(r, "ht_synapse");
  add_synapse<Tsodyks2Synapse>(r, "tsodyks2_synapse");
  r.add(std::make_unique<SynapseModelOf<GapJunction>>("gap_junction"));  // NEST has no _lbl/_hpc variant
}

}  // namespace nestling
