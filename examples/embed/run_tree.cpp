// A program that runs a deNEST parameter tree through nestling's tree API: load with an override,
// look at the network, run session by session, change a parameter between sessions.
//   embed_tree_example TREE OUTPUT_DIR
#include <nestling/tree_simulation.hpp>

#include <cstdio>
#include <iostream>

int main(int argc, char** argv) {
  using namespace nestling;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s TREE OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    // Overrides win over the tree files, as in deNEST's load_trees(path, *overrides).
    const Dict two_threads{{"kernel", Dict{{"nest_params", Dict{{"local_num_threads", 2}}}}}};
    TreeSimulation sim = TreeSimulation::load({argv[1]}, {two_threads}, {.output_dir = argv[2], .force = true});
    for (const LayerInfo& layer : sim.layers()) {
      std::printf("layer %s: %zu x %zu", layer.name.c_str(), layer.rows, layer.columns);
      for (const PopulationInfo& p : layer.populations) std::printf(", %s (%zu)", p.name.c_str(), p.size);
      std::printf("\n");
    }
    const ConnectionArrays connections = sim.connections();
    std::printf("%zu connections in %zu projections\n", connections.sources.size(), sim.projections().size());

    while (sim.sessions_run() < sim.sessions().size()) {
      const SessionInfo next = sim.sessions()[sim.sessions_run()];
      if (!sim.run_next_session()) return 130;  // interrupted: the outputs of what ran are in place
      std::printf("session %s done at %.1f ms\n", next.name.c_str(), sim.time_ms());
    }
    std::printf("outputs in %s\n", sim.output_dir().c_str());
    return 0;
  } catch (const UserError& e) {  // names the file and the tree path
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}
