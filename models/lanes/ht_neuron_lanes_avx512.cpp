// The 8-lane block-step of every Hill–Tononi model, built for avx512 (see CMakeLists.txt).
#include "models/ht_neuron.hpp"
#include "models/ht_neuron_sleep.hpp"
#include "models/lanes/ht_neuron_lanes_impl.hpp"

namespace nestling::ht {
template bool advance_lanes<Stock, 8>(LaneBlock<Stock>&);
template bool advance_lanes<SleepNP, 8>(LaneBlock<SleepNP>&);
template bool advance_lanes<SleepMG, 8>(LaneBlock<SleepMG>&);
}  // namespace nestling::ht
