#include "models/parrot_neuron.hpp"

namespace nestling {

std::string ParrotNeuron::documentation() {
  return "Repeats each spike arriving on receptor 0 at arrival time, with the incoming multiplicity; "
         "the incoming weight is ignored. Receptor 1 is accepted and ignored.";
}

void ParrotNeuron::apply(Prototype&, const Dict& d, const std::string& model) {
  reject_unconsumed(model, d, {}, parameter_specs());
}

ParrotNeuron::ParrotNeuron(const NodeModel& model, NodeId first, std::size_t n, const Prototype&,
                           const VpLayout& layout)
    : NodeGroup(model, first, n, layout), last_spike_(local_size(), -1) {}

void ParrotNeuron::set_status(std::size_t, const Dict& d) {
  reject_unknown(d, {}, parameter_specs());
}

Dict ParrotNeuron::get_status(std::size_t i) const {
  if (!is_local(i)) return Dict{{"local", Value(false)}};  // another process holds it
  const step_t last = last_spike_[i - local_begin()];
  Dict d;
  d.set("t_spike", last < 0 ? -1.0 : grid().steps_to_ms(last));
  return d;
}

int ParrotNeuron::spike_buffer(long receptor) const {
  if (receptor == 0 || receptor == 1) return static_cast<int>(receptor);
  return NodeGroup::spike_buffer(receptor);
}

void ParrotNeuron::init_buffers() {
  std::fill(last_spike_.begin(), last_spike_.end(), -1);
}

void ParrotNeuron::update(UpdateContext& ctx, std::size_t begin, std::size_t end) {
  const int first_slot = ctx.slot(ctx.from);
  for (std::size_t i = begin; i < end; ++i) {
    for (int lag = ctx.from, slot = first_slot; lag < ctx.to; ++lag, slot = ctx.next_slot(slot)) {
      double* in = inputs(ctx, i, slot);
      const double n = in[0];
      in[0] = 0.0;
      in[1] = 0.0;  // receptor 1: ignored
      if (n > 0.0) {
        ctx.emit(first_gid() + i, lag, EventKind::spike, n);
        last_spike_[i - local_begin()] = ctx.origin + lag + 1;
      }
      if (sampled(i)) sample(ctx, i, ctx.origin + lag + 1);
    }
  }
}

}  // namespace nestling
