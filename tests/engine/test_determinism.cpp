// The same network and seed give identical spikes and weights at 1, 2 and 4 threads.
#include <catch2/catch.hpp>

#include "nestling/simulator.hpp"

using namespace nestling;

namespace {
struct Result {
  SpikeData spikes;
  WeightData weights;
  std::vector<ConnectionInfo> connections;
};

Result run(int threads, long seed) {
  Simulator sim;
  sim.set_kernel_status({{"local_num_threads", threads}, {"rng_seed", seed}});
  auto gens = sim.create("poisson_generator", 3, {{"rate", 80.0}});
  auto relays = sim.create("parrot_neuron", 40);
  auto second = sim.create("parrot_neuron", 25);
  auto det = sim.create("spike_detector");
  auto wr = sim.create("weight_recorder");
  sim.copy_model("ht_synapse", "recorded_ht", {{"weight_recorder", static_cast<long>(wr[0])}});
  sim.connect(gens, relays);  // three independent trains into every relay
  // a fixed, irregular pattern with multapses and several delays
  std::vector<NodeId> src, tgt;
  std::vector<double> delays;
  for (std::size_t i = 0; i < relays.size(); ++i)
    for (std::size_t j = 0; j < second.size(); ++j)
      if ((i * 7 + j * 3) % 5 == 0) {
        src.push_back(relays[i]);
        tgt.push_back(second[j]);
        delays.push_back(0.5 + 0.1 * static_cast<double>((i + j) % 7));
      }
  sim.connect(src, tgt, {}, delays, {.model = "recorded_ht", .weight = 2.0});
  sim.connect(relays, det);
  sim.connect(second, det);
  sim.simulate(120.0);
  sim.simulate(33.3);
  return {sim.spikes(det[0]), sim.weights(wr[0]), sim.get_connections()};
}
}  // namespace

TEST_CASE("identical spikes, weights and connections at 1, 2 and 4 threads", "[determinism]") {
  const Result one = run(1, 12345);
  REQUIRE(one.spikes.times.size() > 500);
  REQUIRE(one.weights.weights.size() > 1000);
  for (int threads : {2, 4}) {
    INFO("threads = " << threads);
    const Result r = run(threads, 12345);
    CHECK(r.spikes.senders == one.spikes.senders);
    CHECK(r.spikes.times == one.spikes.times);
    CHECK(r.weights.senders == one.weights.senders);
    CHECK(r.weights.targets == one.weights.targets);
    CHECK(r.weights.times == one.weights.times);
    CHECK(r.weights.weights == one.weights.weights);
    REQUIRE(r.connections.size() == one.connections.size());
    for (std::size_t k = 0; k < one.connections.size(); ++k) {
      CHECK(r.connections[k].source == one.connections[k].source);
      CHECK(r.connections[k].target == one.connections[k].target);
      CHECK(r.connections[k].weight == one.connections[k].weight);
      CHECK(r.connections[k].state == one.connections[k].state);
    }
  }
}

TEST_CASE("a different seed gives different Poisson input", "[determinism]") {
  CHECK(run(1, 1).spikes.times != run(1, 2).spikes.times);
}
