// weight_recorder: records events sent through synapses that name it (NEST 2.20, spec §5.4).
#pragma once

#include "engine/recorder_group.hpp"

namespace nestling {

using WeightRecorder = RecorderOf<RecordKind::weights>;
template <>
RecorderParameters WeightRecorder::defaults();
template <>
std::string WeightRecorder::documentation();

}  // namespace nestling
