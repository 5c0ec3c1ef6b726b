#pragma once

#include "engine/recording.hpp"

namespace nestling::io {

// Adds the text ("file"), "screen" and "hdf5" back-ends.
void register_builtin_backends(RecordingBackends& backends);

}  // namespace nestling::io
