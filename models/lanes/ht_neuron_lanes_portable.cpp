// The 2-lane block-step of every Hill–Tononi model, built for portable (see CMakeLists.txt).
#include "models/ht_neuron.hpp"
#include "models/ht_neuron_sleep.hpp"
#include "models/lanes/ht_neuron_lanes_impl.hpp"

namespace nestling::ht {
template bool advance_lanes<Stock, 2>(LaneBlock<Stock>&);
template bool advance_lanes<SleepNP, 2>(LaneBlock<SleepNP>&);
template bool advance_lanes<SleepMG, 2>(LaneBlock<SleepMG>&);
}  // namespace nestling::ht
