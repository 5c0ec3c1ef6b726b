#include "frontend/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <span>
#include <cmath>
#include <iomanip>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "engine/kernel.hpp"
#include "frontend/outputs.hpp"
#include "frontend/tree_schema.hpp"
#include "io/output_dir.hpp"

namespace nestling::frontend {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
const char* const kOutputDirPath = "simulation/params/output_dir";
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
  // A target that cannot take the outputs is refused before anything is built.
  if (!options_.validate_only) io::OutputDirectory::check(output_dir_, replace_outputs(), {}, kOutputDirPath);
  network_ = std::make_unique<Network>(*sim_, *tree_.child("network"));
  // Session names are checked before anything is created.
  const auto session_models = find_session_models(*tree_.child("session_models"), order, sim_node);
  network_->create();
  for (const auto& warning : network_->warnings()) log(warning);
  sessions_ = build_sessions(session_models, order, *network_, *sim_, input_dir_, sim_->time());
  sim_node.set_own_param("sessions", Value(order));
  warn_about_empty_run(sim_node);
  if (!options_.validate_only)
    io::OutputDirectory::check(output_dir_, replace_outputs(), output_plan(), kOutputDirPath);
  build_s_ = seconds_since(t0);
}

io::OutputPlan Simulation::output_plan() const {
  io::OutputPlan plan;
  plan.data_files = RunOutputs::planned_data_files(*network_, *sim_);
  for (const auto& f : tree_.inputs()) plan.inputs.emplace_back(f);
  for (const Session& s : sessions_)
    for (const UnitChange& c : s.unit_changes)
      for (const auto& f : c.files) plan.inputs.emplace_back(f);
  return plan;
}

void Simulation::warn_about_empty_run(const ParamsTree& simulation) const {
  if (network_->layers().empty())
    log("warning: network/layers: the tree defines no layers, so there is nothing to simulate");
  if (sessions_.empty())
    log(std::string("warning: ") +
        located(UserError("no sessions: nothing will be simulated (list session models here)"), simulation, "params",
                "sessions")
            .what());
  if (!options_.memory_recordings_lost) return;
  std::vector<std::string> warned;  // one line per recorder model
  for (const NetworkRecorder& r : network_->recorders()) {
    const auto& to = sim_->kernel().recorder(r.gid).params().record_to;
    if (std::any_of(to.begin(), to.end(), [](const std::string& b) { return b == "file" || b == "hdf5"; })) continue;
    if (std::find(warned.begin(), warned.end(), r.model) != warned.end()) continue;
    warned.push_back(r.model);
    const UserError why("recorder model " + r.model + " writes to no file (record_to: " + Value(to).repr() +
                        "), so what it records is lost when the run ends; add file or hdf5");
    const ParamsTree* leaf = network_->model_node(r.model);
    log(std::string("warning: ") + (leaf ? located(why, *leaf, "nest_params", "record_to").what() : why.what()));
  }
}

Simulation::~Simulation() {
  // A simulation dropped between sessions keeps what ran.
  try {
    finish_run();
  } catch (const std::exception& e) {
    log(std::string("error: the outputs of the sessions that ran could not be moved into place: ") + e.what());
  }
}

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
  sim_->kernel().set_communicator(options_.communicator);
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

std::vector<PopulationActivity> Simulation::activity_so_far() const {
  const Kernel& kernel = sim_->kernel();
  std::vector<PopulationActivity> out;
  for (const NetworkLayer& l : network_->layers())
    for (const LayerPopulation& p : l.grid->populations())
      if (kernel.group_of(p.first_id).kind() == NodeKind::neuron)
        out.push_back({l.name, p.model, p.size, kernel.total_spikes_emitted(p.first_id, p.size)});
  return out;
}

void Simulation::log(const std::string& line) const {
  if (options_.log) *options_.log << line << "\n" << std::flush;
}

void Simulation::request_stop() {
  if (sim_) sim_->kernel().request_stop();
}

bool Simulation::run() {
  if (!begin_run()) return false;
  while (completed_ < sessions_.size())
    if (!run_next_session()) return false;
  finish_run();  // a tree without sessions still gets its outputs
  return true;
}

std::function<void(step_t)> Simulation::progress_bar(const Session& s) const {
  const auto t0 = std::chrono::steady_clock::now();
  return [this, &s, t0, last = t0](step_t clock) mutable {
    const double done = sim_->kernel().grid().steps_to_ms(clock) - s.start;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last).count() < 0.1 && done < s.simulation_time) return;
    last = now;
    const double wall = seconds_since(t0);
    const int width = 30;
    const int filled =
        std::min(s.simulation_time > 0 ? static_cast<int>(width * done / s.simulation_time) : width, width);
    std::ostringstream line;
    line << "\r" << s.name << " [" << std::string(static_cast<std::size_t>(filled), '#')
         << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << done << "/" << s.simulation_time
         << " ms, wall " << std::fixed << std::setprecision(2) << wall << " s";
    if (done > 0) line << ", real-time factor " << wall * 1000.0 / done;
    *options_.log << line.str() << std::flush;
  };
}

std::optional<IntegrationError> Simulation::run_session_reported(const Session& s) {
  Kernel& kernel = sim_->kernel();
  const auto t0 = std::chrono::steady_clock::now();
  const auto index = static_cast<std::size_t>(&s - sessions_.data());
  std::function<void(step_t)> bar = options_.progress_bar ? progress_bar(s) : nullptr;
  if (bar || progress_) {
    // The caller's callback may be slow (Python): at most every 0.1 s of wall time.
    kernel.set_progress_callback([this, bar, index, last = t0](step_t clock) mutable {
      if (bar) bar(clock);
      const auto now = std::chrono::steady_clock::now();
      if (!progress_ || std::chrono::duration<double>(now - last).count() < 0.1) return;
      last = now;
      progress_(index, sim_->kernel().grid().steps_to_ms(clock));
    });
  }
  std::optional<IntegrationError> diverged;
  std::vector<PopulationActivity> activity = activity_so_far();
  try {
    run_session(s, *network_, *sim_);
  } catch (const IntegrationError& e) {  // what ran before the failing slice is kept
    diverged = e.located(network_->describe_node(e.node()));
  }
  kernel.set_progress_callback(nullptr);
  if (progress_) progress_(index, sim_->time());
  const double wall = seconds_since(t0);
  const double simulated = sim_->time() - s.start;
  const std::vector<PopulationActivity> after = activity_so_far();
  for (std::size_t i = 0; i < activity.size(); ++i) activity[i].spikes = after[i].spikes - activity[i].spikes;
  reports_.push_back({s.name, simulated, wall, std::move(activity)});
  if (options_.progress_bar) *options_.log << "\n";
  std::ostringstream msg;
  msg << "session " << s.name << ": " << simulated << " ms simulated in " << std::round(wall * 1000) / 1000
      << " s (real-time factor " << (simulated > 0 ? std::round(wall * 1000.0 / simulated * 1000) / 1000 : 0.0) << ")";
  log(msg.str());
  return diverged;
}

bool Simulation::begin_run() {
  if (out_ || joined_) return true;
  if (options_.validate_only) throw InternalError("Simulation::run: this simulation was built to validate only");
  if (finished_) throw UserError("this simulation has run; build a new one to run the tree again");
  const Communicator& comm = options_.communicator;
  if (root()) out_ = std::make_unique<io::OutputDirectory>(output_dir_, replace_outputs(), kOutputDirPath, output_plan());
  std::string staging = out_ ? out_->staging().string() : std::string();
  if (comm.distributed()) {  // process 0's staging directory, for every process's recorder files
    std::vector<std::size_t> counts;
    const auto all = comm.all_gather(std::as_bytes(std::span<const char>(staging.data(), staging.size())), &counts);
    staging.assign(reinterpret_cast<const char*>(all.data()), counts.front());
    joined_ = !root();
  }
  sim_->set_kernel_status({{"data_path", (std::filesystem::path(staging) / "data").string()}, {"overwrite_files", true}});
  if (!root()) return true;
  outputs_ = std::make_unique<RunOutputs>(out_->staging());
  try {
    outputs_->write_tree(tree_);
    outputs_->write_versions();
    outputs_->write_session_times(sessions_, sessions_.size());
    outputs_->write_recorder_metadata(*network_, *sim_);
  } catch (const Interrupted&) {
    log("interrupted before the simulation started; the output directory is unchanged");
    abandon_run();
    return false;
  } catch (const UserError& e) {
    const UserError located_error = out_->in_place(e);  // name the file where it was going
    abandon_run();
    throw located_error;
  }
  return true;
}

void Simulation::abandon_run() {
  outputs_.reset();
  out_.reset();  // removes the staging directory
  joined_ = false;
  finished_ = true;
}

bool Simulation::run_next_session() {
  if (completed_ >= sessions_.size() || finished_) return false;
  if (!begin_run()) return false;
  Kernel& kernel = sim_->kernel();
  std::optional<IntegrationError> diverged;
  try {
    diverged = run_session_reported(sessions_[completed_]);
  } catch (const UserError& e) {  // an output that cannot be written: nothing is kept
    const UserError located_error = out_ ? out_->in_place(e) : e;
    abandon_run();
    throw located_error;
  } catch (const PeerFailure&) {  // another process failed: keep what ran, as that process does
    end_interrupted(std::nullopt);
    throw;
  }
  if (kernel.stopped() || diverged) {
    end_interrupted(std::move(diverged));
    return false;
  }
  ++completed_;
  if (completed_ == sessions_.size()) finish_run();
  return true;
}

void Simulation::end_interrupted(std::optional<IntegrationError> diverged) {
  if (sessions_[completed_].start == sim_->time() && completed_ == 0) {
    abandon_run();  // nothing was simulated: the output directory stays as it was
    if (diverged) throw *diverged;
    log("interrupted before anything was simulated; the output directory is unchanged");
    return;
  }
  if (!diverged) {
    std::ostringstream msg;
    msg << "interrupted at " << std::fixed << std::setprecision(1) << sim_->time()
        << " ms; the outputs of what ran are complete";
    log(msg.str());
  }
  ++completed_;  // the interrupted session counts as run: its part is in the outputs
  commit_run(sim_->time());
  if (diverged) throw *diverged;
}

void Simulation::finish_run() {
  if ((out_ || joined_) && !finished_) commit_run(std::nullopt);
}

void Simulation::commit_run(std::optional<double> last_end) {
  if (options_.communicator.distributed()) {
    // Process 0 moves the outputs into place once every process has closed its files.
    sim_->kernel().close_recorders();
    options_.communicator.barrier();
    if (!root()) {
      joined_ = false;
      finished_ = true;
      return;
    }
  }
  try {
    // session_times.yml describes what ran: the sessions completed, the last one cut at last_end.
    if (completed_ < sessions_.size() || last_end) outputs_->write_session_times(sessions_, completed_, last_end);
    // Recorders close their files before they move into place; metadata names only files written.
    sim_->kernel().close_recorders();
    outputs_->write_recorder_metadata(*network_, *sim_, true);
  } catch (const UserError& e) {
    const UserError located_error = out_->in_place(e);
    abandon_run();
    throw located_error;
  }
  try {
    out_->commit();
  } catch (const UserError&) {  // the outputs stay where the error says; the run is over either way
    outputs_.reset();
    out_.reset();
    finished_ = true;
    throw;
  }
  outputs_.reset();
  out_.reset();
  finished_ = true;
}

}  // namespace nestling::frontend
