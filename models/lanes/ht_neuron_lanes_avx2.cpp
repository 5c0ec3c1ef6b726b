// The 4-lane block-step of every Hill–Tononi model, built for avx2 (see CMakeLists.txt).
#include "models/ht_neuron.hpp"
#include "models/ht_neuron_sleep.hpp"
#include "models/lanes/ht_neuron_lanes_impl.hpp"

namespace nestling::ht {
template bool advance_lanes<Stock, 4>(LaneBlock<Stock>&);
template bool advance_lanes<SleepNP, 4>(LaneBlock<SleepNP>&);
template bool advance_lanes<SleepMG, 4>(LaneBlock<SleepMG>&);
}  // namespace nestling::ht
