// multimeter: samples recordables of the nodes it connects to (NEST 2.20, spec §5.5).
#pragma once

#include "engine/recorder_group.hpp"

namespace nestling {

using Multimeter = RecorderOf<RecordKind::samples>;
template <>
RecorderParameters Multimeter::defaults();
template <>
std::string Multimeter::documentation();

}  // namespace nestling
