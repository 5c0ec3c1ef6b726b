// NEST 2.20's text recording format: one tab-separated row per record, every field followed
// by a TAB; times in ms with `precision` decimals (or integer steps).
#pragma once

#include <cstdio>
#include <string>

#include "engine/recording.hpp"

namespace nestling::io {

// The file name NEST 2.20 gives a recorder: <prefix><label|model>-<gid>-<vp>.<ext>, with the id
// zero-padded to the digits of (max_gid + 1) and the vp to the digits of the thread count.
std::string nest_file_name(const RecorderDescription& d, int vp = -1);  // -1: d.vp

// Formats records as text lines.
class TextFormatter {
 public:
  explicit TextFormatter(const RecorderDescription& d) : d_(d) {}
  // Appends the line of record `r` of `batch` to `out`.
  void format(const RecordBatch& batch, std::size_t r, std::string& out) const;

 private:
  void number(double v, std::string& out) const;
  const RecorderDescription d_;
};

class TextFileSink final : public RecordSink {
 public:
  explicit TextFileSink(const RecorderDescription& d);
  ~TextFileSink() override;
  void write(const RecordBatch& batch) override;
  void flush() override;
  void close() override;
  std::vector<std::string> files() const override { return {name_}; }

 private:
  TextFormatter format_;
  std::string name_;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string line_;
};

class ScreenSink final : public RecordSink {
 public:
  explicit ScreenSink(const RecorderDescription& d) : format_(d) {}
  void write(const RecordBatch& batch) override;
  void flush() override { std::fflush(stdout); }

 private:
  TextFormatter format_;
};

}  // namespace nestling::io
