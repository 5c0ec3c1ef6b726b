#include "engine/recording.hpp"

#include <algorithm>
#include <filesystem>

#include "nestling/errors.hpp"

namespace nestling {

void RecordBatch::clear() {
  senders.clear();
  targets.clear();
  stamps.clear();
  weights.clear();
  receptors.clear();
  values.clear();
}

void RecordBatch::append(const RecordBatch& o) {
  senders.insert(senders.end(), o.senders.begin(), o.senders.end());
  targets.insert(targets.end(), o.targets.begin(), o.targets.end());
  stamps.insert(stamps.end(), o.stamps.begin(), o.stamps.end());
  weights.insert(weights.end(), o.weights.begin(), o.weights.end());
  receptors.insert(receptors.end(), o.receptors.begin(), o.receptors.end());
  values.insert(values.end(), o.values.begin(), o.values.end());
  if (o.n_values) n_values = o.n_values;
}

std::unique_ptr<RecordSink> RecordingBackends::open(const std::string& name, const RecorderDescription& d) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) throw UserError("record_to", "unknown recording back-end '" + name + "'");
  return it->second(d);
}

std::vector<std::string> RecordingBackends::names() const {
  std::vector<std::string> v{"memory"};
  for (const auto& [k, f] : factories_) v.push_back(k);
  return v;
}

namespace {

void set_record_to(RecorderParameters& p, const Value& v, const std::string& path) {
  std::vector<std::string> targets;
  if (v.is_string()) {
    targets.push_back(v.as_string());
  } else if (v.is_list()) {
    for (const auto& e : v.as_list()) {
      if (!e.is_string()) throw UserError(path, "must be a list of back-end names, got " + v.repr());
      targets.push_back(e.as_string());
    }
  } else {
    throw UserError(path, "must be a back-end name or a list of them, got " + v.repr());
  }
  for (auto& t : targets) {
    if (t == "ascii") t = "file";  // NEST 3's name for the text back-end
    if (t == "accumulator")
      throw UserError(path, "the multimeter's accumulator mode is not supported by nestling");
    if (t != "memory" && t != "file" && t != "screen" && t != "hdf5")
      throw UserError(path, "unknown back-end '" + t + "'; valid: memory, file, screen, hdf5");
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  p.record_to = targets;
}

void set_flag(RecorderParameters& p, const std::string& backend, bool on) {
  auto& r = p.record_to;
  auto it = std::find(r.begin(), r.end(), backend);
  if (on && it == r.end()) r.push_back(backend);
  if (!on && it != r.end()) r.erase(it);
  std::sort(r.begin(), r.end());
}

ParamBinder<RecorderParameters> make_binder(RecordKind kind) {
  using P = RecorderParameters;
  ParamBinder<P> b;
  b.real("origin", &P::origin, "ms", Check::any, "shifts start and stop")
      .real("start", &P::start, "ms", Check::any, "record events with origin+start < t")
      .real("stop", &P::stop, "ms", Check::any, "record events with t <= origin+stop")
      .custom({"record_to", ParamKind::string_list, "", Check::any,
               "back-ends: any of memory, file, screen, hdf5 (ascii is accepted for file)"},
              set_record_to, [](const P& p) { return Value(p.record_to); });
  for (const char* flag : {"file", "memory", "screen"}) {
    const std::string backend = flag;
    b.custom({std::string("to_") + flag, ParamKind::boolean, "", Check::any, "same as listing '" + backend + "' in record_to"},
             [backend](P& p, const Value& v, const std::string&) { set_flag(p, backend, v.as_bool()); },
             [backend](const P& p) {
               return Value(std::find(p.record_to.begin(), p.record_to.end(), backend) != p.record_to.end());
             });
  }
  b.string("label", &P::label, "used in file names instead of the model name")
      .string("file_extension", &P::file_extension, "extension of the text output file")
      .boolean("withtime", &P::withtime, "write the time column")
      .boolean("withgid", &P::withgid, "write the sender id column")
      .boolean("withweight", &P::withweight, "write the weight column")
      .boolean("withtargetgid", &P::withtargetgid, "write the target id column")
      .boolean("withport", &P::withport, "write the port column")
      .boolean("withrport", &P::withrport, "write the receptor port column")
      .boolean("time_in_steps", &P::time_in_steps, "write times as integer steps")
      .boolean("precise_times", &P::precise_times, "write precise spike times (all nestling spikes are on the grid)")
      .boolean("scientific", &P::scientific, "scientific instead of fixed notation in text output")
      .boolean("binary", &P::binary, "binary text output (not supported; must stay false)")
      .integer("precision", &P::precision, "", Check::non_negative, "digits after the decimal point in text output")
      .integer("fbuffer_size", &P::fbuffer_size, "", Check::any, "accepted for compatibility; ignored")
      .boolean("close_after_simulate", &P::close_after_simulate, "close files at the end of every Simulate")
      .boolean("flush_after_simulate", &P::flush_after_simulate, "flush files at the end of every Simulate")
      .boolean("flush_records", &P::flush_records, "flush after every record")
      .boolean("close_on_reset", &P::close_on_reset, "accepted for compatibility; files are never truncated")
      .boolean("use_gid_in_filename", &P::use_gid_in_filename, "put the recorder id into the file name");
  if (kind == RecordKind::samples) {
    b.real("interval", &P::interval, "ms", Check::positive, "sampling interval, a multiple of the resolution")
        .real("offset", &P::offset, "ms", Check::non_negative, "first sample time if non-zero")
        .custom({"record_from", ParamKind::string_list, "", Check::any, "recordables to sample"},
                [](P& p, const Value& v, const std::string&) { p.record_from = v.as_string_vector(); },
                [](const P& p) { return Value(p.record_from); });
  }
  if (kind == RecordKind::weights) {
    b.custom({"senders", ParamKind::any, "", Check::any, "record only events from these ids (empty: all)"},
             [](P& p, const Value& v, const std::string&) {
               p.senders = v.as_int_vector();
               std::sort(p.senders.begin(), p.senders.end());
             },
             [](const P& p) { return Value(p.senders); })
        .custom({"targets", ParamKind::any, "", Check::any, "record only events to these ids (empty: all)"},
                [](P& p, const Value& v, const std::string&) {
                  p.targets = v.as_int_vector();
                  std::sort(p.targets.begin(), p.targets.end());
                },
                [](const P& p) { return Value(p.targets); });
  }
  return b;
}

}  // namespace

const ParamBinder<RecorderParameters>& recorder_binder(RecordKind kind) {
  static const ParamBinder<RecorderParameters> spikes = make_binder(RecordKind::spikes);
  static const ParamBinder<RecorderParameters> samples = make_binder(RecordKind::samples);
  static const ParamBinder<RecorderParameters> weights = make_binder(RecordKind::weights);
  switch (kind) {
    case RecordKind::spikes: return spikes;
    case RecordKind::samples: return samples;
    case RecordKind::weights: return weights;
  }
  return spikes;
}

RecordingDevice::RecordingDevice(RecordKind kind, NodeId gid, std::string model, RecorderParameters params)
    : kind_(kind), gid_(gid), model_(std::move(model)), params_(std::move(params)) {}
RecordingDevice::~RecordingDevice() {
  try {
    close();
  } catch (...) {  // destructors must not throw
  }
}
RecordingDevice::RecordingDevice(RecordingDevice&&) noexcept = default;
RecordingDevice& RecordingDevice::operator=(RecordingDevice&&) noexcept = default;

RecorderDescription RecordingDevice::describe(const RecordingContext& ctx) const {
  RecorderDescription d;
  d.kind = kind_;
  d.model = model_;
  d.label = params_.label;
  d.gid = gid_;
  d.value_names = value_names;
  d.file_extension = params_.file_extension;
  d.precision = static_cast<int>(params_.precision);
  d.scientific = params_.scientific;
  d.time_in_steps = params_.time_in_steps;
  d.withgid = params_.withgid;
  d.withtime = params_.withtime;
  d.withweight = params_.withweight;
  d.withtargetgid = params_.withtargetgid;
  d.withport = params_.withport;
  d.withrport = params_.withrport;
  d.use_gid_in_filename = params_.use_gid_in_filename;
  d.tics_per_step = ctx.grid->tics_per_step();
  d.tics_per_ms = ctx.grid->tics_per_ms();
  d.data_path = ctx.data_path;
  d.data_prefix = ctx.data_prefix;
  d.overwrite_files = ctx.overwrite_files;
  d.n_threads = ctx.n_threads;
  d.vp = ctx.vp;
  d.processes = ctx.processes;
  d.max_gid = ctx.max_gid;
  d.interval = params_.interval;
  return d;
}

std::string RecorderDescription::output_path(const std::string& name) const {
  namespace fs = std::filesystem;
  if (!data_path.empty() && !fs::is_directory(data_path))
    throw UserError("data_path", "directory '" + data_path + "' does not exist");
  std::string path = data_path.empty() ? name : (fs::path(data_path) / name).string();
  if (!overwrite_files && fs::exists(path))
    throw UserError("overwrite_files",
                    "recorder file '" + path + "' exists already; set the kernel's overwrite_files to replace it");
  return path;
}

void RecordingDevice::calibrate(const RecordingContext& ctx) {
  const DeviceWindow window{params_.origin, params_.start, params_.stop};
  window.check(*ctx.grid, model_);
  if (params_.binary) throw UserError(model_ + "/binary", "binary text output is not supported");
  if (params_.precision > 30) throw UserError(model_ + "/precision", "must be at most 30 digits");
  if (!params_.use_gid_in_filename && params_.label.empty())
    throw UserError(model_ + "/label", "must be set when use_gid_in_filename is false");
  steps_.calibrate(window, *ctx.grid);

  // Keep sinks whose back-end is still wanted under the same label; open the missing ones.
  std::vector<OpenSink> kept;
  for (auto& s : sinks_) {
    const bool wanted = std::find(params_.record_to.begin(), params_.record_to.end(), s.backend) != params_.record_to.end();
    if (wanted && s.label == params_.label + "|" + ctx.data_path + "|" + ctx.data_prefix) {
      kept.push_back(std::move(s));
    } else {
      s.sink->close();
      for (auto& f : s.sink->files()) closed_files_.push_back(f);
    }
  }
  sinks_ = std::move(kept);
  for (const auto& backend : params_.record_to) {
    if (backend == "memory") continue;
    const bool open = std::any_of(sinks_.begin(), sinks_.end(), [&](const OpenSink& s) { return s.backend == backend; });
    if (open) continue;
    if (!ctx.backends || !ctx.backends->has(backend))
      throw UserError(model_ + "/record_to", "back-end '" + backend + "' is not available in this program");
    sinks_.push_back({backend, params_.label + "|" + ctx.data_path + "|" + ctx.data_prefix,
                      ctx.backends->open(backend, describe(ctx))});
  }
}

void RecordingDevice::record(const RecordBatch& batch) {
  if (batch.empty()) return;
  n_events_ += batch.size();
  if (std::find(params_.record_to.begin(), params_.record_to.end(), "memory") != params_.record_to.end())
    memory_.append(batch);
  for (auto& s : sinks_) {
    s.sink->write(batch);
    if (params_.flush_records) s.sink->flush();
  }
}

void RecordingDevice::flush() {
  for (auto& s : sinks_) s.sink->flush();
}

void RecordingDevice::close() {
  for (auto& s : sinks_) {
    s.sink->close();
    for (auto& f : s.sink->files()) closed_files_.push_back(f);
  }
  sinks_.clear();
}

void RecordingDevice::clear_memory() {
  memory_.clear();
  n_events_ = 0;
}

std::vector<std::string> RecordingDevice::files() const {
  std::vector<std::string> out = closed_files_;
  for (const auto& s : sinks_)
    for (auto& f : s.sink->files()) out.push_back(f);
  return out;
}

Dict RecordingDevice::events(const TimeGrid& grid) const {
  Dict d;
  std::vector<std::int64_t> senders(memory_.senders.begin(), memory_.senders.end());
  d.set("senders", Value(senders));
  if (params_.time_in_steps) {
    std::vector<std::int64_t> steps(memory_.stamps.begin(), memory_.stamps.end());
    d.set("times", Value(steps));
  } else {
    std::vector<double> times;
    times.reserve(memory_.stamps.size());
    for (step_t s : memory_.stamps) times.push_back(grid.steps_to_ms(s));
    d.set("times", Value(times));
  }
  if (kind_ == RecordKind::weights) {
    std::vector<std::int64_t> targets(memory_.targets.begin(), memory_.targets.end());
    d.set("targets", Value(targets));
    d.set("weights", Value(memory_.weights));
    std::vector<std::int64_t> rports(memory_.receptors.begin(), memory_.receptors.end());
    d.set("receptors", Value(rports));
  }
  if (kind_ == RecordKind::samples) {
    const std::size_t n = value_names.size();
    for (std::size_t c = 0; c < n; ++c) {
      std::vector<double> col;
      col.reserve(memory_.size());
      for (std::size_t r = 0; r < memory_.size(); ++r) col.push_back(memory_.values[r * n + c]);
      d.set(value_names[c], Value(col));
    }
  }
  return d;
}

}  // namespace nestling
