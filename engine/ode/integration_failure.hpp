// Why an adaptive integration cannot go on. The integrators in engine/ode record it and end the
// caller's interval at once; the model that called them knows which node and which step it was
// integrating, and turns it into a nestling::IntegrationError (NodeGroup::integration_failed).
// A return path, not an exception: the integrators run inside functions compiled once per
// instruction set (NESTLING_VECTOR_CLONES), and GCC 12 lets no exception out of those.
#pragma once

#include <cstddef>

namespace nestling::ode {

struct IntegrationFailure {
  enum class Reason {
    too_many_substeps,  // one interval took more accepted sub-steps than any sane system needs
    step_underflow,     // the error asks for a smaller step, but a smaller one no longer advances time
    not_finite,         // the state is not a finite number however short the step
  };

  Reason reason = Reason::too_many_substeps;
  double t = 0.0;             // where the failing step started, in the caller's time frame
  double interval = 0.0;      // the length of the interval being integrated (t_end − its start)
  double step = 0.0;          // the step size last tried
  std::size_t substeps = 0;   // sub-steps accepted in this interval so far
  std::size_t component = 0;  // the state variable to blame: the largest error, or the first non-finite
  double value = 0.0;         // its value
};

}  // namespace nestling::ode
