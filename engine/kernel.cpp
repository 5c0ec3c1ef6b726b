// Kernel: settings, models, nodes and connections. The simulation loop is in kernel_run.cpp.
#include "engine/kernel.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

#include "engine/suggest.hpp"
#include "nestling/errors.hpp"

namespace nestling {

Kernel::Kernel() {
  threads_.push_back(std::make_unique<KernelThread>());
}

Kernel::~Kernel() = default;

// ---------------------------------------------------------------------------------- settings

void Kernel::check_can_change_layout(const std::string& key) const {
  if (!groups_.empty() || next_gid_ != 1 || simulated_)
    throw UserError(key, "can only be changed before any node is created");
}

void Kernel::set_status(const Dict& d) {
  KernelSettings next = settings_;
  TimeGrid grid = grid_;
  bool interval_given = false;
  for (const auto& [key, v] : d) {
    try {
      if (key == "resolution") {
        if (v.as_double() != settings_.resolution) check_can_change_layout(key);
        grid.set_resolution(v.as_double());
        next.resolution = grid.resolution();
      } else if (key == "local_num_threads" || key == "total_num_virtual_procs") {
        auto n = v.as_int();
        const int processes = comm_.size();
        if (key == "total_num_virtual_procs") {
          // NEST: the virtual processes are shared out over the MPI processes.
          if (n < 1 || n % processes != 0)
            throw UserError(key, "must be a positive multiple of the number of MPI processes (" +
                                     std::to_string(processes) + "), got " + std::to_string(n));
          n /= processes;
        }
        if (n < 1 || n > 1024) throw UserError(key, "threads must be between 1 and 1024, got " + std::to_string(n));
        if (n != settings_.threads) check_can_change_layout(key);
        next.threads = static_cast<int>(n);
      } else if (key == "rng_seed" || key == "seed") {
        const auto s = v.as_int();
        if (s < 0) throw UserError(key, "must be a non-negative integer");
        if (simulated_ && static_cast<std::uint64_t>(s) != settings_.seed)
          throw UserError(key, "cannot change after the first simulation");
        next.seed = static_cast<std::uint64_t>(s);
      } else if (key == "overwrite_files") {
        next.overwrite_files = v.as_bool();
      } else if (key == "data_path") {
        next.data_path = v.as_string();
      } else if (key == "data_prefix") {
        if (v.as_string().find('/') != std::string::npos) throw UserError(key, "must not contain '/'");
        next.data_prefix = v.as_string();
      } else if (key == "print_time") {
        next.print_time = v.as_bool();
      } else if (key == "dict_miss_is_error") {
        v.as_bool();  // accepted for compatibility: unknown keys are always errors here
      } else if (key == "grng_seed" || key == "rng_seeds") {
        throw UserError(key, "nestling keys its random streams by node and projection, not by thread; "
                             "set the single kernel seed 'rng_seed' instead");
      } else if (key.rfind("wfr_", 0) == 0 || key == "use_wfr") {
        apply_wfr_setting(next, key, v);
        interval_given = interval_given || key == "wfr_comm_interval";
      } else {
        static const char* const read_only[] = {"biological_time", "min_delay",    "max_delay",
                                                "network_size",    "num_connections", "num_processes",
                                                "tics_per_ms",     "time"};
        if (std::find(std::begin(read_only), std::end(read_only), key) != std::end(read_only))
          throw UserError(key, "is read-only");
        const std::vector<std::string> valid = {
            "data_path",  "data_prefix", "local_num_threads", "overwrite_files",
            "print_time", "resolution",  "rng_seed",          "total_num_virtual_procs",
            "use_wfr",    "wfr_comm_interval", "wfr_interpolation_order", "wfr_max_iterations", "wfr_tol"};
        std::string list;
        for (const auto& name : valid) list += (list.empty() ? "" : ", ") + name;
        throw UserError(key, "unknown kernel parameter" + did_you_mean(key, valid) + "; valid: " + list);
      }
    } catch (const UserError& e) {
      if (e.path().empty()) throw UserError(key, e.message());
      throw;
    }
  }
  // NEST: without waveform relaxation the interval is one step; a coarser resolution raises it.
  if (!next.use_wfr) {
    next.wfr_comm_interval = next.resolution;
  } else if (next.wfr_comm_interval < next.resolution) {
    if (interval_given)
      throw UserError("wfr_comm_interval", "must be at least the resolution " + format_number(next.resolution) +
                                               " ms, got " + format_number(next.wfr_comm_interval));
    next.wfr_comm_interval = next.resolution;
  }
  if (next.threads != settings_.threads) {
    threads_.clear();
    for (int t = 0; t < next.threads; ++t) threads_.push_back(std::make_unique<KernelThread>());
  }
  settings_ = next;
  grid_ = grid;
}

void Kernel::apply_wfr_setting(KernelSettings& next, const std::string& key, const Value& v) const {
  if (key == "use_wfr") {
    const bool on = v.as_bool();
    if (on != settings_.use_wfr && (!groups_.empty() || next_gid_ != 1))
      throw UserError(key, "can only be changed before any node is created");
    next.use_wfr = on;
  } else if (key == "wfr_comm_interval") {
    const double ms = v.as_double();
    if (!next.use_wfr) throw UserError(key, "can only be set while use_wfr is true");
    if (ms != settings_.wfr_comm_interval && (num_connections() > 0 || has_gaps_))
      throw UserError(key, "cannot change once connections exist");
    if (!std::isfinite(ms)) throw UserError(key, "must be a finite number of ms, got " + format_number(ms));
    next.wfr_comm_interval = ms;
  } else if (key == "wfr_tol") {
    // NEST logs and ignores invalid values; nestling refuses them.
    const double tol = v.as_double();
    if (!(tol >= 0.0)) throw UserError(key, "must be non-negative, got " + format_number(tol));
    next.wfr_tol = tol;
  } else if (key == "wfr_max_iterations") {
    const auto n = v.as_int();
    if (n <= 0) throw UserError(key, "must be positive, got " + std::to_string(n));
    next.wfr_max_iterations = static_cast<long>(n);
  } else if (key == "wfr_interpolation_order") {
    const auto o = v.as_int();
    if (o != 0 && o != 1 && o != 3) throw UserError(key, "must be 0, 1 or 3, got " + std::to_string(o));
    next.wfr_interpolation_order = static_cast<long>(o);
  } else {
    throw UserError(key, "unknown kernel parameter; the waveform-relaxation keys are use_wfr, wfr_comm_interval, "
                         "wfr_interpolation_order, wfr_max_iterations, wfr_tol");
  }
}

void Kernel::set_communicator(Communicator comm) {
  if (comm.size() != comm_.size()) check_can_change_layout("communicator");
  comm_ = comm;
}

Dict Kernel::status() const {
  Dict d;
  d.set("resolution", grid_.resolution());
  d.set("tics_per_ms", static_cast<long long>(grid_.tics_per_ms()));
  d.set("local_num_threads", settings_.threads);
  d.set("total_num_virtual_procs", virtual_processes());
  d.set("num_processes", comm_.size());
  d.set("rng_seed", static_cast<long long>(settings_.seed));
  d.set("overwrite_files", settings_.overwrite_files);
  d.set("data_path", settings_.data_path);
  d.set("data_prefix", settings_.data_prefix);
  d.set("print_time", settings_.print_time);
  d.set("use_wfr", settings_.use_wfr);
  d.set("wfr_comm_interval", settings_.wfr_comm_interval);
  d.set("wfr_tol", settings_.wfr_tol);
  d.set("wfr_max_iterations", static_cast<long long>(settings_.wfr_max_iterations));
  d.set("wfr_interpolation_order", static_cast<long long>(settings_.wfr_interpolation_order));
  d.set("biological_time", biological_time());
  d.set("min_delay", grid_.steps_to_ms(min_delay_));
  d.set("max_delay", grid_.steps_to_ms(max_delay_));
  d.set("network_size", static_cast<long long>(next_gid_));  // includes the root node, as NEST
  d.set("num_connections", static_cast<long long>(num_connections()));
  return d;
}

// ------------------------------------------------------------------------------------ models

void Kernel::copy_model(const std::string& base, const std::string& name, const Dict& params) {
  models_.copy_model(base, name, params);
}

bool Kernel::synapse_model_in_use(int id) const {
  return id < static_cast<int>(synapse_used_.size()) && synapse_used_[static_cast<std::size_t>(id)];
}

void Kernel::set_defaults(const std::string& model, const Dict& params) {
  if (models_.has_synapse_model(model)) {
    auto& m = models_.synapse_model(model);
    try {
      m.set_defaults(params, synapse_model_in_use(m.id()));
    } catch (const UserError& e) {
      throw e.with_prefix(model);
    }
    return;
  }
  try {
    models_.node_model(model).set_defaults(params);
  } catch (const UserError& e) {
    throw e.with_prefix(model);
  }
}

Dict Kernel::get_defaults(const std::string& model) const {
  if (models_.has_synapse_model(model)) return models_.synapse_model(model).defaults();
  const NodeModel& m = models_.node_model(model);
  Dict d = m.defaults();
  if (auto r = m.receptor_types(); !r.empty()) d.set("receptor_types", r);
  if (auto rec = m.recordables(); !rec.empty()) d.set("recordables", Value(rec));
  return d;
}

// ------------------------------------------------------------------------------------- nodes

NodeId Kernel::create(const std::string& model_name, std::size_t n, const Dict& params) {
  const auto t0 = std::chrono::steady_clock::now();
  if (n == 0) throw UserError("n", "must create at least one node");
  const NodeModel& model = models_.node_model(model_name);
  // Connection stores keep source ids in 32 bits (half the memory while building).
  if (n > std::numeric_limits<std::uint32_t>::max() - next_gid_)
    throw UserError("n", "the network would exceed 4294967295 nodes, the most one process supports");
  check_fits_in_memory(model, n);
  const NodeId first = next_gid_;
  const int vps = virtual_processes();
  const VpLayout layout{vps, static_cast<int>(first % static_cast<NodeId>(vps)), comm_.rank() * settings_.threads,
                        settings_.threads};
  std::unique_ptr<NodeGroup> g = model.create(first, n, layout);
  g->attach(&grid_, [this] { return clock_steps(); });
  if (!params.empty()) {
    try {
      g->set_status(0, params);  // validates once before touching the others
      // Neurons of other processes are theirs to set; devices are few and answer everywhere.
      const bool own_only = g->kind() == NodeKind::neuron;
      const std::size_t end = own_only ? g->local_end() : n;
      for (std::size_t i = std::max<std::size_t>(1, own_only ? g->local_begin() : 0); i < end; ++i)
        g->set_status(i, params);
    } catch (const UserError& e) {
      throw e.with_prefix(model_name);
    }
  }
  next_gid_ += n;
  register_targets(*g);
  if (auto* rec = dynamic_cast<RecorderGroup*>(g.get())) {
    for (std::size_t i = 0; i < n; ++i) {
      RecordingDevice& dev = rec->device(i);
      if (rec->record_kind() == RecordKind::samples) multimeters_.push_back(&dev);
      if (rec->record_kind() == RecordKind::weights) weight_recorders_.push_back(&dev);
    }
    for (auto& t : threads_) t->samples.resize(multimeters_.size());
  }
  groups_.push_back(std::move(g));
  times_.create += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return first;
}

double physical_memory() {
  const double pages = static_cast<double>(::sysconf(_SC_PHYS_PAGES));
  const double page = static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  return pages > 0 && page > 0 ? pages * page : 0.0;
}

std::size_t Kernel::node_bytes_estimate(const std::string& model, int ring_len) const {
  const auto one = models_.node_model(model).create(0, 1, VpLayout{});  // a node of the model, not part of the network
  const auto buffers = static_cast<std::size_t>(one->num_buffers());
  return one->state_bytes() + buffers * static_cast<std::size_t>(ring_len) * sizeof(double) +
         (buffers ? sizeof(TargetInfo) : 0);
}

std::size_t Kernel::connection_bytes_estimate(const std::string& synapse_model) const {
  return models_.synapse_model(synapse_model).make_store()->bytes_per_connection() + sizeof(NodeId);  // + its source
}

void Kernel::check_fits_in_memory(const NodeModel& model, std::size_t n) const {
  const double available = physical_memory();
  // Each process holds its share of the nodes (machines of one job are taken to be alike).
  const std::size_t share = (n + static_cast<std::size_t>(comm_.size()) - 1) / static_cast<std::size_t>(comm_.size());
  const double needed = static_cast<double>(share) * static_cast<double>(model.min_bytes_per_node());
  if (n > (std::size_t{1} << 32) || (available > 0 && needed > available)) {
    std::ostringstream os;
    os << "creating " << n << " nodes of " << model.name() << " needs at least " << std::setprecision(3)
       << needed / (1024.0 * 1024.0 * 1024.0) << " GiB" << (comm_.size() > 1 ? " per process" : "")
       << ", more than this machine's "
       << available / (1024.0 * 1024.0 * 1024.0) << " GiB";
    throw UserError(model.name(), os.str());
  }
}

void Kernel::register_targets(NodeGroup& g) {
  if (g.num_buffers() == 0 && !g.has_gap_junctions()) return;
  for (int t = 0; t < settings_.threads; ++t) {
    auto& targets = threads_[static_cast<std::size_t>(t)]->targets;
    if (targets.size() + g.size() > 0xFFFFFFF0u) throw UserError("too many nodes on one thread");
    g.set_local_base(t, static_cast<std::uint32_t>(targets.size()));
    for (std::size_t i = g.chunk_begin(t); i < g.chunk_end(t); ++i) {
      TargetInfo info;
      info.gid = g.first_gid() + i;
      info.count_mask = g.count_mask();
      info.stream_mask = g.stream_mask();
      targets.push_back(info);
    }
  }
}

NodeGroup* Kernel::find_group(NodeId gid) const {
  auto it = std::upper_bound(groups_.begin(), groups_.end(), gid,
                             [](NodeId id, const std::unique_ptr<NodeGroup>& g) { return id < g->first_gid(); });
  if (it == groups_.begin()) return nullptr;
  NodeGroup* g = (it - 1)->get();
  return g->contains(gid) ? g : nullptr;
}

NodeGroup& Kernel::group_of(NodeId gid) const {
  if (NodeGroup* g = find_group(gid)) return *g;
  throw UserError("node " + std::to_string(gid), "no such node (ids run from 1 to " + std::to_string(max_gid()) + ")");
}

void Kernel::set_node_status(NodeId gid, const Dict& d) {
  NodeGroup& g = group_of(gid);
  try {
    g.set_status(g.index_of(gid), d);
  } catch (const UserError& e) {
    throw e.with_prefix(g.model_name());
  }
}

Dict Kernel::get_node_status(NodeId gid) const {
  NodeGroup& g = group_of(gid);
  Dict d = g.get_status(g.index_of(gid));
  d.set("global_id", static_cast<long long>(gid));
  d.set("model", g.model_name());
  const int vp = g.vp_of(g.index_of(gid));
  d.set("vp", vp);
  d.set("thread", vp % settings_.threads);
  d.set("local", g.is_local(g.index_of(gid)));
  if (auto* rec = dynamic_cast<RecorderGroup*>(&g)) d.set("events", rec->device(g.index_of(gid)).events(grid_));
  if (auto r = g.receptor_types(); !r.empty()) d.set("receptor_types", r);
  if (!g.recordables().empty()) d.set("recordables", Value(g.recordables()));
  return d;
}

RecordingDevice& Kernel::recorder(NodeId gid) const {
  NodeGroup& g = group_of(gid);
  auto* rec = dynamic_cast<RecorderGroup*>(&g);
  if (!rec) throw UserError("node " + std::to_string(gid), "is a " + g.model_name() + ", not a recorder");
  return rec->device(g.index_of(gid));
}

// ------------------------------------------------------------------------------- connections

std::uint16_t Kernel::delay_steps(double delay_ms, const std::string& where) const {
  if (!std::isfinite(delay_ms))
    throw UserError(where, "delay must be a finite number of ms, got " + format_number(delay_ms));
  if (delay_ms * grid_.steps_per_ms() > 1e9)  // checked before the conversion to an integer overflows
    throw UserError(where, "delay " + format_number(delay_ms) + " ms exceeds the largest supported delay of 65535 steps");
  if (delay_ms * grid_.steps_per_ms() < 0.5)
    throw UserError(where, "delay " + format_number(delay_ms) + " ms is less than one time step (" +
                               format_number(grid_.resolution()) + " ms)");
  const step_t d = grid_.delay_to_steps(delay_ms);  // >= 1 after the test above
  if (d > 0xFFFF)
    throw UserError(where, "delay " + format_number(delay_ms) + " ms exceeds the largest supported delay of 65535 steps");
  if (simulated_ && (d < min_delay_ || d > max_delay_))
    throw UserError(where, "after the first simulation new delays must lie between min_delay " +
                               format_number(grid_.steps_to_ms(min_delay_)) + " ms and max_delay " +
                               format_number(grid_.steps_to_ms(max_delay_)) + " ms");
  return static_cast<std::uint16_t>(d);
}

void Kernel::note_delay(std::uint16_t d) {
  recorder_min_delay_ = std::min<int>(recorder_min_delay_, d);
  recorder_max_delay_ = std::max<int>(recorder_max_delay_, d);
}

void Kernel::connect(NodeId source, NodeId target, const SynapseSpec& spec) {
  const auto t0 = std::chrono::steady_clock::now();
  NodeGroup& src = group_of(source);
  NodeGroup& tgt = group_of(target);
  const SynapseModel& model = spec.model < 0 ? models_.synapse_model("static_synapse") : models_.synapse_model(spec.model);
  if (model.secondary()) {
    connect_gap(source, src, target, tgt, model, spec);
    times_.connect += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return;
  }
  const double weight = spec.has_weight ? spec.weight : model.common().weight;
  const double delay = spec.has_delay ? spec.delay_ms : model.common().delay;
  const long receptor = spec.has_receptor ? spec.receptor : model.common().receptor_type;
  if (!std::isfinite(weight)) throw UserError("weight", "must be a finite number, got " + format_number(weight));
  const std::uint16_t d = delay_steps(delay, "delay");

  if (auto* det = dynamic_cast<RecorderGroup*>(&tgt)) {
    if (det->record_kind() != RecordKind::spikes)
      throw UserError("target " + std::to_string(target),
                      det->record_kind() == RecordKind::samples
                          ? "a multimeter is connected to the nodes it records: connect(multimeter, node)"
                          : "a weight_recorder is attached to a synapse model through its weight_recorder parameter");
    link_detector(source, src, *det, tgt.index_of(target));
    note_delay(d);
  } else if (auto* mm = dynamic_cast<RecorderGroup*>(&src)) {
    if (mm->record_kind() != RecordKind::samples)
      throw UserError("source " + std::to_string(source),
                      mm->model_name() + " does not send events; connect nodes to a spike_detector instead");
    link_multimeter(*mm, src.index_of(source), tgt, tgt.index_of(target));
    note_delay(d);
  } else {
    if (src.output_event() == EventKind::none)
      throw UserError("source " + std::to_string(source), "model " + src.model_name() + " does not send events");
    if (tgt.num_buffers() == 0)
      throw UserError("target " + std::to_string(target), "model " + tgt.model_name() + " does not receive connections");
    const int buffer =
        src.output_event() == EventKind::current ? tgt.current_buffer(receptor) : tgt.spike_buffer(receptor);
    if (spec.state) {
      const auto keys = model.connection_state_keys();
      for (const auto& [k, v] : *spec.state)
        if (std::find(keys.begin(), keys.end(), k) == keys.end())
          throw UserError(k, "cannot be set per connection for synapse model " + model.name() +
                                 " (set it on a copy of the model instead)");
    }
    const std::size_t i = tgt.index_of(target);
    if (!tgt.is_local(i)) {  // another process stores it (every process makes the same checks)
      finish_bulk_connect(model);
      times_.connect += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      return;
    }
    connect_resolved(tgt.thread_of(i), source, src.output_event(), model, tgt.local_index(i),
                     static_cast<std::uint8_t>(buffer), weight, d, spec.state);
  }
  finish_bulk_connect(model);
  times_.connect += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Kernel::connect_gap(NodeId source, const NodeGroup& src, NodeId target, const NodeGroup& tgt,
                         const SynapseModel& model, const SynapseSpec& spec) {
  if (spec.has_delay) throw UserError("delay", model.name() + " connections have no delay");
  const long receptor = spec.has_receptor ? spec.receptor : model.common().receptor_type;
  if (receptor != 0)
    throw UserError("receptor_type", "gap junctions arrive on receptor 0, not " + std::to_string(receptor));
  if (spec.state && !spec.state->empty())
    throw UserError(spec.state->begin()->first, "cannot be set per connection for synapse model " + model.name());
  const double weight = spec.has_weight ? spec.weight : model.common().weight;
  if (!std::isfinite(weight)) throw UserError("weight", "must be a finite number, got " + format_number(weight));
  for (const auto& [id, g] : {std::pair{source, &src}, std::pair{target, &tgt}})
    if (!g->has_gap_junctions())
      throw UserError((id == source ? "source " : "target ") + std::to_string(id),
                      "model " + g->model_name() + " has no gap junctions");
  if (simulated_ && !has_gaps_) {
    const int d = gap_interval_steps();
    if (d < min_delay_ || d > max_delay_)
      throw UserError("wfr_comm_interval", "the first gap junction after a simulation needs wfr_comm_interval (" +
                                               format_number(settings_.wfr_comm_interval) +
                                               " ms) between min_delay and max_delay");
  }
  const std::size_t i = tgt.index_of(target);
  if (tgt.is_local(i))
    threads_[static_cast<std::size_t>(tgt.thread_of(i))]->gaps.add(source, model.id(), tgt.local_index(i), weight);
  has_gaps_ = true;
  finish_bulk_connect(model);
}

int Kernel::gap_interval_steps() const {
  return static_cast<int>(std::max<step_t>(1, grid_.delay_to_steps(settings_.wfr_comm_interval)));
}

void Kernel::finish_bulk_connect(const SynapseModel& model) {
  if (synapse_used_.size() <= static_cast<std::size_t>(model.id())) synapse_used_.resize(model.id() + 1, 0);
  synapse_used_[static_cast<std::size_t>(model.id())] = 1;
  connections_dirty_ = true;
}

void Kernel::link_detector(NodeId source, NodeGroup& src, RecorderGroup& det, std::size_t det_index) {
  const EventKind k = src.output_event();
  if (k != EventKind::spike && k != EventKind::poisson)
    throw UserError("source " + std::to_string(source), "model " + src.model_name() + " does not send spikes");
  detector_links_.push_back({source, &det.device(det_index)});
}

void Kernel::link_multimeter(RecorderGroup& mm, std::size_t mm_index, NodeGroup& target, std::size_t target_index) {
  RecordingDevice& dev = mm.device(mm_index);
  const auto& p = dev.params();
  const std::string where = mm.model_name();
  if (!grid_.is_on_grid(p.interval) || grid_.ms_to_steps(p.interval) < 1)
    throw UserError(where + "/interval", "must be a positive multiple of the resolution " +
                                             format_number(grid_.resolution()) + " ms, got " + format_number(p.interval));
  if (p.offset != 0.0 && (!grid_.is_on_grid(p.offset) || grid_.ms_to_steps(p.offset) < 1))
    throw UserError(where + "/offset", "must be 0 or a positive multiple of the resolution, got " + format_number(p.offset));
  SamplingRequest req;
  req.recorder_index = static_cast<std::size_t>(
      std::find(multimeters_.begin(), multimeters_.end(), &dev) - multimeters_.begin());
  req.interval = grid_.ms_to_steps(p.interval);
  req.offset = grid_.ms_to_steps(p.offset);
  const auto& rec = target.recordables();
  for (const auto& name : p.record_from) {
    auto it = std::find(rec.begin(), rec.end(), name);
    if (it == rec.end()) {
      std::string valid;
      for (const auto& r : rec) valid += (valid.empty() ? "" : ", ") + r;
      throw UserError(where + "/record_from",
                      "model " + target.model_name() + " has no recordable '" + name + "'" +
                          (valid.empty() ? std::string(" (it has none)") : "; valid: " + valid));
    }
    req.recordables.push_back(static_cast<int>(it - rec.begin()));
  }
  dev.value_names = p.record_from;
  target.add_sampling(target_index, req);
  ++multimeter_links_;
  mm.mark_connected(mm_index);
}

std::size_t Kernel::num_connections() const {
  std::size_t n = detector_links_.size() + multimeter_links_;
  for (const auto& t : threads_) n += t->connections.size() + t->gaps.size();
  return n;
}

std::size_t Kernel::total_connections() const {
  std::uint64_t n = num_connections() - detector_links_.size() - multimeter_links_;  // recorder links: everywhere
  n = comm_.sum(n);
  return static_cast<std::size_t>(n) + detector_links_.size() + multimeter_links_;
}

std::uint64_t Kernel::total_spikes_emitted(NodeId first, std::size_t n) const {
  return comm_.sum(spikes_emitted(first, n));
}

std::size_t Kernel::connection_bytes() const {
  std::size_t b = 0;
  for (const auto& t : threads_) b += t->connections.bytes() + t->gaps.bytes();
  return b;
}

void Kernel::check_synapse_status(const std::string& synapse_model, const Dict& d) const {
  const SynapseModel& m = models_.synapse_model(synapse_model);
  m.make_store()->set_all(d, m.name());  // an empty store validates keys and values only
}

void Kernel::set_synapse_status(const std::string& synapse_model, const Dict& d) {
  check_synapse_status(synapse_model, d);
  const SynapseModel& m = models_.synapse_model(synapse_model);
  for (auto& t : threads_)
    if (SynapseStore* s = t->connections.find_store(m.id())) s->set_all(d, m.name());
}

std::pair<int, int> Kernel::delay_extent() const {
  if (simulated_) return {min_delay_, max_delay_};
  const auto [lo, hi] = delay_bounds();
  return {lo > hi ? 1 : lo, std::max(hi, 1)};
}

std::pair<int, int> Kernel::delay_bounds() const {
  int lo = recorder_min_delay_, hi = recorder_max_delay_;
  for (const auto& t : threads_) {
    if (t->connections.empty()) continue;
    lo = std::min(lo, t->connections.min_delay());
    hi = std::max(hi, t->connections.max_delay());
  }
  if (has_gaps_) {
    lo = std::min(lo, gap_interval_steps());
    hi = std::max(hi, gap_interval_steps());
  }
  return {lo, hi};
}

namespace {
// Ring buffers of min_delay + max_delay slots, and gap-junction inputs (S and P per lag of a slice).
std::size_t input_doubles_per_node(const NodeGroup& g, int min_delay, int max_delay) {
  return static_cast<std::size_t>(g.num_buffers()) * static_cast<std::size_t>(min_delay + max_delay) +
         (g.has_gap_junctions() ? 2 * static_cast<std::size_t>(min_delay) : 0);
}
}  // namespace

std::size_t Kernel::node_bytes() const {
  const auto [lo, hi] = delay_extent();
  std::size_t b = 0;
  for (const auto& g : groups_)  // input buffers of this process's nodes
    b += g->state_bytes() + g->local_size() * input_doubles_per_node(*g, lo, hi) * sizeof(double);
  return b;
}

std::vector<std::pair<std::string, double>> Kernel::bytes_per_node_by_model() const {
  const auto [lo, hi] = delay_extent();
  std::vector<std::pair<std::string, double>> out;
  for (const auto& g : groups_) {
    if (g->kind() == NodeKind::recorder) continue;
    const double per = static_cast<double>(g->state_bytes()) / static_cast<double>(std::max<std::size_t>(1, g->state_nodes())) +
                       static_cast<double>(input_doubles_per_node(*g, lo, hi) * sizeof(double));
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == g->model().base_name(); });
    if (it == out.end()) out.emplace_back(g->model().base_name(), per);
  }
  return out;
}

void Kernel::finalize_connections() {
  if (!connections_dirty_) return;
  for (auto& t : threads_) {
    t->connections.finalize(max_gid());
    t->gaps.finalize([this](NodeId id) -> const NodeGroup& { return group_of(id); });
  }
}

void Kernel::close_recorders() {
  for (auto& g : groups_)
    if (auto* rec = dynamic_cast<RecorderGroup*>(g.get()))
      for (std::size_t i = 0; i < rec->size(); ++i) rec->device(i).close();
}

std::uint64_t Kernel::spikes_emitted(NodeId first, std::size_t n) const {
  std::uint64_t total = 0;
  for (NodeId id = first; id < first + n && id < spike_counts_.size(); ++id) total += spike_counts_[id];
  return total;
}

std::uint64_t Kernel::synaptic_events() const {
  std::uint64_t n = 0;
  for (const auto& t : threads_) n += t->synaptic_events;
  return n;
}

}  // namespace nestling
