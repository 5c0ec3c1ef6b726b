// A run's output directory, written so that it is never left half-written or mixed.
//
// Everything is written into a staging directory on the target's file system (inside the target
// if it exists, next to it otherwise). commit() moves the finished outputs into place: one rename
// for a new target; otherwise the previous run's outputs (the top-level files and the recorder
// metadata in data/ with the files it lists) are moved aside, the new ones moved in, and on any
// failure everything is moved back. Without commit() the staging directory is removed and the
// target stays as it was. A target holding a previous run's outputs is refused unless replacing
// was allowed. Files nestling did not write are never touched.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nestling::io {

class OutputDirectory {
 public:
  // Throws UserError (path `where`) if `target` holds previous outputs and !replace, or cannot be used.
  OutputDirectory(std::filesystem::path target, bool replace, const std::string& where);
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  const std::filesystem::path& staging() const { return staging_; }
  std::filesystem::path data_dir() const { return staging_ / "data"; }
  void commit();

  // True if `dir` holds outputs of a previous run (nestling's or deNEST's).
  static bool holds_outputs(const std::filesystem::path& dir);

 private:
  std::filesystem::path target_;
  std::filesystem::path staging_;
  bool existed_ = false;
  bool committed_ = false;
  bool keep_staging_ = false;  // a failed commit: the new outputs stay where the error says
};

// Writes `content` to `file` via a temporary file and a rename.
void write_file_atomically(const std::filesystem::path& file, const std::string& content);

}  // namespace nestling::io
