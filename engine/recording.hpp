// Recording devices and the back-ends they write to.
//
// A RecordingDevice holds what NEST 2.20's RecordingDevice holds: the window
// (origin, start, stop), record_to, label and the text-format flags, the events kept in memory,
// and the open sinks of the other back-ends. The kernel feeds it batches of records; the
// back-ends that write files (text, HDF5) live in io/ and are plugged in through
// RecordingBackends, so the engine never touches a file.
#pragma once

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/node_group.hpp"
#include "engine/param_table.hpp"
#include "engine/stimulating_device.hpp"

namespace nestling {

enum class RecordKind { spikes, samples, weights };

// Columns of a batch of records; unused columns stay empty.
struct RecordBatch {
  std::vector<NodeId> senders;
  std::vector<NodeId> targets;   // weights
  std::vector<step_t> stamps;
  std::vector<double> weights;   // weights
  std::vector<long> receptors;   // weights
  std::vector<double> values;    // samples, row-major with n_values per row
  std::size_t n_values = 0;

  std::size_t size() const { return stamps.size(); }
  bool empty() const { return stamps.empty(); }
  void clear();
  void append(const RecordBatch& other);
};

// Everything a back-end needs to name, format and place a recorder's output.
struct RecorderDescription {
  RecordKind kind = RecordKind::spikes;
  std::string model;  // model name (the copy's name where applicable)
  std::string label;
  NodeId gid = 0;
  std::vector<std::string> value_names;  // multimeter record_from
  std::string file_extension;
  int precision = 3;
  bool scientific = false;
  bool time_in_steps = false;
  bool withgid = true, withtime = true, withweight = false, withtargetgid = false, withport = false,
       withrport = false;
  bool use_gid_in_filename = true;
  // Kernel facts at the time the recorder opens.
  std::int64_t tics_per_step = 100;
  std::int64_t tics_per_ms = 1000;
  // A stamp in ms exactly as the engine reports it (NEST: tics · ms-per-tic).
  double stamp_ms(step_t stamp) const {
    return (1.0 / static_cast<double>(tics_per_ms)) * static_cast<double>(stamp * tics_per_step);
  }
  std::string data_path;
  std::string data_prefix;
  bool overwrite_files = false;
  int n_threads = 1;  // virtual processes of the run (NEST names files by them)
  int vp = 0;         // the first virtual process of this process: its files carry this number
  int processes = 1;  // MPI processes; with more than one, every process writes its own files
  NodeId max_gid = 0;
  double interval = 0.0;  // multimeter sampling interval, ms

  // Where a back-end writes its file `name`: under data_path, which must exist; an existing file
  // is refused unless overwrite_files.
  std::string output_path(const std::string& name) const;
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void write(const RecordBatch& batch) = 0;
  virtual void flush() {}
  virtual void close() {}
  // Files this sink writes (basenames relative to data_path), for metadata.
  virtual std::vector<std::string> files() const { return {}; }
};

using SinkFactory = std::function<std::unique_ptr<RecordSink>(const RecorderDescription&)>;

// Back-ends by record_to name ("file", "screen", "hdf5"). "memory" is built into every device.
class RecordingBackends {
 public:
  void add(const std::string& name, SinkFactory factory) { factories_[name] = std::move(factory); }
  bool has(const std::string& name) const { return name == "memory" || factories_.count(name) != 0; }
  std::unique_ptr<RecordSink> open(const std::string& name, const RecorderDescription& d) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, SinkFactory> factories_;
};

// Facts a recording device needs when a Simulate call starts.
struct RecordingContext {
  const TimeGrid* grid = nullptr;
  const RecordingBackends* backends = nullptr;
  std::string data_path;
  std::string data_prefix;
  bool overwrite_files = false;
  int n_threads = 1;  // virtual processes
  int vp = 0;
  int processes = 1;
  NodeId max_gid = 0;
};

struct RecorderParameters {
  double origin = 0.0, start = 0.0, stop = std::numeric_limits<double>::infinity();
  std::vector<std::string> record_to{"memory"};
  std::string label;
  std::string file_extension;
  bool withtime = true, withgid = true, withweight = false, withtargetgid = false, withport = false,
       withrport = false;
  bool time_in_steps = false, precise_times = false, scientific = false, binary = false;
  long precision = 3;
  long fbuffer_size = -1;
  bool close_after_simulate = false, flush_after_simulate = true, flush_records = false, close_on_reset = true,
       use_gid_in_filename = true;
  // multimeter
  double interval = 1.0, offset = 0.0;
  std::vector<std::string> record_from;
  // weight_recorder filters
  std::vector<std::int64_t> senders, targets;
};

// The parameter table shared by the three recorders; `kind` adds the kind-specific entries.
const ParamBinder<RecorderParameters>& recorder_binder(RecordKind kind);

class RecordingDevice {
 public:
  RecordingDevice(RecordKind kind, NodeId gid, std::string model, RecorderParameters params);
  ~RecordingDevice();
  RecordingDevice(RecordingDevice&&) noexcept;
  RecordingDevice& operator=(RecordingDevice&&) noexcept;

  RecordKind kind() const { return kind_; }
  NodeId gid() const { return gid_; }
  const RecorderParameters& params() const { return params_; }
  void set_params(RecorderParameters p) { params_ = std::move(p); }

  // At the start of every Simulate: window in steps, back-ends opened (or reopened if renamed).
  void calibrate(const RecordingContext& ctx);
  bool active(step_t stamp) const { return steps_.spike_active(stamp); }
  // Appends records (already window-filtered by the caller) to memory and the sinks.
  void record(const RecordBatch& batch);
  void flush();
  void close();
  void clear_memory();  // n_events = 0
  std::size_t n_events() const { return n_events_; }
  const RecordBatch& memory() const { return memory_; }
  std::vector<std::string> files() const;
  // NEST's "events" dictionary.
  Dict events(const TimeGrid& grid) const;
  // Multimeter: the recordables, fixed when connected.
  std::vector<std::string> value_names;

  // What its back-ends are given when they open (names, formats, places).
  RecorderDescription describe(const RecordingContext& ctx) const;

 private:
  RecordKind kind_;
  NodeId gid_;
  std::string model_;
  RecorderParameters params_;
  DeviceSteps steps_{0, 0};  // nothing is recorded before the first calibrate
  std::size_t n_events_ = 0;
  RecordBatch memory_;
  struct OpenSink {
    std::string backend;
    std::string label;  // label|data_path|data_prefix it was opened with: a change reopens it
    std::unique_ptr<RecordSink> sink;
  };
  std::vector<OpenSink> sinks_;
  std::vector<std::string> closed_files_;
};

}  // namespace nestling
