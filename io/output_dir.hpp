// A run's output directory, written so that it is never left half-written or mixed.
//
// Everything is written into a staging directory next to the target. commit() moves the
// finished outputs into place (an atomic rename when the target does not exist yet); without
// commit() the staging directory is removed and the target stays as it was. A target holding
// a previous run's outputs is refused unless replacing was allowed; files nestling does not
// write are never touched.
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

  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& staging() const { return staging_; }
  std::filesystem::path data_dir() const { return staging_ / "data"; }
  void commit();

  // Entries a run writes at the top of an output directory.
  static const std::vector<std::string>& output_entries();
  // True if `dir` holds outputs of a previous run.
  static bool holds_outputs(const std::filesystem::path& dir);

 private:
  std::filesystem::path target_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

// Writes `content` to `file` via a temporary file and a rename.
void write_file_atomically(const std::filesystem::path& file, const std::string& content);

}  // namespace nestling::io
