#include "models/weight_recorder.hpp"

namespace nestling {

template <>
RecorderParameters WeightRecorder::defaults() {
  RecorderParameters p;
  p.file_extension = "csv";
  p.withweight = true;
  p.withtargetgid = true;
  return p;
}

template <>
std::string WeightRecorder::documentation() {
  return "Records sender, target, time and transmitted weight of every event sent through a synapse model whose "
         "weight_recorder parameter names this recorder. As in NEST 2.20, events delivered in the last min_delay "
         "of a run are written only by a following simulation.";
}

}  // namespace nestling
