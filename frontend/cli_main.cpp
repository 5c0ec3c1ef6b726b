#include <CLI/CLI.hpp>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "engine/kernel.hpp"
#include "frontend/cli.hpp"
#include "nestling/simulator.hpp"

namespace nestling::cli {

namespace {

std::string default_text(const Value& v) {
  if (v.is_real()) {
    std::ostringstream os;
    os << v.as_double();
    return os.str();
  }
  if (v.is_string()) return "'" + v.as_string() + "'";
  return v.repr();
}

void print_table(std::ostream& os, const std::vector<ParamSpec>& specs, const Dict& defaults) {
  os << std::left << std::setw(24) << "parameter" << std::setw(12) << "unit" << std::setw(18) << "default"
     << std::setw(10) << "check" << "meaning\n";
  for (const auto& s : specs) {
    if (s.write_only) continue;
    const Value* v = defaults.find(s.name);
    os << std::left << std::setw(24) << s.name << std::setw(12) << (s.unit.empty() ? "-" : s.unit) << std::setw(18)
       << (v ? default_text(*v) : std::string("-")) << std::setw(10) << check_text(s.check) << s.doc
       << (s.is_state ? " (state)" : "") << (s.read_only ? " (read-only)" : "") << "\n";
  }
}

int models_command(const std::string& name) {
  Simulator sim;
  Kernel& k = sim.kernel();
  if (name.empty()) {
    std::cout << "node models:\n";
    for (const auto& n : k.models().node_model_names()) std::cout << "  " << n << "\n";
    std::cout << "synapse models:\n";
    for (const auto& n : k.models().synapse_model_names()) std::cout << "  " << n << "\n";
    return 0;
  }
  if (k.models().has_synapse_model(name)) {
    const SynapseModel& m = k.models().synapse_model(name);
    std::cout << name << " (synapse model)\n" << m.documentation() << "\n\n";
    print_table(std::cout, m.parameters(), m.defaults());
    return 0;
  }
  const NodeModel& m = k.models().node_model(name);
  std::cout << name << " (node model)\n" << m.documentation() << "\n\n";
  print_table(std::cout, m.parameters(), m.defaults());
  if (auto r = m.recordables(); !r.empty()) {
    std::cout << "\nrecordables:";
    for (const auto& x : r) std::cout << " " << x;
    std::cout << "\n";
  }
  if (auto r = m.receptor_types(); !r.empty()) std::cout << "receptor_types: " << Value(r).repr() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nestling: runs deNEST parameter trees on its own multithreaded spiking-network engine"};
  app.set_version_flag("-v,--version", "nestling 0.1.0");
  app.require_subcommand(1);
  std::string model_name;
  auto* models = app.add_subcommand("models", "List the models, or show one model's parameter table");
  models->add_option("NAME", model_name, "a model name");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (*models) return models_command(model_name);
  } catch (const UserError& e) {
    std::cerr << "nestling: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace nestling::cli
