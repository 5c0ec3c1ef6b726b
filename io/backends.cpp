#include "io/backends.hpp"

#include "io/hdf5_sink.hpp"
#include "io/text_sink.hpp"

namespace nestling::io {

void register_builtin_backends(RecordingBackends& backends) {
  backends.add("file", [](const RecorderDescription& d) { return std::make_unique<TextFileSink>(d); });
  backends.add("screen", [](const RecorderDescription& d) { return std::make_unique<ScreenSink>(d); });
  backends.add("hdf5", [](const RecorderDescription& d) { return std::make_unique<Hdf5Sink>(d); });
}

}  // namespace nestling::io
