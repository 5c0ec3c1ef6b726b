// GridLayer: CreateLayer for grid layers (spec §6.1) and the layer queries (spec §6.6).
#include <algorithm>
#include <limits>

#include "engine/kernel.hpp"
#include "engine/spatial/dict_reader.hpp"
#include "engine/spatial/geometry.hpp"
#include "nestling/spatial.hpp"

namespace nestling {

using spatial::read_bool;
using spatial::read_int;
using spatial::read_point;
using spatial::read_string;

namespace {

spatial::Periodicity periodicity_of(const GridLayer& layer) {
  spatial::Periodicity p;
  p.extent[0] = layer.extent()[0];
  p.extent[1] = layer.extent()[1];
  p.periodic[0] = p.periodic[1] = layer.edge_wrap();
  return p;
}

std::size_t read_dimension(const Dict& spec, const char* key) {
  const Value* v = spec.find(key);
  if (!v) throw UserError(key, "is required for a grid layer (rows and columns)");
  const long n = read_int(*v, key);
  if (n < 1) throw UserError(key, "must be a positive integer, got " + std::to_string(n));
  if (n > (1L << 24)) throw UserError(key, "must be at most 16777216, got " + std::to_string(n));
  return static_cast<std::size_t>(n);
}

// `elements`: a model name, or a list of names each optionally followed by a count.
std::vector<std::string> read_elements(const Value& v, const ModelRegistry& models) {
  std::vector<std::string> depth_models;
  auto check_model = [&](const std::string& name, const std::string& path) {
    if (!models.has_node_model(name)) {
      try {
        models.node_model(name);  // throws the registry's message listing the known models
      } catch (const UserError& e) {
        throw UserError(path, "'" + name + "': " + e.message());
      }
      throw UserError(path, "unknown node model '" + name + "'");
    }
  };
  if (v.is_string()) {
    check_model(v.as_string(), "elements");
    depth_models.push_back(v.as_string());
    return depth_models;
  }
  if (!v.is_list() || v.as_list().empty())
    throw UserError("elements", "expected a model name or a list such as ['A', 4, 'B', 2], got " + v.repr());
  const List& list = v.as_list();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "elements[" + std::to_string(i) + "]";
    if (!list[i].is_string())
      throw UserError(path, "expected a model name, got " + list[i].repr() + " (a count must follow a name)");
    const std::string& name = list[i].as_string();
    check_model(name, path);
    long count = 1;
    if (i + 1 < list.size() && list[i + 1].is_number()) {
      ++i;
      count = read_int(list[i], "elements[" + std::to_string(i) + "]");
      if (count < 1)
        throw UserError("elements[" + std::to_string(i) + "]",
                        "must be a positive number of units per position, got " + std::to_string(count));
    }
    depth_models.insert(depth_models.end(), static_cast<std::size_t>(count), name);
  }
  return depth_models;
}

}  // namespace

GridLayer create_grid_layer(Simulator& sim, const Dict& spec) {
  Kernel& kernel = sim.kernel();
  if (spec.contains("positions"))
    throw UserError("positions", "free layers are not supported: nestling builds grid layers (rows, columns) only");
  if (spec.contains("layers")) throw UserError("layers", "3-D grid layers are not supported");
  spatial::reject_unknown(spec, {"rows", "columns", "extent", "center", "edge_wrap", "elements"}, "", "grid layer");

  GridLayer layer;
  layer.rows_ = read_dimension(spec, "rows");
  layer.columns_ = read_dimension(spec, "columns");
  if (const Value* v = spec.find("extent")) {
    const spatial::Vec2 e = read_point(*v, "extent");
    if (!(e.x > 0) || !(e.y > 0) || !std::isfinite(e.x) || !std::isfinite(e.y))
      throw UserError("extent", "must be two positive numbers, got " + v->repr());
    layer.extent_ = {e.x, e.y};
  }
  if (const Value* v = spec.find("center")) {
    const spatial::Vec2 c = read_point(*v, "center");
    if (!std::isfinite(c.x) || !std::isfinite(c.y)) throw UserError("center", "must be finite, got " + v->repr());
    layer.center_ = {c.x, c.y};
  }
  if (const Value* v = spec.find("edge_wrap")) layer.edge_wrap_ = read_bool(*v, "edge_wrap");
  const Value* elements = spec.find("elements");
  if (!elements) throw UserError("elements", "is required: a model name or a list such as ['A', 4, 'B', 2]");
  layer.depth_models_ = read_elements(*elements, kernel.models());
  // lower_left = center − extent/2, as NEST keeps it.
  layer.lower_left_ = {layer.center_[0] - layer.extent_[0] / 2, layer.center_[1] - layer.extent_[1] / 2};

  const std::size_t n = layer.num_positions();
  if (layer.depth() * n > (std::size_t{1} << 31))
    throw UserError("elements", "the layer would hold more than 2^31 nodes");

  // Runs of equal models become one population, created with one call (one NodeGroup).
  for (std::size_t k = 0; k < layer.depth();) {
    std::size_t end = k;
    while (end < layer.depth() && layer.depth_models_[end] == layer.depth_models_[k]) ++end;
    layer.populations_.push_back({layer.depth_models_[k], end - k, k, 0, (end - k) * n});
    k = end;
  }
  layer.id_ = kernel.reserve_id();
  for (auto& pop : layer.populations_) {
    pop.first_id = kernel.create(pop.model, pop.size);
    if (pop.first_id != layer.id_at(0, pop.first_depth)) throw InternalError("grid layer ids are not consecutive");
  }
  return layer;
}

const LayerPopulation& GridLayer::population(const std::string& model) const {
  for (const auto& p : populations_)
    if (p.model == model) return p;
  throw UserError(model, "layer " + std::to_string(id_) + " holds no nodes of model " + model);
}

Point2 GridLayer::position(std::size_t p) const {
  if (p >= num_positions())
    throw UserError("position " + std::to_string(p),
                    "is outside the layer (" + std::to_string(num_positions()) + " positions)");
  const std::size_t column = p / rows_, row = p % rows_;
  return {spatial::grid_x(lower_left_[0], extent_[0], columns_, column),
          spatial::grid_y(lower_left_[1], extent_[1], rows_, row)};
}

std::size_t GridLayer::position_index_of(NodeId node) const {
  if (!contains(node))
    throw UserError("node " + std::to_string(node), "is not in layer " + std::to_string(id_) + " (ids " +
                                                        std::to_string(first_id()) + " to " +
                                                        std::to_string(last_id()) + ")");
  return static_cast<std::size_t>(node - id_ - 1) % num_positions();
}

std::size_t GridLayer::depth_of(NodeId node) const {
  position_index_of(node);  // checks membership
  return static_cast<std::size_t>(node - id_ - 1) / num_positions();
}

std::vector<NodeId> GridLayer::ids_at(long row, long column) const {
  const long r = static_cast<long>(rows_), c = static_cast<long>(columns_);
  if (edge_wrap_) {
    row = ((row % r) + r) % r;
    column = ((column % c) + c) % c;
  } else if (row < 0 || row >= r || column < 0 || column >= c) {
    throw UserError("[" + std::to_string(row) + ", " + std::to_string(column) + "]",
                    "grid location (row, column) outside the " + std::to_string(rows_) + " x " +
                        std::to_string(columns_) + " layer");
  }
  const std::size_t p = position_index(static_cast<std::size_t>(row), static_cast<std::size_t>(column));
  std::vector<NodeId> out;
  for (std::size_t k = 0; k < depth(); ++k) out.push_back(id_at(p, k));
  return out;
}

Point2 GridLayer::displacement(Point2 from, Point2 to) const {
  const spatial::Vec2 d = spatial::displacement({from[0], from[1]}, {to[0], to[1]}, periodicity_of(*this));
  return {d.x, d.y};
}

double GridLayer::distance(Point2 from, Point2 to) const {
  const Point2 d = displacement(from, to);
  return spatial::length({d[0], d[1]});
}

NodeId GridLayer::find_nearest(Point2 location) const {
  double best = std::numeric_limits<double>::infinity();
  std::size_t best_p = 0;
  for (std::size_t p = 0; p < num_positions(); ++p) {
    const double d = distance(location, position(p));
    if (d < best) {
      best = d;
      best_p = p;
    }
  }
  return id_at(best_p, 0);
}

std::vector<NodeId> GridLayer::find_nearest_all(Point2 location) const {
  std::vector<double> dist(num_positions());
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t p = 0; p < num_positions(); ++p) best = std::min(best, dist[p] = distance(location, position(p)));
  std::vector<NodeId> out;
  for (std::size_t k = 0; k < depth(); ++k)
    for (std::size_t p = 0; p < num_positions(); ++p)
      if (dist[p] - best <= 1e-14 * best) out.push_back(id_at(p, k));
  return out;
}

}  // namespace nestling
