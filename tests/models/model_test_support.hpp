// Helpers the model tests share.
#pragma once

#include <functional>
#include <string>

#include "nestling/errors.hpp"
#include "nestling/simulator.hpp"

namespace nestling::testing {

// The message of the UserError that `f` throws, or "" if it throws none.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

// Runs one neuron of `model` (with `params`) fed by `wire(sim, neuron)`, recording `what`
// every step of `resolution` for `ms`.
template <class Wire>
SampleData record_one_neuron(const std::string& model, const Dict& params, double ms, const List& what, Wire wire,
                             double resolution = 0.1) {
  Simulator sim;
  sim.set_kernel_status({{"resolution", resolution}});
  auto nrn = sim.create(model, 1, params);
  wire(sim, nrn);
  auto mm = sim.create("multimeter", 1, {{"interval", resolution}, {"record_from", what}});
  sim.connect(mm, nrn);
  sim.simulate(ms);
  return sim.samples(mm[0]);
}

}  // namespace nestling::testing
