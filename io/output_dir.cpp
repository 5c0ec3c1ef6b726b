#include "io/output_dir.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

#include "nestling/errors.hpp"

namespace nestling::io {

namespace fs = std::filesystem;

namespace {

const char* const kTopFiles[] = {"parameter_tree.yml", "session_times.yml", "versions.txt"};

std::string pid_suffix() { return std::to_string(::getpid()); }

// Recorder metadata written by nestling or deNEST: a .yml in data/ with type and label keys.
// Returns the data files it names (filenames list and hdf5_file), or nothing if it is not one.
std::optional<std::vector<std::string>> recorder_files(const fs::path& yml) {
  std::ifstream in(yml);
  std::vector<std::string> files;
  bool type = false, label = false, in_list = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("type: ", 0) == 0) type = true;
    if (line.rfind("label: ", 0) == 0) label = true;
    if (line.rfind("hdf5_file: ", 0) == 0) files.push_back(line.substr(11));
    if (in_list && line.rfind("- ", 0) == 0) {
      files.push_back(line.substr(2));
      continue;
    }
    in_list = line == "filenames:";
  }
  if (!type || !label) return std::nullopt;
  return files;
}

// What a run left in `dir`: top-level outputs, recorder metadata in data/ and the files they list.
std::vector<fs::path> previous_outputs(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> out;
  for (const char* f : kTopFiles)
    if (fs::exists(dir / f, ec)) out.push_back(dir / f);
  if (!fs::is_directory(dir / "data", ec)) return out;
  std::set<fs::path> data;
  for (const auto& e : fs::directory_iterator(dir / "data", ec)) {
    if (e.path().extension() != ".yml") continue;
    if (auto files = recorder_files(e.path())) {
      data.insert(e.path());
      for (const auto& f : *files)
        if (!f.empty() && f.find('/') == std::string::npos && fs::exists(dir / "data" / f, ec)) data.insert(dir / "data" / f);
    }
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

void rename_or_throw(const fs::path& from, const fs::path& to, const std::string& what) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw UserError(to.parent_path().string(), "cannot move " + what + " into place: " + ec.message());
}

}  // namespace

bool OutputDirectory::holds_outputs(const fs::path& dir) { return !previous_outputs(dir).empty(); }

OutputDirectory::OutputDirectory(fs::path target, bool replace, const std::string& where) {
  std::error_code ec;
  target = fs::absolute(target, ec).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // "out/" is "out"
  if (fs::exists(target, ec) && !fs::is_directory(target, ec))
    throw UserError(where, "'" + target.string() + "' exists and is not a directory");
  existed_ = fs::is_directory(target, ec);
  if (existed_) {
    // Stage inside the (resolved) target: the same file system, so moving into place is a rename.
    target_ = fs::canonical(target, ec);
    if (ec) throw UserError(where, "cannot use '" + target.string() + "': " + ec.message());
    if (!replace && holds_outputs(target_))
      throw UserError(where, "'" + target.string() +
                                 "' holds the outputs of a previous run; set kernel nest_params overwrite_files: true "
                                 "or pass --force to replace them");
    staging_ = target_ / (".nestling-partial-" + pid_suffix());
  } else {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw UserError(where, "cannot create '" + target.parent_path().string() + "': " + ec.message());
    target_ = fs::canonical(target.parent_path(), ec) / target.filename();
    staging_ = target_.parent_path() / (target_.filename().string() + ".nestling-partial-" + pid_suffix());
  }
  fs::remove_all(staging_, ec);
  fs::create_directories(staging_ / "data", ec);
  if (ec) throw UserError(where, "cannot create an output directory at '" + target.string() + "': " + ec.message());
}

OutputDirectory::~OutputDirectory() {
  if (committed_ || keep_staging_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);  // the target keeps whatever it held before
}

void OutputDirectory::commit() {
  std::error_code ec;
  if (!existed_) {
    fs::rename(staging_, target_, ec);
    if (ec) {
      keep_staging_ = true;
      throw UserError(target_.string(), "cannot move the outputs into place (" + ec.message() + "); they are in " +
                                            staging_.string());
    }
    committed_ = true;
    return;
  }
  // The entries to replace: the previous run's outputs, and anything the new outputs would overwrite.
  std::vector<fs::path> old = previous_outputs(target_);
  std::vector<std::pair<fs::path, fs::path>> incoming;  // staged file → its place
  for (const char* f : kTopFiles)
    if (fs::exists(staging_ / f, ec)) incoming.emplace_back(staging_ / f, target_ / f);
  for (const auto& e : fs::directory_iterator(staging_ / "data", ec)) {
    incoming.emplace_back(e.path(), target_ / "data" / e.path().filename());
    if (fs::exists(incoming.back().second, ec)) old.push_back(incoming.back().second);
  }
  std::sort(old.begin(), old.end());
  old.erase(std::unique(old.begin(), old.end()), old.end());

  const fs::path aside = staging_ / ".previous";
  std::vector<std::pair<fs::path, fs::path>> moved_old, moved_new;
  auto roll_back = [&] {
    for (auto it = moved_new.rbegin(); it != moved_new.rend(); ++it) fs::rename(it->second, it->first, ec);
    for (auto it = moved_old.rbegin(); it != moved_old.rend(); ++it) fs::rename(it->second, it->first, ec);
    keep_staging_ = true;
  };
  try {
    fs::create_directories(aside / "data", ec);
    for (const auto& p : old) {
      const fs::path to = aside / fs::relative(p, target_);
      rename_or_throw(p, to, "the previous outputs aside");
      moved_old.emplace_back(p, to);
    }
    fs::create_directories(target_ / "data", ec);
    for (const auto& [from, to] : incoming) {
      rename_or_throw(from, to, to.filename().string());
      moved_new.emplace_back(from, to);
    }
  } catch (const UserError& e) {
    roll_back();
    throw UserError(e.path(), e.message() + "; the previous outputs are back in place and the new ones are in " +
                                  staging_.string());
  }
  committed_ = true;
  fs::remove_all(staging_, ec);
}

void write_file_atomically(const fs::path& file, const std::string& content) {
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError("", "cannot open for writing").with_file(file.string());
    out << content;
    out.flush();
    if (!out) throw UserError("", "cannot write").with_file(file.string());
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw UserError("", "cannot write: " + ec.message()).with_file(file.string());
  }
}

}  // namespace nestling::io
