#include "models/spike_detector.hpp"

namespace nestling {

template <>
RecorderParameters SpikeDetector::defaults() {
  RecorderParameters p;
  p.file_extension = "gdf";
  return p;
}

template <>
std::string SpikeDetector::documentation() {
  return "Records the spikes of the nodes connected to it: sender id and time of each, one row per "
         "multiplicity unit. Window: origin+start < t <= origin+stop.";
}

}  // namespace nestling
