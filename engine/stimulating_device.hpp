// The origin/start/stop window of stimulating devices (NEST 2.20 StimulatingDevice, spec §4.1),
// which recording devices share.
#pragma once

#include <cmath>
#include <limits>
#include <tuple>
#include <string>

#include "engine/node_model.hpp"
#include "engine/param_table.hpp"
#include "engine/time_grid.hpp"

namespace nestling {

struct DeviceWindow {
  double origin = 0.0;
  double start = 0.0;
  double stop = std::numeric_limits<double>::infinity();

  template <class S>
  static void bind(ParamBinder<S>& b, DeviceWindow S::*member) {
    for (auto [name, bound, doc] :
         {std::tuple{"origin", &DeviceWindow::origin, "shifts start and stop (and relative times such as spike_times)"},
          std::tuple{"start", &DeviceWindow::start, "activity begins after origin+start"},
          std::tuple{"stop", &DeviceWindow::stop, "activity ends at origin+stop"}}) {
      const auto field = bound;  // lambdas cannot capture structured bindings before clang 16
      b.custom({name, ParamKind::real, "ms", Check::any, doc},
               [member, field](S& s, const Value& v, const std::string&) { (s.*member).*field = v.as_double(); },
               [member, field](const S& s) { return Value((s.*member).*field); });
    }
  }

  // Throws unless the window is on the grid and ordered; `where` names the model.
  void check(const TimeGrid& grid, const std::string& where) const;
};

// The window in steps, computed at calibrate (every Simulate).
struct DeviceSteps {
  step_t t_min = 0;
  step_t t_max = step_infinity;
  void calibrate(const DeviceWindow& w, const TimeGrid& grid) {
    t_min = grid.ms_to_steps(w.origin + w.start);
    t_max = std::isinf(w.stop) ? step_infinity : grid.ms_to_steps(w.origin + w.stop);
  }
  // Spike emitters: active(x) for t_min < x <= t_max.
  bool spike_active(step_t x) const { return x > t_min && x <= t_max; }
  // Current emitters send during the update of step T iff t_min <= T+1 < t_max.
  bool current_active(step_t T) const { return t_min <= T + 1 && T + 1 < t_max; }
};

// The anatomy stimulating devices share: per-node parameters P (with a DeviceWindow `window`)
// read and written through G's binder, and their windows in steps, recomputed at every Simulate.
template <class G, class P>
class StimulatorGroup : public NodeGroup, public BinderModel<G> {
 public:
  using Prototype = P;
  static constexpr NodeKind node_kind = NodeKind::stimulator;

  StimulatorGroup(const NodeModel& model, NodeId first, std::size_t n, const P& proto, const VpLayout& layout)
      : NodeGroup(model, first, n, layout), params_(n, proto), steps_(n) {}

  NodeKind kind() const override { return node_kind; }
  void set_status(std::size_t i, const Dict& d) override { G::apply(params_[i], d, model_name()); }
  Dict get_status(std::size_t i) const override { return G::describe(params_[i]); }

 protected:
  void calibrate_windows(const TimeGrid& grid) {
    for (std::size_t i = 0; i < size(); ++i) {
      params_[i].window.check(grid, model_name());
      steps_[i].calibrate(params_[i].window, grid);
    }
  }

  std::vector<P> params_;
  std::vector<DeviceSteps> steps_;
};

}  // namespace nestling
