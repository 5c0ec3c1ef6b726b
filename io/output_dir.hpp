// A run's output directory, written so that it is never left half-written or mixed.
//
// Everything is written into a staging directory on the target's file system (inside the target
// if it exists, next to it otherwise), named `*.nestling-partial-<pid>` and never longer than
// the file system allows. commit() moves the finished outputs into place: one rename for a new
// target; otherwise the previous run's outputs (the top-level files and the recorder metadata in
// data/ with the files it lists) are moved aside, the new ones moved in, and on any failure
// everything is moved back. Without commit() the staging directory is removed and the target
// stays as it was; a staging directory left by a killed run is removed by the next run into the
// same place once its process is gone. A target holding a previous run's outputs is refused
// unless replacing was allowed, and so is one where committing would replace or remove an input
// file of the run, whatever was allowed. Files nestling did not write are never touched.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nestling/errors.hpp"

namespace nestling::io {

// What a run will write besides its top-level files, and what it must never touch.
struct OutputPlan {
  std::vector<std::string> data_files;        // names the run writes into data/
  std::vector<std::filesystem::path> inputs;  // files the run reads (trees, arrays)
};

class OutputDirectory {
 public:
  // Throws UserError (path `where`) if the outputs cannot go to `target`: it is not a
  // directory (or a dangling link), a name on the way is longer than the file system allows, it
  // cannot be written, it holds previous outputs and !replace, or committing would replace or
  // remove one of plan.inputs. Changes nothing.
  static void check(const std::filesystem::path& target, bool replace, const OutputPlan& plan,
                    const std::string& where);

  // check(), then removes stale staging directories and makes this run's.
  OutputDirectory(std::filesystem::path target, bool replace, const std::string& where, const OutputPlan& plan = {});
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  const std::filesystem::path& staging() const { return staging_; }
  std::filesystem::path data_dir() const { return staging_ / "data"; }
  void commit();
  // `e` with the staging directory's path replaced by the target's, where the file will be.
  UserError in_place(const UserError& e) const;

  // True if `dir` holds outputs of a previous run (nestling's or deNEST's).
  static bool holds_outputs(const std::filesystem::path& dir);
  // The name of a staging directory next to a target named `target_name`, at most `name_max`
  // characters long.
  static std::string staging_name(const std::string& target_name, long pid, std::size_t name_max);

 private:
  std::filesystem::path target_;
  std::filesystem::path staging_;
  bool existed_ = false;
  bool committed_ = false;
  bool keep_staging_ = false;  // a failed commit: the new outputs stay where the error says
};

// Writes `content` to `file` via a temporary file and a rename; errors say why (errno).
void write_file_atomically(const std::filesystem::path& file, const std::string& content);

}  // namespace nestling::io
