#include "frontend/simulation.hpp"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <thread>

#include "engine/kernel.hpp"
#include "frontend/tree_schema.hpp"
#include "io/output_dir.hpp"
#include "frontend/outputs.hpp"

namespace nestling::frontend {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

Simulation::Simulation(ParamsTree tree, const RunOptions& options) : tree_(std::move(tree)), options_(options) {
  const auto t0 = std::chrono::steady_clock::now();
  check_keys(tree_, "params", tree_.own_params(), {});
  check_keys(tree_, "nest_params", tree_.own_nest_params(), {});
  check_children(tree_, {"kernel", "simulation", "session_models", "network"});

  ParamsTree& sim_node = *tree_.child("simulation");
  if (!sim_node.children().empty()) tree_error(*sim_node.children().front(), "", "", "simulation has no subtrees");
  check_keys(sim_node, "nest_params", sim_node.nest_params(), {});
  // Command-line directories override the tree and are written back, as deNEST's -o does.
  if (options_.output_dir) sim_node.set_own_param("output_dir", Value(*options_.output_dir));
  if (options_.input_dir) sim_node.set_own_param("input_dir", Value(*options_.input_dir));
  Dict sp = check_keys(sim_node, "params", sim_node.params(),
                       {{}, {{"sessions", Value(List{})}, {"input_dir", Value("input")}, {"output_dir", Value("output")}}, {}, false});
  output_dir_ = string_value(sim_node, "params", sp, "output_dir");
  input_dir_ = string_value(sim_node, "params", sp, "input_dir");
  if (output_dir_.empty()) tree_error(sim_node, "params", "output_dir", "must not be empty");
  const std::vector<std::string> order = string_list(sim_node, "params", sp.at("sessions"), "sessions");

  init_kernel();
  network_ = std::make_unique<Network>(*sim_, *tree_.child("network"));
  // Session names are checked before anything is created.
  const auto session_models = find_session_models(*tree_.child("session_models"), order, sim_node);
  network_->create();
  sessions_ = build_sessions(session_models, order, *network_, *sim_, input_dir_, sim_->time());
  sim_node.set_own_param("sessions", Value(order));
  build_s_ = seconds_since(t0);
}

Simulation::~Simulation() = default;

void Simulation::init_kernel() {
  ParamsTree& k = *tree_.child("kernel");
  // Command-line seed and threads are written back, so that parameter_tree.yml replays the run.
  if (options_.seed) k.set_own_param("nest_seed", Value(*options_.seed), "command line");
  if (options_.threads) k.set_own_nest_param("local_num_threads", Value(static_cast<long long>(*options_.threads)),
                                             "command line");
  if (!k.children().empty()) tree_error(*k.children().front(), "", "", "kernel has no subtrees");
  Dict kp = check_keys(k, "params", k.params(),
                       {{}, {{"extension_modules", Value(List{})}, {"nest_seed", Value(1)}}, {}, false});
  const auto modules = string_list(k, "params", kp.at("extension_modules"), "extension_modules");
  const Value& seed = kp.at("nest_seed");
  if (!seed.is_int() || seed.as_int() < 0) tree_error(k, "params", "nest_seed", "must be a non-negative integer, got " + seed.repr());

  Dict np = check_keys(k, "nest_params", k.nest_params(), {{}, {}, {"data_path", "msd", "grng_seed", "rng_seed"}, true});
  if (np.contains("rng_seeds"))
    tree_error(k, "nest_params", "rng_seeds",
               "nestling keys its random streams by node and projection, not by thread: set kernel/params/nest_seed");
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  for (const char* key : {"local_num_threads", "total_num_virtual_procs"}) {
    Value* v = np.find(key);
    if (!v) continue;
    if (!v->is_int() || v->as_int() < 1) tree_error(k, "nest_params", key, "must be a positive integer, got " + v->repr());
    if (!options_.threads && v->as_int() > static_cast<long long>(hw)) {
      log("warning: kernel/nest_params/" + std::string(key) + " asks for " + std::to_string(v->as_int()) +
          " threads; this machine has " + std::to_string(hw) + ", using " + std::to_string(hw));
      *v = Value(static_cast<long long>(hw));
    }
  }
  if (options_.threads) {
    np.erase("total_num_virtual_procs");
    np.set("local_num_threads", Value(static_cast<long long>(*options_.threads)));
  }
  if (const Value* o = np.find("overwrite_files")) {
    if (!o->is_bool()) tree_error(k, "nest_params", "overwrite_files", "must be true or false");
    overwrite_files_ = o->as_bool();
  }
  sim_ = std::make_unique<Simulator>();
  // The sleep model's module (Bugnon et al. 2021) is built in; nestling loads no other modules.
  for (const auto& module : modules)
    if (module != "htneuronmodule") {
      std::string built_in;
      for (const auto& m : sim_->node_models()) built_in += (built_in.empty() ? "" : ", ") + m;
      tree_error(k, "params", "extension_modules",
                 "nestling cannot load NEST extension module '" + module +
                     "'; it knows only htneuronmodule (built in). Built-in neuron and device models: " + built_in);
    }
  try {
    sim_->set_kernel_status(np);
  } catch (const UserError& e) {
    throw located(UserError(e.message()), k, "nest_params", e.path());
  }
  sim_->set_kernel_status({{"rng_seed", Value(options_.seed ? *options_.seed : seed.as_int())}});
}

void Simulation::log(const std::string& line) const {
  if (options_.log) *options_.log << line << "\n" << std::flush;
}

void Simulation::request_stop() {
  if (sim_) sim_->kernel().request_stop();
}

bool Simulation::run() {
  io::OutputDirectory out(output_dir_, overwrite_files_ || options_.force, "simulation/params/output_dir");
  Kernel& kernel = sim_->kernel();
  sim_->set_kernel_status({{"data_path", out.data_dir().string()}, {"overwrite_files", true}});
  RunOutputs outputs(out.staging());
  const std::string unchanged = "; the output directory is unchanged";
  try {
    outputs.write_tree(tree_);
    outputs.write_versions();
    outputs.write_session_times(sessions_, sessions_.size());
    outputs.write_recorder_metadata(*network_, *sim_);
  } catch (const Interrupted&) {
    log("interrupted before the simulation started" + unchanged);
    return false;  // the staging directory goes with `out`
  }

  bool interrupted = false;
  std::size_t completed = 0;
  for (const Session& s : sessions_) {
    const auto t0 = std::chrono::steady_clock::now();
    if (options_.progress_bar) {
      kernel.set_progress_callback([this, &s, t0](step_t clock) {
        const double done = sim_->kernel().grid().steps_to_ms(clock) - s.start;
        static auto last = std::chrono::steady_clock::now();
        const auto now = std::chrono::steady_clock::now();
        if (std::chrono::duration<double>(now - last).count() < 0.1 && done < s.simulation_time) return;
        last = now;
        const double wall = seconds_since(t0);
        const int width = 30;
        const int filled = s.simulation_time > 0 ? static_cast<int>(width * done / s.simulation_time) : width;
        std::ostringstream line;
        line << "\r" << s.name << " [" << std::string(static_cast<std::size_t>(std::min(filled, width)), '#')
             << std::string(static_cast<std::size_t>(width - std::min(filled, width)), '.') << "] " << done << "/"
             << s.simulation_time << " ms, wall " << std::fixed << std::setprecision(2) << wall << " s";
        if (done > 0) line << ", real-time factor " << wall * 1000.0 / done;
        *options_.log << line.str() << std::flush;
      });
    }
    run_session(s, *network_, *sim_);
    kernel.set_progress_callback(nullptr);
    const double wall = seconds_since(t0);
    const double simulated = sim_->time() - s.start;
    reports_.push_back({s.name, simulated, wall});
    if (options_.progress_bar) *options_.log << "\n";
    std::ostringstream msg;
    msg << "session " << s.name << ": " << simulated << " ms simulated in " << std::round(wall * 1000) / 1000
        << " s (real-time factor " << (simulated > 0 ? std::round(wall * 1000.0 / simulated * 1000) / 1000 : 0.0) << ")";
    log(msg.str());
    if (kernel.stopped()) {
      interrupted = true;
      break;
    }
    ++completed;
  }
  if (interrupted && !sessions_.empty() && sessions_.front().start == sim_->time()) {
    log("interrupted before anything was simulated" + unchanged);
    return false;
  }
  if (interrupted) {
    // session_times.yml describes what ran: the completed sessions and the interrupted one's part.
    outputs.write_session_times(sessions_, completed + 1, sim_->time());
    std::ostringstream msg;
    msg << "interrupted at " << std::fixed << std::setprecision(1) << sim_->time()
        << " ms; the outputs of what ran are complete";
    log(msg.str());
  }
  // Recorders close their files before they move into place.
  kernel.close_recorders();
  out.commit();
  return !interrupted;
}

}  // namespace nestling::frontend
