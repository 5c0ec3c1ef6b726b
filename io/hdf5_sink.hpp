// HDF5 recording back-end (record_to: hdf5), written incrementally into data/<label>.h5.
//
// Layouts follow SONATA where SONATA has one:
//   spikes:      /spikes/<population>/timestamps (ms), /spikes/<population>/node_ids,
//                attribute sorting = "by_time" on /spikes/<population>
//   samples:     /report/<population>/data (time × columns), /report/<population>/mapping/
//                {node_ids, index_pointers, element_ids, time = [start, stop, step]}; a column
//                per (node, variable): element_ids number the variables, listed in the
//                attribute `variables` of data; row i is time start + i·step (NaN where the
//                multimeter did not record, e.g. during a record: false session)
//   weights:     /weights/<population>/{senders, targets, times, weights, receptors}
// Root attributes magic = 0x0A7A and version = [0, 1]. <population> is the recorder's label (or
// model name). Ids are nestling's (NEST 2.20's) node ids. Datasets are chunked, compressed and
// extended as records arrive, so memory stays flat however long the run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/recording.hpp"

namespace nestling::io {

class Hdf5Sink final : public RecordSink {
 public:
  explicit Hdf5Sink(const RecorderDescription& d);
  ~Hdf5Sink() override;
  void write(const RecordBatch& batch) override;
  void flush() override;
  void close() override;
  std::vector<std::string> files() const override { return {name_}; }
  // Memory the sink holds besides HDF5's caches (which hold the chunks being appended to): rows
  // not yet written, at most a chunk of them.
  std::size_t buffered_bytes() const { return (pending_rows_.capacity() + row_.capacity()) * sizeof(double); }

  static std::string file_name(const RecorderDescription& d);

 private:
  void write_samples(const RecordBatch& batch);
  void flush_samples();
  void finish_row();  // moves the row being filled to the pending rows
  void write_pending_rows();
  void skip_rows(std::size_t n);  // rows left to the NaN fill value
  void append(std::int64_t dataset, const void* data, std::size_t n, std::int64_t type);

  RecorderDescription desc_;
  std::string name_, path_;
  std::int64_t file_ = -1;
  std::int64_t group_ = -1;
  std::map<std::string, std::int64_t> datasets_;  // 1-D appendable datasets by name
  // samples: one row per time; columns = nodes × variables, fixed at the first row
  std::int64_t data_ = -1;
  std::vector<NodeId> nodes_;
  std::map<NodeId, std::size_t> column_of_;
  std::vector<double> row_;
  step_t row_stamp_ = -1;
  step_t first_stamp_ = -1, last_stamp_ = -1;
  step_t interval_steps_ = 0;
  std::vector<double> pending_rows_;  // complete rows not yet written: at most one chunk of them
  std::size_t chunk_rows_ = 1;
  std::size_t rows_written_ = 0;
};

}  // namespace nestling::io
