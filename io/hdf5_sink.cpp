#include "io/hdf5_sink.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include "nestling/errors.hpp"

namespace nestling::io {

namespace {

constexpr hsize_t kChunk1d = 16384;

// Why the last HDF5 call failed, from its error stack: the system's reason where a file
// operation failed (HDF5 writes "errno = 28, error message = 'No space left on device'"),
// else the innermost description; "" if the stack says nothing.
std::string hdf5_reason() {
  struct Found {
    std::string system, innermost;
  } found;
  auto visit = [](unsigned depth, const H5E_error2_t* e, void* data) -> herr_t {
    auto& f = *static_cast<Found*>(data);
    const std::string desc = e->desc ? e->desc : "";
    const std::string key = "error message = '";
    if (const std::size_t at = desc.find(key); at != std::string::npos && f.system.empty())
      f.system = desc.substr(at + key.size(), desc.find('\'', at + key.size()) - at - key.size());
    if (depth == 0 && f.innermost.empty()) f.innermost = desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, visit, &found);
  H5Eclear2(H5E_DEFAULT);
  return !found.system.empty() ? found.system : found.innermost;
}

[[noreturn]] void fail(const std::string& where, const char* what) {
  const std::string why = hdf5_reason();
  throw UserError(where, std::string("HDF5 error: ") + what + (why.empty() ? "" : ": " + why));
}

void check(herr_t status, const std::string& where, const char* what) {
  if (status < 0) fail(where, what);
}

hid_t checked(hid_t id, const std::string& where, const char* what) {
  if (id < 0) fail(where, what);
  return id;
}

// Dataset creation properties without modification times, so that the same run writes the same
// bytes (HDF5 stamps every object with its creation time unless told not to).
hid_t untimed_dataset_properties(const std::string& where) {
  hid_t p = checked(H5Pcreate(H5P_DATASET_CREATE), where, "property list");
  check(H5Pset_obj_track_times(p, 0), where, "object times");
  return p;
}

// A group without modification times (see above).
hid_t create_group(hid_t parent, const std::string& name, const std::string& where) {
  hid_t p = checked(H5Pcreate(H5P_GROUP_CREATE), where, "property list");
  check(H5Pset_obj_track_times(p, 0), where, "object times");
  hid_t g = H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, p, H5P_DEFAULT);
  H5Pclose(p);
  return checked(g, where, "group creation");
}

// Access properties caching the chunks being appended to, and no more: datasets only grow at the
// end, so older chunks are never needed again (HDF5 would keep up to 1 MiB per dataset, filling
// as the run goes on).
hid_t one_chunk_cache(std::size_t bytes, const std::string& where) {
  hid_t p = checked(H5Pcreate(H5P_DATASET_ACCESS), where, "property list");
  check(H5Pset_chunk_cache(p, 1009, bytes, 1.0), where, "chunk cache");
  return p;
}

// Chunked, shuffled, deflate-compressed dataset creation properties.
hid_t compressed_chunks(int rank, const hsize_t* chunk, const std::string& where) {
  hid_t p = untimed_dataset_properties(where);
  check(H5Pset_chunk(p, rank, chunk), where, "chunking");
  check(H5Pset_shuffle(p), where, "shuffle filter");
  check(H5Pset_deflate(p, 4), where, "deflate filter");
  return p;
}

hid_t create_appendable(hid_t parent, const std::string& name, hid_t type, const std::string& where) {
  hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {kChunk1d};
  hid_t space = checked(H5Screate_simple(1, dims, maxdims), where, "dataspace");
  hid_t props = compressed_chunks(1, chunk, where);
  hid_t access = one_chunk_cache(kChunk1d * H5Tget_size(type), where);
  hid_t d = H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, props, access);
  H5Pclose(access);
  H5Pclose(props);
  H5Sclose(space);
  return checked(d, where, "dataset creation");
}

void write_attribute_string(hid_t obj, const char* name, const std::string& value, const std::string& where) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, value.size() + 1);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t a = checked(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), where, "attribute");
  check(H5Awrite(a, type, value.c_str()), where, "attribute write");
  H5Aclose(a);
  H5Sclose(space);
  H5Tclose(type);
}

void write_attribute_strings(hid_t obj, const char* name, const std::vector<std::string>& values,
                             const std::string& where) {
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  hsize_t n = values.size();
  hid_t space = H5Screate_simple(1, &n, nullptr);
  hid_t a = checked(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), where, "attribute");
  check(H5Awrite(a, type, ptrs.data()), where, "attribute write");
  H5Aclose(a);
  H5Sclose(space);
  H5Tclose(type);
}

void write_small_dataset(hid_t parent, const char* name, hid_t type, const void* data, hsize_t n,
                         const std::string& where) {
  if (H5Lexists(parent, name, H5P_DEFAULT) > 0) H5Ldelete(parent, name, H5P_DEFAULT);
  hid_t space = H5Screate_simple(1, &n, nullptr);
  hid_t props = untimed_dataset_properties(where);
  hid_t d = H5Dcreate2(parent, name, type, space, H5P_DEFAULT, props, H5P_DEFAULT);
  H5Pclose(props);
  checked(d, where, "dataset");
  if (n) check(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), where, "dataset write");
  H5Dclose(d);
  H5Sclose(space);
}

std::string population(const RecorderDescription& d) { return d.label.empty() ? d.model : d.label; }

}  // namespace

std::string Hdf5Sink::file_name(const RecorderDescription& d) {
  // One file per process under MPI, numbered by its first virtual process as the text files are.
  std::string name = d.data_prefix + (d.label.empty() ? d.model + "-" + std::to_string(d.gid) : d.label);
  if (d.processes > 1) {  // appended piecewise: GCC 12 warns falsely on "-" + std::to_string
    name += '-';
    name += std::to_string(d.vp);
  }
  return name + ".h5";
}

Hdf5Sink::Hdf5Sink(const RecorderDescription& d)
    : desc_(d),
      name_(file_name(d)),
      interval_steps_(static_cast<step_t>(
          std::llround(d.interval * static_cast<double>(d.tics_per_ms) / static_cast<double>(d.tics_per_step)))) {
  path_ = d.output_path(name_);
  // Every file is closed by close(); HDF5's own clean-up at exit would try again to close a file
  // whose closing failed (a full disk) and crash (HDF5 1.10), so it is switched off.
  [[maybe_unused]] static const herr_t no_atexit = H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported as UserErrors instead
  file_ = checked(H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path_, "cannot create file");
  const std::uint32_t magic = 0x0A7A;
  const std::uint32_t version[2] = {0, 1};
  hid_t scalar = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(file_, "magic", H5T_NATIVE_UINT32, scalar, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_UINT32, &magic);
  H5Aclose(a);
  H5Sclose(scalar);
  hsize_t two = 2;
  hid_t vspace = H5Screate_simple(1, &two, nullptr);
  a = H5Acreate2(file_, "version", H5T_NATIVE_UINT32, vspace, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_UINT32, version);
  H5Aclose(a);
  H5Sclose(vspace);

  const char* top = d.kind == RecordKind::spikes ? "spikes" : d.kind == RecordKind::samples ? "report" : "weights";
  const hid_t top_group = create_group(file_, top, path_);
  group_ = create_group(top_group, population(d), path_);
  H5Gclose(top_group);
  if (d.kind == RecordKind::spikes) {
    write_attribute_string(group_, "sorting", "by_time", path_);
    datasets_["timestamps"] = create_appendable(group_, "timestamps", H5T_NATIVE_DOUBLE, path_);
    write_attribute_string(datasets_["timestamps"], "units", "ms", path_);
    datasets_["node_ids"] = create_appendable(group_, "node_ids", H5T_NATIVE_UINT64, path_);
  } else if (d.kind == RecordKind::weights) {
    for (const char* n : {"senders", "targets"}) datasets_[n] = create_appendable(group_, n, H5T_NATIVE_UINT64, path_);
    datasets_["times"] = create_appendable(group_, "times", H5T_NATIVE_DOUBLE, path_);
    write_attribute_string(datasets_["times"], "units", "ms", path_);
    datasets_["weights"] = create_appendable(group_, "weights", H5T_NATIVE_DOUBLE, path_);
    datasets_["receptors"] = create_appendable(group_, "receptors", H5T_NATIVE_INT64, path_);
  }
}

Hdf5Sink::~Hdf5Sink() {
  try {
    close();
  } catch (...) {  // destructors must not throw
  }
}

void Hdf5Sink::append(std::int64_t dataset, const void* data, std::size_t n, std::int64_t type) {
  if (n == 0) return;
  hid_t space = H5Dget_space(dataset);
  hsize_t size = 0;
  H5Sget_simple_extent_dims(space, &size, nullptr);
  H5Sclose(space);
  hsize_t new_size = size + n, count = n;
  check(H5Dset_extent(dataset, &new_size), path_, "extending a dataset");
  space = H5Dget_space(dataset);
  check(H5Sselect_hyperslab(space, H5S_SELECT_SET, &size, nullptr, &count, nullptr), path_, "selection");
  hid_t mem = H5Screate_simple(1, &count, nullptr);
  check(H5Dwrite(dataset, type, mem, space, H5P_DEFAULT, data), path_, "write");
  H5Sclose(mem);
  H5Sclose(space);
}

void Hdf5Sink::write(const RecordBatch& b) {
  if (file_ < 0) throw InternalError("write to a closed HDF5 file " + path_);
  if (b.empty()) return;
  if (desc_.kind == RecordKind::samples) return write_samples(b);
  std::vector<double> times(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) times[i] = desc_.stamp_ms(b.stamps[i]);
  if (desc_.kind == RecordKind::spikes) {
    append(datasets_["timestamps"], times.data(), times.size(), H5T_NATIVE_DOUBLE);
    append(datasets_["node_ids"], b.senders.data(), b.senders.size(), H5T_NATIVE_UINT64);
  } else if (desc_.kind == RecordKind::weights) {
    append(datasets_["senders"], b.senders.data(), b.size(), H5T_NATIVE_UINT64);
    append(datasets_["targets"], b.targets.data(), b.size(), H5T_NATIVE_UINT64);
    append(datasets_["times"], times.data(), b.size(), H5T_NATIVE_DOUBLE);
    append(datasets_["weights"], b.weights.data(), b.size(), H5T_NATIVE_DOUBLE);
    std::vector<std::int64_t> r(b.receptors.begin(), b.receptors.end());
    append(datasets_["receptors"], r.data(), b.size(), H5T_NATIVE_INT64);
  }
}

void Hdf5Sink::write_samples(const RecordBatch& b) {
  const std::size_t nv = b.n_values;
  if (data_ < 0) {
    // The columns: every node sampled at the first time, each with all variables.
    for (std::size_t r = 0; r < b.size() && b.stamps[r] == b.stamps.front(); ++r) nodes_.push_back(b.senders[r]);
    std::sort(nodes_.begin(), nodes_.end());
    nodes_.erase(std::unique(nodes_.begin(), nodes_.end()), nodes_.end());
    for (std::size_t i = 0; i < nodes_.size(); ++i) column_of_[nodes_[i]] = i * nv;
    const hsize_t cols = nodes_.size() * nv;
    hsize_t dims[2] = {0, cols}, maxdims[2] = {H5S_UNLIMITED, cols};
    hsize_t chunk[2] = {std::max<hsize_t>(1, std::min<hsize_t>(1024, 131072 / std::max<hsize_t>(cols, 1))),
                        std::min<hsize_t>(cols, 131072)};
    chunk_rows_ = chunk[0];
    hid_t space = H5Screate_simple(2, dims, maxdims);
    hid_t props = compressed_chunks(2, chunk, path_);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    check(H5Pset_fill_value(props, H5T_NATIVE_DOUBLE, &nan), path_, "fill value");  // unrecorded rows read NaN
    hid_t access = one_chunk_cache(chunk[0] * cols * sizeof(double), path_);        // one band of rows
    data_ = checked(H5Dcreate2(group_, "data", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, props, access), path_,
                    "dataset creation");
    H5Pclose(access);
    H5Pclose(props);
    H5Sclose(space);
    write_attribute_strings(data_, "variables", desc_.value_names, path_);
    hid_t mapping = create_group(group_, "mapping", path_);
    std::vector<std::uint64_t> ids(nodes_.begin(), nodes_.end()), pointers, elements;
    for (std::size_t i = 0; i <= nodes_.size(); ++i) pointers.push_back(i * nv);
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      for (std::size_t v = 0; v < nv; ++v) elements.push_back(v);
    write_small_dataset(mapping, "node_ids", H5T_NATIVE_UINT64, ids.data(), ids.size(), path_);
    write_small_dataset(mapping, "index_pointers", H5T_NATIVE_UINT64, pointers.data(), pointers.size(), path_);
    write_small_dataset(mapping, "element_ids", H5T_NATIVE_UINT64, elements.data(), elements.size(), path_);
    H5Gclose(mapping);
    row_.assign(cols, std::numeric_limits<double>::quiet_NaN());
    pending_rows_.reserve(chunk_rows_ * cols);
  }
  for (std::size_t r = 0; r < b.size(); ++r) {
    if (b.stamps[r] != row_stamp_) {
      finish_row();
      // Rows go to the file a chunk at a time: memory stays at one chunk however long the run.
      if (pending_rows_.size() >= chunk_rows_ * row_.size()) write_pending_rows();
      // Times the recorder did not record (e.g. a record: false session) become rows of the NaN
      // fill value, so that row i stays at time start + i·step as the mapping says; they are
      // only allocated in the file, never in memory.
      if (last_stamp_ >= 0 && interval_steps_ > 0 && b.stamps[r] - last_stamp_ > interval_steps_) {
        write_pending_rows();
        skip_rows(static_cast<std::size_t>((b.stamps[r] - last_stamp_) / interval_steps_ - 1));
      }
      row_stamp_ = b.stamps[r];
      if (first_stamp_ < 0) first_stamp_ = row_stamp_;
      last_stamp_ = row_stamp_;
    }
    auto it = column_of_.find(b.senders[r]);
    if (it == column_of_.end()) continue;  // a node first sampled later than the first time: not in this report
    std::copy(b.values.begin() + static_cast<std::ptrdiff_t>(r * nv),
              b.values.begin() + static_cast<std::ptrdiff_t>((r + 1) * nv), row_.begin() + static_cast<std::ptrdiff_t>(it->second));
  }
}

void Hdf5Sink::finish_row() {
  if (row_stamp_ < 0) return;
  pending_rows_.insert(pending_rows_.end(), row_.begin(), row_.end());
  std::fill(row_.begin(), row_.end(), std::numeric_limits<double>::quiet_NaN());
}

void Hdf5Sink::write_pending_rows() {
  const hsize_t cols = row_.size();
  if (pending_rows_.empty() || cols == 0) return;
  const hsize_t rows = pending_rows_.size() / cols;
  hsize_t new_dims[2] = {rows_written_ + rows, cols};
  check(H5Dset_extent(data_, new_dims), path_, "extending the report");
  hid_t space = H5Dget_space(data_);
  hsize_t start[2] = {rows_written_, 0}, count[2] = {rows, cols};
  check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr), path_, "selection");
  hid_t mem = H5Screate_simple(2, count, nullptr);
  check(H5Dwrite(data_, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, pending_rows_.data()), path_, "write");
  H5Sclose(mem);
  H5Sclose(space);
  rows_written_ += rows;
  pending_rows_.clear();
}

void Hdf5Sink::skip_rows(std::size_t n) {
  if (n == 0) return;
  rows_written_ += n;
  hsize_t new_dims[2] = {rows_written_, row_.size()};
  check(H5Dset_extent(data_, new_dims), path_, "extending the report");
}

void Hdf5Sink::flush_samples() {
  if (data_ < 0) return;
  // The current row is complete once its batch has been written: batches end at slice boundaries.
  finish_row();
  row_stamp_ = -1;
  write_pending_rows();
  if (first_stamp_ >= 0) {
    hid_t mapping = H5Gopen2(group_, "mapping", H5P_DEFAULT);
    const double t[3] = {desc_.stamp_ms(first_stamp_), desc_.stamp_ms(last_stamp_) + desc_.interval, desc_.interval};
    write_small_dataset(mapping, "time", H5T_NATIVE_DOUBLE, t, 3, path_);
    H5Gclose(mapping);
  }
}

void Hdf5Sink::flush() {
  if (file_ < 0) return;
  if (desc_.kind == RecordKind::samples) flush_samples();
  check(H5Fflush(file_, H5F_SCOPE_LOCAL), path_, "flush");
}

void Hdf5Sink::close() {
  if (file_ < 0) return;
  // Every id is released even when flushing fails (a full disk): HDF5 would otherwise try again
  // when the program ends, and crash.
  std::exception_ptr failed;
  try {
    flush();
  } catch (...) {
    failed = std::current_exception();
  }
  for (auto& [n, d] : datasets_) H5Dclose(d);
  datasets_.clear();
  if (data_ >= 0) H5Dclose(data_);
  data_ = -1;
  if (group_ >= 0) H5Gclose(group_);
  group_ = -1;
  const herr_t status = H5Fclose(file_);
  file_ = -1;
  if (failed) std::rethrow_exception(failed);
  check(status, path_, "closing the file");
}

}  // namespace nestling::io
