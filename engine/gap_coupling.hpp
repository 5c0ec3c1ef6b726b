// Gap junctions as NEST 2.20 computes them for models that do not take part in waveform
// relaxation (the sleep model's neurons, spec mc-sleep §1.7, §3): at the end of every min_delay
// slice each coupled node's output value (its V_m at the end of the slice) reaches its partners,
// which hold it constant through the whole next slice. A target sees, at every lag of the next
// slice, S = Σ w_j and P = Σ w_j·v_j in its gap inputs (NodeGroup::gap_inputs; P only at the
// lags of the last update call of the slice, as NEST's coefficient arrays); the model computes
// its coupling current from them, e.g. −S·V + P.
//
// The couplings live on the thread that owns their target, sorted by source, so a target's sums
// are added in the same order whatever the thread count, and delivery writes only buffers the
// thread owns. Sources are read after every thread has finished its update of the slice.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/synapse.hpp"

namespace nestling {

class GapCouplings {
 public:
  // Queues a coupling source → target (thread-local index).
  void add(NodeId source, int model_id, std::uint32_t target, double weight);
  // Sorts what was added by source (stable) and resolves each source's node group.
  void finalize(const std::function<const NodeGroup&(NodeId)>& group_of);
  // Sources another process owns (distributed runs): f(source) gives the address where the
  // kernel's exchange puts the source's value every slice; their node groups are not read.
  void resolve_remote(const std::function<bool(NodeId)>& is_remote, const std::function<const double*(NodeId)>& value);
  // The distinct sources, ascending.
  std::vector<NodeId> sources() const;
  // Delivers the sources' present values into the next slice: S at lags [0, min_delay), P at lags
  // [from, min_delay). Returns the number of couplings served.
  std::size_t deliver(int min_delay, int from, const DeliveryContext& ctx) const;

  std::size_t size() const { return target_.size(); }
  bool empty() const { return target_.empty(); }
  std::size_t bytes() const;
  // Visits every coupling: f(source, model id, target local index, weight).
  template <class F>
  void for_each(F&& f) const {
    for (const Run& r : runs_)
      for (std::uint32_t k = r.begin; k < r.end; ++k) f(r.source, model_[k], target_[k], weight_[k]);
  }

 private:
  struct Run {
    NodeId source;
    const NodeGroup* group;
    std::size_t index;  // the source's index in its group
    const double* remote;  // the exchanged value where another process owns the source
    std::uint32_t begin, end;
  };
  std::vector<NodeId> source_;  // of every coupling until finalize(); afterwards in runs_
  std::vector<std::uint16_t> model_;
  std::vector<std::uint32_t> target_;
  std::vector<double> weight_;
  std::vector<Run> runs_;
};

}  // namespace nestling
