// The memory pre-flight: before anything is created, the memory the network will need is
// estimated from the tree (nodes × bytes per node of each model, connections from each
// projection's expected count), and a network that cannot fit in this machine is refused with
// the tree path of the layer or projection that blows it.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "engine/kernel.hpp"
#include "engine/spatial/connect_spec.hpp"
#include "frontend/network.hpp"
#include "frontend/tree_schema.hpp"

namespace nestling::frontend {

namespace {

std::string gib(double bytes) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << bytes / (1024.0 * 1024.0 * 1024.0) << " GiB";
  return os.str();
}

spatial::LayerShape shape_of(const NetworkLayer& l) {
  spatial::LayerShape s;
  s.rows = static_cast<std::size_t>(l.rows());
  s.columns = static_cast<std::size_t>(l.columns());
  if (const Value* e = l.nest_params.find("extent");
      e && e->is_list() && e->as_list().size() == 2 && e->as_list()[0].is_number() && e->as_list()[1].is_number())
    s.extent = {e->as_list()[0].as_double(), e->as_list()[1].as_double()};
  return s;
}

// Units per position a projection end selects: one population, or all of the layer's.
double units_of(const NetworkLayer& l, const std::optional<std::string>& population) {
  if (population) return l.has_population(*population) ? static_cast<double>(l.units(*population)) : 0.0;
  double n = 0;
  for (const auto& [pop, units] : l.populations) n += static_cast<double>(units);
  return n;
}

}  // namespace

void Network::check_memory() const {
  const double available = physical_memory();
  if (available <= 0) return;
  const Kernel& kernel = sim_.kernel();
  // The connections and their expected delays (input buffers hold one slot per step of delay).
  struct Planned {
    const NetworkProjection* projection;
    double connections;
  };
  std::vector<Planned> planned;
  double longest_ms = 1.0;
  for (const NetworkProjection& p : projections_) {
    if (p.multisynapse) continue;  // copies at most the labelled connections counted already
    Dict spec = p.nest_params;
    spec.set("synapse_model", p.synapse_model);
    try {
      const spatial::ConnectSpec parsed = spatial::parse_connect_spec(spec);
      const NetworkLayer& pre = layer(p.source_layer);
      const NetworkLayer& post = layer(p.target_layer);
      const double fallback = sim_.get_defaults(p.synapse_model).at("delay").as_double();
      longest_ms = std::max(longest_ms, spatial::longest_delay(parsed, shape_of(post), fallback));
      planned.push_back({&p, spatial::expected_connections(parsed, shape_of(pre), units_of(pre, p.source_population),
                                                           shape_of(post), units_of(post, p.target_population))});
    } catch (const UserError&) {
      continue;  // a bad projection (e.g. an unknown synapse model): reported, located, when it is built
    }
  }
  const double steps = std::ceil(std::min(longest_ms, 1e6) * kernel.grid().steps_per_ms());
  const int ring_len = static_cast<int>(std::clamp(steps + 1.0, 2.0, 65536.0));

  double total = 0.0;
  auto refuse = [&](double part, const std::string& what) {
    std::ostringstream os;
    os << "the network needs at least " << gib(total) << " of memory, more than this machine's " << gib(available)
       << " (" << what << ", " << gib(part) << ")";
    return UserError(os.str());
  };
  for (const NetworkLayer& l : layers_) {
    double nodes = 0.0, bytes = 0.0;
    for (const auto& [pop, units] : l.populations) {
      const double n = static_cast<double>(l.rows()) * static_cast<double>(l.columns()) * static_cast<double>(units);
      nodes += n;
      bytes += n * static_cast<double>(kernel.node_bytes_estimate(pop, ring_len));
    }
    total += bytes;
    if (total > available) {
      std::ostringstream what;
      what << "this layer alone holds " << std::setprecision(4) << nodes << " nodes";
      throw located(refuse(bytes, what.str()), *l.node, "");
    }
  }
  for (const Planned& p : planned) {
    const double bytes =
        p.connections * static_cast<double>(kernel.connection_bytes_estimate(p.projection->synapse_model));
    total += bytes;
    if (total > available) {
      std::ostringstream what;
      what << "projection " << p.projection->name() << " makes about " << std::setprecision(4) << p.connections
           << " connections";
      throw located(refuse(bytes, what.str()), *p.projection->item_node, "params", p.projection->item_key);
    }
  }
}

}  // namespace nestling::frontend
