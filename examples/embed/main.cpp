// A program that embeds nestling: Poisson input through parrots into a small population,
// recorded in memory, run on two threads.
#include <nestling/simulator.hpp>

#include <cstdio>
#include <map>

int main() {
  using namespace nestling;
  try {
    Simulator sim;
    sim.set_kernel_status({{"resolution", 0.1}, {"local_num_threads", 2}, {"rng_seed", 42}});

    auto input = sim.create("poisson_generator", 1, {{"rate", 50.0}});
    auto relays = sim.create("parrot_neuron", 100);
    auto targets = sim.create("parrot_neuron", 10);
    auto detector = sim.create("spike_detector");

    sim.connect(input, relays);                       // an independent Poisson train per relay
    sim.connect(relays, targets, Rule::all_to_all, {.model = "static_synapse", .delay = 1.5});
    sim.connect(targets, detector);
    sim.simulate(200.0);

    const SpikeData spikes = sim.spikes(detector[0]);
    std::map<NodeId, int> per_node;
    for (NodeId s : spikes.senders) ++per_node[s];
    std::printf("simulated %.1f ms, %zu spikes recorded from %zu targets\n", sim.time(), spikes.times.size(),
                per_node.size());
    return spikes.times.empty() ? 1 : 0;
  } catch (const UserError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
