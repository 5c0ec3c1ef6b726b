#include "io/output_dir.hpp"

#include <unistd.h>

#include <fstream>
#include <system_error>

#include "nestling/errors.hpp"

namespace nestling::io {

namespace fs = std::filesystem;

const std::vector<std::string>& OutputDirectory::output_entries() {
  static const std::vector<std::string> entries = {"parameter_tree.yml", "session_times.yml", "versions.txt", "data"};
  return entries;
}

bool OutputDirectory::holds_outputs(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : output_entries())
    if (fs::exists(dir / e, ec)) return true;
  return false;
}

OutputDirectory::OutputDirectory(fs::path target, bool replace, const std::string& where)
    : target_(std::move(target)) {
  std::error_code ec;
  if (fs::exists(target_, ec) && !fs::is_directory(target_, ec))
    throw UserError(where, "'" + target_.string() + "' exists and is not a directory");
  if (fs::is_directory(target_, ec) && holds_outputs(target_) && !replace)
    throw UserError(where, "'" + target_.string() +
                               "' holds the outputs of a previous run; set kernel nest_params overwrite_files: true "
                               "or pass --force to replace them");
  const fs::path parent = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) throw UserError(where, "cannot create '" + parent.string() + "': " + ec.message());
  staging_ = parent / (target_.filename().string() + ".nestling-partial-" + std::to_string(::getpid()));
  fs::remove_all(staging_, ec);
  fs::create_directories(staging_ / "data", ec);
  if (ec) throw UserError(where, "cannot create '" + staging_.string() + "': " + ec.message());
}

OutputDirectory::~OutputDirectory() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);  // the target keeps whatever it held before
}

void OutputDirectory::commit() {
  std::error_code ec;
  if (!fs::exists(target_, ec)) {
    fs::rename(staging_, target_, ec);
    if (ec) throw UserError(target_.string(), "cannot move the outputs into place: " + ec.message());
    committed_ = true;
    return;
  }
  // Move the previous outputs aside, move the new ones in, then drop the old ones.
  const fs::path old = target_ / (".nestling-previous-" + std::to_string(::getpid()));
  fs::create_directories(old, ec);
  for (const auto& e : output_entries())
    if (fs::exists(target_ / e, ec)) fs::rename(target_ / e, old / e, ec);
  for (const auto& e : output_entries()) {
    if (!fs::exists(staging_ / e, ec)) continue;
    fs::rename(staging_ / e, target_ / e, ec);
    if (ec) throw UserError(target_.string(), "cannot move " + e + " into place: " + ec.message());
  }
  fs::remove_all(old, ec);
  fs::remove_all(staging_, ec);
  committed_ = true;
}

void write_file_atomically(const fs::path& file, const std::string& content) {
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(file.string(), "cannot open for writing");
    out << content;
    out.flush();
    if (!out) throw UserError(file.string(), "write failed");
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) throw UserError(file.string(), "cannot write: " + ec.message());
}

}  // namespace nestling::io
