// spike_detector: records spikes of the nodes connected to it (NEST 2.20, spec §5.3).
// spike_recorder (the NEST 3 name) is registered as an alias.
#pragma once

#include "engine/recorder_group.hpp"

namespace nestling {

using SpikeDetector = RecorderOf<RecordKind::spikes>;
template <>
RecorderParameters SpikeDetector::defaults();
template <>
std::string SpikeDetector::documentation();

}  // namespace nestling
