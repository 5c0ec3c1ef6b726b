#include "models/spike_detector.hpp"

namespace nestling {

SpikeDetector::Prototype SpikeDetector::defaults() {
  Prototype p;
  p.file_extension = "gdf";
  return p;
}

std::string SpikeDetector::documentation() {
  return "Records the spikes of the nodes connected to it: sender id and time of each, one row per "
         "multiplicity unit. Window: origin+start < t <= origin+stop.";
}

}  // namespace nestling
