#include "models/multimeter.hpp"

namespace nestling {

template <>
RecorderParameters Multimeter::defaults() {
  RecorderParameters p;
  p.file_extension = "dat";
  return p;
}

template <>
std::string Multimeter::documentation() {
  return "Samples record_from of the nodes it is connected to every interval ms (the first sample at interval, "
         "or at offset if that is non-zero). As in NEST 2.20, samples taken in the last min_delay of a run are "
         "collected only by a following simulation.";
}

}  // namespace nestling
