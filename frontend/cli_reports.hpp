// What the nestling command line prints besides errors: the model listing and tables of
// `nestling models`, the network summary of `validate`, and after a run the activity table,
// the phase timings and the --stats file.
#pragma once

#include <iosfwd>
#include <string>

#include "frontend/simulation.hpp"

namespace nestling::cli {

// `nestling models`: every model with the first sentence of its description, wrapped to `width`.
void print_model_list(std::ostream& os, Simulator& sim, int width);
// `nestling models NAME`: description, parameter table, recordables and receptor ports.
void print_model(std::ostream& os, Simulator& sim, const std::string& name, int width);
// `nestling validate`: nodes per population, connections per projection, memory, sessions.
void print_summary(std::ostream& os, frontend::Simulation& s);
// Spikes and mean rate of every spiking population in every session that ran.
void print_activity(std::ostream& os, const frontend::Simulation& s);
void print_timings(std::ostream& os, frontend::Simulation& s);
// `nestling validate --connections FILE`: every connection as CSV (source, target, synapse_model,
// weight, delay in ms, receptor), in the order of get_connections; numbers read back exactly.
// Collective under MPI (every process calls it); `writes`: this process writes the file.
void write_connections_csv(const std::string& file, frontend::Simulation& s, bool writes = true);
// Machine-readable figures of a run, for benchmarks/run.
// Collective under MPI (totals over processes); `writes`: this process writes the file.
void write_stats(const std::string& file, frontend::Simulation& s, double build_s, double run_s, bool writes = true);

}  // namespace nestling::cli
