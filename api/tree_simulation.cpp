// The tree-driven simulation API (include/nestling/tree_simulation.hpp) over the frontend.
#include "nestling/tree_simulation.hpp"

#include <algorithm>

#include "engine/kernel.hpp"
#include "frontend/params_tree.hpp"
#include "frontend/run_tree.hpp"
#include "frontend/simulation.hpp"
#include "nestling/simulator.hpp"
#include "nestling/spatial.hpp"

namespace nestling {

namespace {

frontend::RunOptions run_options(const TreeOptions& o) {
  frontend::RunOptions r;
  r.output_dir = o.output_dir;
  r.input_dir = o.input_dir;
  r.threads = o.threads;
  r.seed = o.seed;
  r.force = o.force;
  r.log = o.log;
  r.validate_only = o.validate_only;
#if defined(NESTLING_HAVE_MPI)
  if (o.communicator) {
    r.communicator = Communicator::from_mpi(&*o.communicator);
    if (r.communicator.rank() != 0) r.log = nullptr;  // process 0 speaks for the run
  }
#endif
  return r;  // recorders' memory stays readable through simulator(): no warning about it
}

frontend::ParamsTree* descend(frontend::ParamsTree& root, const std::string& path) {
  frontend::ParamsTree* node = &root;
  std::size_t start = 0;
  while (node && start < path.size()) {
    const std::size_t slash = path.find('/', start);
    node = node->child(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    start = slash == std::string::npos ? path.size() : slash + 1;
  }
  return node;
}

}  // namespace

TreeSimulation::TreeSimulation(std::unique_ptr<frontend::Simulation> impl) : impl_(std::move(impl)) {}
TreeSimulation::TreeSimulation(TreeSimulation&&) noexcept = default;
TreeSimulation& TreeSimulation::operator=(TreeSimulation&&) noexcept = default;
TreeSimulation::~TreeSimulation() = default;

TreeSimulation TreeSimulation::load(const std::vector<std::string>& paths, const std::vector<Dict>& overrides,
                                    const TreeOptions& options) {
  if (paths.empty()) throw UserError("load: give at least one tree_paths list or tree file");
  std::vector<frontend::ParamsTree> override_trees;
  for (std::size_t i = 0; i < overrides.size(); ++i)
    override_trees.push_back(frontend::ParamsTree::from_dict(overrides[i], "overrides[" + std::to_string(i) + "]"));
  frontend::ParamsTree files = frontend::load_run_tree(paths, {});
  std::vector<const frontend::ParamsTree*> order;
  for (const auto& t : override_trees) order.push_back(&t);
  order.push_back(&files);
  frontend::ParamsTree merged = frontend::ParamsTree::merge(order);
  return TreeSimulation(std::make_unique<frontend::Simulation>(std::move(merged), run_options(options)));
}

TreeSimulation TreeSimulation::from_dict(const Dict& tree, const std::vector<std::pair<std::string, std::string>>& origins,
                                         const TreeOptions& options) {
  frontend::ParamsTree t = frontend::ParamsTree::from_dict(tree);
  for (const auto& [path, file] : origins)
    if (frontend::ParamsTree* node = descend(t, path)) node->attribute_to(file);
  return TreeSimulation(std::make_unique<frontend::Simulation>(std::move(t), run_options(options)));
}

std::vector<LayerInfo> TreeSimulation::layers() const {
  std::vector<LayerInfo> out;
  for (const frontend::NetworkLayer& l : impl_->network().layers()) {
    const GridLayer& g = *l.grid;
    LayerInfo info{l.name, g.id(), l.input_layer, g.rows(), g.columns(), g.extent(), g.center(), g.edge_wrap(), {}};
    for (const LayerPopulation& p : g.populations())
      info.populations.push_back({p.model, p.units_per_position, p.size, p.first_id});
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<ProjectionInfo> TreeSimulation::projections() const {
  std::vector<ProjectionInfo> out;
  for (const frontend::NetworkProjection& p : impl_->network().projections())
    out.push_back({p.name(), p.model, p.source_layer, p.source_population.value_or(""), p.target_layer,
                   p.target_population.value_or(""), p.synapse_model, p.connections, p.multisynapse});
  return out;
}

std::vector<NodeId> TreeSimulation::gids(const std::string& layer, const std::optional<std::string>& population,
                                         const std::optional<std::array<long, 2>>& location,
                                         const std::optional<long>& unit) const {
  const frontend::Network& net = impl_->network();
  const frontend::NetworkLayer* l = net.find_layer(layer);
  if (!l) throw UserError("layer", net.unknown_layer(layer));
  if (population && !l->has_population(*population)) throw UserError("population", l->no_population(*population));
  const GridLayer& g = *l->grid;
  const long rows = static_cast<long>(g.rows()), columns = static_cast<long>(g.columns());
  if (location && ((*location)[0] < 0 || (*location)[0] >= rows || (*location)[1] < 0 || (*location)[1] >= columns))
    throw UserError("location", "(" + std::to_string((*location)[0]) + ", " + std::to_string((*location)[1]) +
                                    ") is outside layer " + layer + " (" + std::to_string(rows) + " rows, " +
                                    std::to_string(columns) + " columns)");
  std::vector<NodeId> out;
  for (const LayerPopulation& p : g.populations()) {  // depth order: ids ascend
    if (population && p.model != *population) continue;
    for (std::size_t k = 0; k < p.units_per_position; ++k) {
      if (unit && static_cast<long>(k) != *unit) continue;
      const NodeId first = p.first_id + k * g.num_positions();
      if (location) {
        out.push_back(first + g.position_index(static_cast<std::size_t>((*location)[0]),
                                               static_cast<std::size_t>((*location)[1])));
        continue;
      }
      for (std::size_t pos = 0; pos < g.num_positions(); ++pos) out.push_back(first + pos);
    }
  }
  return out;
}

namespace {
const GridLayer& layer_holding(const frontend::Network& net, NodeId node) {
  for (const frontend::NetworkLayer& l : net.layers())
    if (l.grid->contains(node)) return *l.grid;
  throw UserError("node " + std::to_string(node), "is not a node of a layer");
}
}  // namespace

std::array<long, 3> TreeSimulation::location(NodeId node) const {
  const GridLayer& g = layer_holding(impl_->network(), node);
  const std::size_t p = g.position_index_of(node), depth = g.depth_of(node);
  const LayerPopulation& pop = g.population(g.model_at_depth(depth));
  return {static_cast<long>(p % g.rows()), static_cast<long>(p / g.rows()), static_cast<long>(depth - pop.first_depth)};
}

std::array<double, 2> TreeSimulation::position(NodeId node) const {
  return layer_holding(impl_->network(), node).position_of(node);
}

ConnectionArrays TreeSimulation::connections(const ConnectionFilter& filter) const {
  return impl_->simulator().kernel().connection_columns(filter);
}

Dict TreeSimulation::get_status(NodeId node) const { return impl_->simulator().get_status(node); }

std::vector<Value> TreeSimulation::get_status(const std::vector<NodeId>& nodes, const std::string& key) const {
  std::vector<Value> out;
  out.reserve(nodes.size());
  for (NodeId n : nodes) {
    const Dict d = impl_->simulator().get_status(n);
    const Value* v = d.find(key);
    if (!v) throw UserError(key, "node " + std::to_string(n) + " (" + impl_->network().describe_node(n) + ") has no status key '" + key + "'");
    out.push_back(*v);
  }
  return out;
}

void TreeSimulation::set_status(const std::vector<NodeId>& nodes, const Dict& values) {
  impl_->simulator().set_status(NodeCollection(nodes), values);
}

std::vector<SessionInfo> TreeSimulation::sessions() const {
  std::vector<SessionInfo> out;
  for (const frontend::Session& s : impl_->sessions()) out.push_back({s.name, s.model, s.start, s.end, s.record});
  return out;
}

std::size_t TreeSimulation::sessions_run() const { return impl_->sessions_run(); }
bool TreeSimulation::run() { return impl_->run(); }
bool TreeSimulation::run_next_session() { return impl_->run_next_session(); }
void TreeSimulation::finish() { impl_->finish_run(); }
void TreeSimulation::request_stop() { impl_->request_stop(); }
void TreeSimulation::set_progress(std::function<void(std::size_t, double)> progress) {
  impl_->set_progress(std::move(progress));
}
std::string TreeSimulation::output_dir() const { return impl_->output_dir(); }
double TreeSimulation::time_ms() const { return impl_->simulator().time(); }
std::string TreeSimulation::tree_yaml() const { return impl_->tree().to_yaml(); }
Simulator& TreeSimulation::simulator() { return impl_->simulator(); }

}  // namespace nestling
