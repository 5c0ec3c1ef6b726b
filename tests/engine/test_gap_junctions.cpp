// Gap junctions: what a coupled node receives, slice by slice, as NEST 2.20 delivers it to models
// that do not iterate (spec mc-sleep §1.7, §3), and the kernel's waveform-relaxation settings.
#include <catch2/catch.hpp>

#include "engine/kernel.hpp"
#include "engine/node_model.hpp"
#include "nestling/simulator.hpp"

using namespace nestling;

namespace {

// A test node that takes part in gap junctions: it logs the sums S and P it finds at every step
// and sends gid·1000 + (its last stamp) to its partners. Like the sleep model's neuron, it clears
// the gap inputs of the rest of the slice at the end of every update call (NEST's step 13).
class GapProbe final : public NodeGroup {
 public:
  struct Prototype {};
  struct Seen {
    step_t stamp;
    double S, P;
  };
  static constexpr NodeKind node_kind = NodeKind::neuron;
  static std::vector<ParamSpec> parameter_specs() { return {}; }
  static void apply(Prototype&, const Dict&, const std::string&) {}
  static Dict describe(const Prototype&) { return {}; }
  static std::string documentation() { return "test probe"; }
  static std::vector<std::string> recordable_names() { return {}; }
  static Dict receptor_type_names() { return {}; }

  GapProbe(const NodeModel& model, NodeId first, std::size_t n, const Prototype&, const VpLayout& layout)
      : NodeGroup(model, first, n, layout), value_(n, 0.0), seen_(n) {}
  NodeKind kind() const override { return node_kind; }
  void set_status(std::size_t, const Dict&) override {}
  Dict get_status(std::size_t) const override { return {}; }
  bool has_gap_junctions() const override { return true; }
  double gap_output(std::size_t i) const override { return value_[i]; }
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override {
    const int md = ctx.min_delay;
    for (std::size_t i = begin; i < end; ++i) {
      double* gap = gap_inputs(ctx, i);
      for (int lag = ctx.from; lag < ctx.to; ++lag) {
        seen_[i].push_back({ctx.origin + lag + 1, gap[lag], gap[md + lag]});
        gap[lag] = gap[md + lag] = 0.0;
        value_[i] = static_cast<double>(first_gid() + i) * 1000.0 + static_cast<double>(ctx.origin + lag + 1);
      }
      for (int lag = ctx.to; lag < md; ++lag) gap[lag] = gap[md + lag] = 0.0;
    }
  }
  const std::vector<Seen>& seen(std::size_t i) const { return seen_[i]; }

 private:
  std::vector<double> value_;
  std::vector<std::vector<Seen>> seen_;
};

Simulator& with_probe(Simulator& sim) {
  sim.kernel().models().add(std::make_unique<NodeModelOf<GapProbe>>("gap_probe"));
  return sim;
}

const GapProbe& probe(Simulator& sim, NodeId id) { return dynamic_cast<const GapProbe&>(sim.kernel().group_of(id)); }

const SynSpec gap{.model = "gap_junction", .weight = 0.5};
const ConnSpec symmetric{.rule = Rule::one_to_one, .make_symmetric = true};

}  // namespace

TEST_CASE("a gap partner's value at the end of the previous slice is held through the next", "[gap]") {
  Simulator sim;
  with_probe(sim).set_kernel_status({{"resolution", 0.1}});
  const auto nodes = sim.create("gap_probe", 2);  // ids 1 and 2
  sim.connect(NodeCollection(std::vector<NodeId>{nodes[0]}), NodeCollection(std::vector<NodeId>{nodes[1]}), symmetric, gap);
  sim.simulate(3.0);
  CHECK(sim.kernel_status().at("min_delay").as_double() == Approx(1.0));  // wfr_comm_interval
  for (std::size_t n = 0; n < 2; ++n) {
    const auto& seen = probe(sim, nodes[n]).seen(n);
    REQUIRE(seen.size() == 30);
    const double partner = n == 0 ? 2000.0 : 1000.0;
    for (const auto& s : seen) {
      const step_t slice = (s.stamp - 1) / 10;
      CHECK(s.S == (slice == 0 ? 0.0 : 0.5));                         // nothing before the first slice end
      CHECK(s.P == (slice == 0 ? 0.0 : 0.5 * (partner + 10.0 * slice)));  // stamp 10·slice ended it
    }
  }
}

TEST_CASE("a simulate call that ends inside a slice leaves the rest of it uncoupled, as in NEST", "[gap]") {
  Simulator sim;
  with_probe(sim).set_kernel_status({{"resolution", 0.1}});
  const auto nodes = sim.create("gap_probe", 2);
  sim.connect(NodeCollection(std::vector<NodeId>{nodes[0]}), NodeCollection(std::vector<NodeId>{nodes[1]}), symmetric, gap);
  sim.simulate(0.5);  // lags 0–4 of slice 0
  sim.simulate(1.8);  // lags 5–9 of slice 0, all of slice 1, lags 0–2 of slice 2
  sim.simulate(0.7);  // lags 3–9 of slice 2
  const auto& seen = probe(sim, nodes[1]).seen(1);
  REQUIRE(seen.size() == 30);
  for (const auto& s : seen) {
    const int lag = static_cast<int>((s.stamp - 1) % 10);
    const step_t slice = (s.stamp - 1) / 10;
    INFO("stamp " << s.stamp);
    if (slice == 1) {
      // Delivered at the end of slice 0, whose last call covered lags 5–9: S everywhere, P there only.
      CHECK(s.S == 0.5);
      CHECK(s.P == (lag >= 5 ? 0.5 * (1000.0 + 10.0) : 0.0));
    } else if (slice == 2) {
      // The first call (lags 0–2) cleared the slice's gap inputs when it ended.
      CHECK(s.S == (lag < 3 ? 0.5 : 0.0));
      CHECK(s.P == (lag < 3 ? 0.5 * (1000.0 + 20.0) : 0.0));
    } else {
      CHECK(s.S == 0.0);
      CHECK(s.P == 0.0);
    }
  }
}

TEST_CASE("gap sums are identical at any thread count", "[gap][determinism]") {
  auto run = [](int threads) {
    Simulator sim;
    with_probe(sim).set_kernel_status({{"resolution", 0.1}, {"local_num_threads", threads}});
    const auto nodes = sim.create("gap_probe", 9);
    std::vector<NodeId> a, b;
    for (std::size_t i = 0; i < nodes.size(); ++i)
      for (std::size_t j : {i, (i + 1) % nodes.size(), (i * 4 + 3) % nodes.size(), (i + 1) % nodes.size()}) {
        a.push_back(nodes[i]);  // self-pairs and duplicate pairs included, as MC_sleep makes them
        b.push_back(nodes[j]);
      }
    sim.connect(NodeCollection(a), NodeCollection(b), symmetric, {.model = "gap_junction", .weight = 0.012});
    sim.simulate(5.0);
    std::vector<std::vector<GapProbe::Seen>> out;
    for (NodeId id : nodes) {
      const auto& g = probe(sim, id);
      out.push_back(g.seen(g.index_of(id)));
    }
    return std::make_pair(out, sim.get_connections());
  };
  const auto one = run(1);
  for (int threads : {2, 4}) {
    const auto other = run(threads);
    REQUIRE(other.first.size() == one.first.size());
    for (std::size_t n = 0; n < one.first.size(); ++n)
      for (std::size_t k = 0; k < one.first[n].size(); ++k) {
        CHECK(other.first[n][k].S == one.first[n][k].S);  // bit for bit
        CHECK(other.first[n][k].P == one.first[n][k].P);
      }
    CHECK(other.second.size() == one.second.size());
  }
  // 9 nodes × 4 pairs × 2 directions, self-pairs and duplicates kept.
  CHECK(one.second.size() == 72);
  CHECK(one.second.front().synapse_model == "gap_junction");
  CHECK(one.second.front().weight == 0.012);
}

TEST_CASE("gap junctions shape min_delay through wfr_comm_interval", "[gap]") {
  SECTION("a static connection shorter than the interval sets min_delay") {
    Simulator sim;
    with_probe(sim).set_kernel_status({{"resolution", 0.1}, {"wfr_comm_interval", 2.0}});
    const auto nodes = sim.create("gap_probe", 2);
    const auto parrots = sim.create("parrot_neuron", 2);
    sim.connect(parrots, parrots, Rule::one_to_one, {.delay = 0.5});
    sim.connect(nodes, nodes, symmetric, gap);
    sim.simulate(1.0);
    CHECK(sim.kernel_status().at("min_delay").as_double() == Approx(0.5));
    CHECK(sim.kernel_status().at("max_delay").as_double() == Approx(2.0));
  }
  SECTION("without waveform relaxation the interval is one step") {
    Simulator sim;
    with_probe(sim).set_kernel_status({{"resolution", 0.2}, {"use_wfr", false}});
    CHECK(sim.kernel_status().at("wfr_comm_interval").as_double() == Approx(0.2));
    const auto nodes = sim.create("gap_probe", 2);
    sim.connect(nodes, nodes, symmetric, gap);
    sim.simulate(1.0);
    CHECK(sim.kernel_status().at("min_delay").as_double() == Approx(0.2));
  }
}

TEST_CASE("waveform-relaxation settings follow NEST 2.20's rules", "[gap]") {
  Simulator sim;
  const Dict d = sim.kernel_status();
  CHECK(d.at("use_wfr").as_bool());
  CHECK(d.at("wfr_comm_interval").as_double() == 1.0);
  CHECK(d.at("wfr_tol").as_double() == 1e-4);
  CHECK(d.at("wfr_max_iterations").as_int() == 15);
  CHECK(d.at("wfr_interpolation_order").as_int() == 3);
  CHECK_THROWS_WITH(sim.set_kernel_status({{"wfr_interpolation_order", 2}}), Catch::Contains("0, 1 or 3"));
  CHECK_THROWS_WITH(sim.set_kernel_status({{"wfr_comm_interval", 0.05}}), Catch::Contains("at least the resolution"));
  CHECK_THROWS_WITH(sim.set_kernel_status({{"wfr_max_iterations", 0}}), Catch::Contains("positive"));
  CHECK_THROWS_WITH(sim.set_kernel_status({{"wfr_tol", -1.0}}), Catch::Contains("non-negative"));
  sim.set_kernel_status({{"resolution", 2.0}});  // a coarser grid raises the interval
  CHECK(sim.kernel_status().at("wfr_comm_interval").as_double() == 2.0);
  sim.create("parrot_neuron");
  CHECK_THROWS_WITH(sim.set_kernel_status({{"use_wfr", false}}), Catch::Contains("before any node is created"));
}

TEST_CASE("gap junctions are refused where NEST refuses them", "[gap]") {
  Simulator sim;
  with_probe(sim);
  const auto nodes = sim.create("gap_probe", 2);
  const auto parrots = sim.create("parrot_neuron", 2);
  CHECK_THROWS_WITH(sim.connect(nodes, nodes, Rule::one_to_one, gap), Catch::Contains("make_symmetric"));
  CHECK_THROWS_WITH(sim.connect(nodes, NodeCollection(std::vector<NodeId>{nodes[1], nodes[0]}), Rule::all_to_all, gap),
                    Catch::Contains("must be symmetric"));
  CHECK_THROWS_WITH(sim.connect(nodes, nodes, symmetric, {.model = "gap_junction", .delay = 1.0}),
                    Catch::Contains("no delay"));
  CHECK_THROWS_WITH(sim.connect(nodes, nodes, symmetric, {.model = "gap_junction", .receptor = 1}),
                    Catch::Contains("receptor 0"));
  CHECK_THROWS_WITH(sim.connect(parrots, parrots, symmetric, gap), Catch::Contains("has no gap junctions"));
  CHECK_THROWS_WITH(sim.connect(std::vector<NodeId>{nodes[0]}, std::vector<NodeId>{nodes[1]}, {}, {}, gap),
                    Catch::Contains("must be symmetric"));
  CHECK_THROWS_WITH(sim.set_defaults("gap_junction", {{"delay", 2.0}}), Catch::Contains("no delay"));
  CHECK_THROWS_WITH(sim.connect(parrots, parrots, {.rule = Rule::all_to_all, .make_symmetric = true}),
                    Catch::Contains("only the one_to_one rule"));
  CHECK_FALSE(sim.get_defaults("gap_junction").contains("delay"));
  CHECK(sim.get_connections().empty());
  // all_to_all over one list is symmetric by construction
  sim.connect(nodes, nodes, Rule::all_to_all, gap);
  CHECK(sim.get_connections().size() == 4);
}
