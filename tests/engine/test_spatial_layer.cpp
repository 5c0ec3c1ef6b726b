// Grid layers: id layout, positions, periodic displacement and queries (spec §6.1, §6.2, §6.6).
#include <catch2/catch.hpp>

#include "engine/spatial/geometry.hpp"
#include "tests/engine/test_spatial_support.hpp"

using namespace nestling;
using namespace nestling::spatial_test;
using Catch::Matchers::Contains;

namespace {
void check_error(const std::function<void()>& f, const std::string& path, const std::string& text) {
  try {
    f();
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(e.path() == path);
    CHECK_THAT(e.message(), Contains(text));
  }
}
}  // namespace

TEST_CASE("5x5 layer of extent 1.25: ids column-major from the top-left, NEST positions", "[spatial][layer]") {
  Simulator sim;
  setup(sim);
  const GridLayer l = create_grid_layer(sim, grid(5, 5, 1.25, 1.25, false));
  const NodeId L = l.id();
  CHECK(L == 1);  // the layer takes the first id, as NEST's subnet
  CHECK(l.first_id() == 2);
  CHECK(l.last_id() == 26);
  CHECK(l.position_of(L + 1) == Point2{-0.5, 0.5});
  CHECK(l.position_of(L + 2) == Point2{-0.5, 0.25});
  CHECK(l.position_of(L + 5) == Point2{-0.5, -0.5});
  CHECK(l.position_of(L + 6) == Point2{-0.25, 0.5});
  CHECK(l.position_of(L + 13) == Point2{0.0, 0.0});
  CHECK(l.position_of(L + 25) == Point2{0.5, -0.5});
  CHECK(l.position(2, 3) == Point2{0.25, 0.0});  // row 2, column 3
  CHECK(l.position_index(2, 3) == 17);
  CHECK(l.lower_left() == Point2{-0.625, -0.625});
  CHECK(l.find_center() == L + 13);
  CHECK(l.find_nearest({0.3, 0.4}) == L + 16);  // column 3, row 0
  // A second layer continues the numbering after its own layer id.
  const GridLayer m = create_grid_layer(sim, grid(5, 5, 1.25, 1.25, false, "B"));
  CHECK(m.id() == 27);
  CHECK(m.first_id() == 28);
}

TEST_CASE("composite elements: gid = L + 1 + k·N + p, one node group per run of a model", "[spatial][layer]") {
  Simulator sim;
  setup(sim);
  const GridLayer l = create_grid_layer(sim, grid(3, 4, 1.0, 1.0, false, List{"A", 4, "B", 2}));
  const std::size_t n = 12;
  REQUIRE(l.depth() == 6);
  REQUIRE(l.populations().size() == 2);
  const LayerPopulation& a = l.populations()[0];
  const LayerPopulation& b = l.populations()[1];
  CHECK(a.model == "A");
  CHECK(a.units_per_position == 4);
  CHECK(a.first_depth == 0);
  CHECK(a.first_id == l.id() + 1);
  CHECK(a.size == 4 * n);
  CHECK(b.model == "B");
  CHECK(b.units_per_position == 2);
  CHECK(b.first_depth == 4);
  CHECK(b.first_id == l.id() + 1 + 4 * n);
  CHECK(&l.population("B") == &b);
  CHECK(l.ids(b).size() == 2 * n);
  // One NodeGroup per population.
  Kernel& k = sim.kernel();
  CHECK(&k.group_of(a.first_id) == &k.group_of(a.first_id + a.size - 1));
  CHECK(&k.group_of(b.first_id) != &k.group_of(a.first_id));
  CHECK(k.group_of(b.first_id).size() == b.size);
  // Node facts.
  const NodeId id = l.id_at(7, 5);
  CHECK(id == l.id() + 1 + 5 * n + 7);
  CHECK(l.depth_of(id) == 5);
  CHECK(l.position_index_of(id) == 7);
  CHECK(l.model_at_depth(l.depth_of(id)) == "B");
  CHECK(l.ids_at(1, 2) ==
        std::vector<NodeId>{l.id_at(7, 0), l.id_at(7, 1), l.id_at(7, 2), l.id_at(7, 3), l.id_at(7, 4), l.id_at(7, 5)});
  CHECK(l.find_nearest_all(l.position(7)) == l.ids_at(1, 2));
  // Equal consecutive entries merge into one population.
  const GridLayer m = create_grid_layer(sim, grid(2, 2, 1.0, 1.0, false, List{"A", 2, "A", 3}));
  REQUIRE(m.populations().size() == 1);
  CHECK(m.populations()[0].units_per_position == 5);
}

TEST_CASE("positions with extent and centre; rows count from the top", "[spatial][layer]") {
  Simulator sim;
  setup(sim);
  Dict spec = grid(4, 6, 3.0, 2.0, false);
  spec.set("center", std::vector<double>{1.0, -0.5});
  const GridLayer l = create_grid_layer(sim, spec);
  CHECK(l.center() == Point2{1.0, -0.5});
  CHECK(l.lower_left() == Point2{-0.5, -1.5});
  CHECK(l.position(0) == Point2{-0.25, 0.25});
  CHECK(l.position(3) == Point2{-0.25, -1.25});
  CHECK(l.position(l.position_index(0, 5)) == Point2{2.25, 0.25});
  // NEST's order of operations: 1 + (-0.4)·2 + (-0.2) is -5.55e-17, not 0.
  const GridLayer m = create_grid_layer(sim, grid(5, 5, 2.0, 2.0, false));
  CHECK(m.position(2)[1] == (1.0 + (-0.4) * 2.0) + (-0.2));
  CHECK(m.position(2)[1] < 0.0);
}

TEST_CASE("periodic displacement lies in [-L/2, L/2): the half-extent wraps to -L/2", "[spatial][layer]") {
  using spatial::wrap_displacement;
  CHECK(wrap_displacement(5.0, 10.0) == -5.0);
  CHECK(wrap_displacement(-5.0, 10.0) == -5.0);
  CHECK(wrap_displacement(4.0, 10.0) == 4.0);
  CHECK(wrap_displacement(6.0, 10.0) == -4.0);
  CHECK(wrap_displacement(-6.0, 10.0) == 4.0);
  CHECK(wrap_displacement(25.0, 10.0) == -5.0);
  CHECK(wrap_displacement(-14.5, 10.0) == -4.5);

  Simulator sim;
  setup(sim);
  const GridLayer row = create_grid_layer(sim, grid(1, 10, 10.0, 1.0, true));
  CHECK(row.displacement(row.first_id(), row.first_id() + 5) == Point2{-5.0, 0.0});
  CHECK(row.displacement(row.first_id() + 5, row.first_id()) == Point2{-5.0, 0.0});
  CHECK(row.displacement(row.first_id(), row.first_id() + 9) == Point2{-1.0, 0.0});
  CHECK(row.distance(row.first_id(), row.first_id() + 7) == 3.0);
  CHECK(row.displacement(Point2{4.4, 0.0}, row.first_id())[0] == Approx(1.1));
  const GridLayer flat = create_grid_layer(sim, grid(1, 10, 10.0, 1.0, false));
  CHECK(flat.displacement(flat.first_id(), flat.first_id() + 9) == Point2{9.0, 0.0});
  CHECK(flat.distance(Point2{0.0, 0.0}, Point2{3.0, 4.0}) == 5.0);
}

TEST_CASE("GetElement: periodic layers wrap row and column, others reject outside cells", "[spatial][layer]") {
  Simulator sim;
  setup(sim);
  const GridLayer wrap = create_grid_layer(sim, grid(3, 4, 1.0, 1.0, true));
  CHECK(wrap.ids_at(-1, 4) == wrap.ids_at(2, 0));
  CHECK(wrap.ids_at(3, -5) == wrap.ids_at(0, 3));
  const GridLayer flat = create_grid_layer(sim, grid(3, 4, 1.0, 1.0, false));
  CHECK(flat.ids_at(2, 3) == std::vector<NodeId>{flat.id_at(3 * 3 + 2, 0)});
  CHECK_THROWS_AS(flat.ids_at(3, 0), UserError);
  CHECK_THROWS_AS(flat.position_of(wrap.first_id()), UserError);
  CHECK_THROWS_AS(flat.depth_of(flat.id()), UserError);  // the layer's own id holds no node
}

TEST_CASE("CreateLayer errors name the key", "[spatial][layer][errors]") {
  Simulator sim;
  setup(sim);
  auto create = [&](const Dict& d) { return [&sim, d] { create_grid_layer(sim, d); }; };
  Dict no_rows = grid(2, 2, 1, 1, false);
  no_rows.erase("rows");
  check_error(create(no_rows), "rows", "is required");
  Dict free_layer{{"positions", List{std::vector<double>{0.0, 0.0}}}, {"elements", "A"}};
  check_error(create(free_layer), "positions", "free layers are not supported");
  check_error(create(grid(0, 2, 1, 1, false)), "rows", "must be a positive integer, got 0");
  check_error(create(grid(2, 2, -1, 1, false)), "extent", "must be two positive numbers");
  check_error(create(grid(2, 2, 1, 1, false, "no_such_model")), "elements", "no_such_model");
  check_error(create(grid(2, 2, 1, 1, false, List{"A", 0})), "elements[1]", "positive number of units");
  check_error(create(grid(2, 2, 1, 1, false, List{3, "A"})), "elements[0]", "expected a model name");
  check_error(create(grid(2, 2, 1, 1, false, List{"A", "nope"})), "elements[1]", "nope");
  Dict extra = grid(2, 2, 1, 1, false);
  extra.set("colums", 3);
  check_error(create(extra), "colums", "unknown grid layer parameter");
  Dict wrap_text = grid(2, 2, 1, 1, false);
  wrap_text.set("edge_wrap", "yes");
  check_error(create(wrap_text), "edge_wrap", "expected a boolean");
  // Nothing was created by the failed calls.
  CHECK(sim.kernel().max_gid() == 0);
}
