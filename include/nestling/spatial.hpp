// Spatial networks: 2-D grid layers and layer-to-layer projections with NEST 2.20's topology
// semantics (spec §6).
//
//   nestling::Simulator sim;
//   auto l1 = nestling::create_grid_layer(sim, {{"rows", 10}, {"columns", 10}, {"elements", "parrot_neuron"},
//                                               {"edge_wrap", true}});
//   auto n = nestling::connect_layers(sim, l1, l1, {{"connection_type", "divergent"},
//                                                   {"mask", nestling::Dict{{"circular", nestling::Dict{{"radius",
//                                                   0.2}}}}}});
//
// A layer takes one node id for itself (NEST's layer subnet), then holds its nodes: for element
// entry k (0-based depth) and position index p (column-major, row 0 on top) the node id is
// id() + 1 + k·rows·columns + p.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "nestling/simulator.hpp"
#include "nestling/types.hpp"
#include "nestling/value.hpp"

namespace nestling {

// A point or displacement (x, y).
using Point2 = std::array<double, 2>;

// Consecutive depths of one model: one population, one block of consecutive node ids.
struct LayerPopulation {
  std::string model;
  std::size_t units_per_position = 0;  // nodes of this model at every grid position
  std::size_t first_depth = 0;         // depth (0-based) of its first unit; NEST's lid is depth + 1
  NodeId first_id = 0;                 // id of its node at depth first_depth, position 0
  std::size_t size = 0;                // units_per_position · rows · columns
};

class GridLayer {
 public:
  GridLayer() = default;

  // --- shape ---
  NodeId id() const { return id_; }
  std::size_t rows() const { return rows_; }
  std::size_t columns() const { return columns_; }
  std::size_t num_positions() const { return rows_ * columns_; }
  std::size_t depth() const { return depth_models_.size(); }
  std::size_t num_nodes() const { return depth() * num_positions(); }
  Point2 extent() const { return extent_; }
  Point2 center() const { return center_; }
  Point2 lower_left() const { return lower_left_; }
  bool edge_wrap() const { return edge_wrap_; }

  // --- elements ---
  const std::vector<LayerPopulation>& populations() const { return populations_; }
  // The population of `model`; throws UserError if the layer holds no such model.
  const LayerPopulation& population(const std::string& model) const;
  const std::string& model_at_depth(std::size_t depth) const { return depth_models_.at(depth); }
  NodeId first_id() const { return id_ + 1; }
  NodeId last_id() const { return id_ + num_nodes(); }
  bool contains(NodeId node) const { return node > id_ && node <= last_id(); }
  NodeCollection ids() const { return NodeCollection(first_id(), num_nodes()); }
  NodeCollection ids(const LayerPopulation& population) const {
    return NodeCollection(population.first_id, population.size);
  }

  // --- positions (position index p = column·rows + row, row 0 on top) ---
  std::size_t position_index(std::size_t row, std::size_t column) const { return column * rows_ + row; }
  Point2 position(std::size_t p) const;
  Point2 position(std::size_t row, std::size_t column) const { return position(position_index(row, column)); }
  // Node facts; throw UserError if the node is not in this layer.
  std::size_t position_index_of(NodeId node) const;
  std::size_t depth_of(NodeId node) const;
  Point2 position_of(NodeId node) const { return position(position_index_of(node)); }
  NodeId id_at(std::size_t p, std::size_t depth) const { return id_ + 1 + depth * num_positions() + p; }
  // NEST's GetElement: the ids of every depth at a grid cell. Periodic layers wrap row and column;
  // others throw UserError outside the grid.
  std::vector<NodeId> ids_at(long row, long column) const;

  // --- geometry (periodic layers use the minimum image, each component in [-L/2, L/2)) ---
  Point2 displacement(Point2 from, Point2 to) const;
  double distance(Point2 from, Point2 to) const;
  Point2 displacement(Point2 from, NodeId to) const { return displacement(from, position_of(to)); }
  double distance(Point2 from, NodeId to) const { return distance(from, position_of(to)); }
  Point2 displacement(NodeId from, NodeId to) const { return displacement(position_of(from), position_of(to)); }
  double distance(NodeId from, NodeId to) const { return distance(position_of(from), position_of(to)); }

  // NEST's FindNearestElement: the depth-0 node nearest to `location` (the first in id order on
  // ties); find_nearest_all returns every node (all depths) within 1e-14 relative of the minimum.
  NodeId find_nearest(Point2 location) const;
  std::vector<NodeId> find_nearest_all(Point2 location) const;
  NodeId find_center() const { return find_nearest(center_); }

 private:
  friend GridLayer create_grid_layer(Simulator& sim, const Dict& spec);

  NodeId id_ = 0;
  std::size_t rows_ = 0, columns_ = 0;
  Point2 extent_{1.0, 1.0};
  Point2 center_{0.0, 0.0};
  Point2 lower_left_{-0.5, -0.5};
  bool edge_wrap_ = false;
  std::vector<std::string> depth_models_;
  std::vector<LayerPopulation> populations_;
};

// NEST 2.20's CreateLayer for grid layers: rows, columns (required), extent ([1, 1]), center
// ([0, 0]), edge_wrap (false), elements (a model name, or a list such as ['A', 4, 'B', 2]).
// Errors are UserErrors whose path names the key (e.g. "extent").
GridLayer create_grid_layer(Simulator& sim, const Dict& spec);

// NEST 2.20's ConnectLayers: connection_type (convergent | divergent), mask, kernel, weights,
// delays, synapse_model, number_of_connections, allow_autapses, allow_multapses,
// allow_oversized_mask, sources, targets. Returns the number of connections made. Errors are
// UserErrors whose path leads to the offending key (e.g. "mask/circular/radius").
std::size_t connect_layers(Simulator& sim, const GridLayer& pre, const GridLayer& post, const Dict& spec);

}  // namespace nestling
