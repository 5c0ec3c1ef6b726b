#include "io/output_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
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
const std::string kStagingMark = ".nestling-partial-";

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

// Absolute and normal, without a trailing slash ("out/" is "out").
fs::path normalised(const fs::path& target) {
  std::error_code ec;
  fs::path p = fs::absolute(target, ec).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  return p;
}

// `p` itself if something exists there, else its nearest existing ancestor.
fs::path existing_ancestor(fs::path p) {
  std::error_code ec;
  while (p.has_relative_path() && !fs::exists(fs::symlink_status(p, ec))) p = p.parent_path();
  return p;
}

std::size_t name_max(const fs::path& dir) {
  const long n = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  return n > 0 ? static_cast<std::size_t>(n) : 255;
}

bool process_gone(long pid) {
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// Removes the staging directories in `dir` that `expected(pid)` names and whose process is gone,
// unless an input of the run lies inside.
template <class Expected>
void remove_stale_staging(const fs::path& dir, Expected expected, const std::vector<fs::path>& inputs) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const std::size_t mark = name.rfind(kStagingMark);
    if (mark == std::string::npos) continue;
    const std::string digits = name.substr(mark + kStagingMark.size());
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(digits);
    if (pid == ::getpid() || name != expected(pid) || !process_gone(pid)) continue;
    const std::string inside = fs::weakly_canonical(e.path(), ec).string() + "/";
    if (std::any_of(inputs.begin(), inputs.end(),
                    [&](const fs::path& in) { return fs::weakly_canonical(in, ec).string().rfind(inside, 0) == 0; }))
      continue;
    fs::remove_all(e.path(), ec);
  }
}

}  // namespace

bool OutputDirectory::holds_outputs(const fs::path& dir) { return !previous_outputs(dir).empty(); }

std::string OutputDirectory::staging_name(const std::string& target_name, long pid, std::size_t limit) {
  const std::string suffix = kStagingMark + std::to_string(pid);
  if (target_name.size() + suffix.size() <= limit) return target_name + suffix;
  // Too long: as much of the name as fits, and a hash of all of it to tell long names apart.
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : target_name) hash = (hash ^ c) * 0x100000001b3ULL;
  char hex[20];
  std::snprintf(hex, sizeof hex, "~%016llx", static_cast<unsigned long long>(hash));
  std::size_t keep = limit > suffix.size() + 17 ? limit - suffix.size() - 17 : 0;
  while (keep > 0 && (static_cast<unsigned char>(target_name[keep]) & 0xC0) == 0x80) --keep;  // whole UTF-8 characters
  return target_name.substr(0, keep) + hex + suffix;
}

void OutputDirectory::check(const fs::path& given, bool replace, const OutputPlan& plan, const std::string& where) {
  std::error_code ec;
  const fs::path target = normalised(given);
  std::string shown = "'";  // built piecewise: GCC 12 warns falsely on "'" + string + "'"
  shown += given.string();
  shown += '\'';
  if (fs::is_symlink(fs::symlink_status(target, ec)) && !fs::exists(target, ec))
    throw UserError(
        where, shown + " is a symbolic link to '" + fs::read_symlink(target, ec).string() + "', which does not exist");
  if (fs::exists(target, ec) && !fs::is_directory(target, ec))
    throw UserError(where, shown + " exists and is not a directory");
  const fs::path base = existing_ancestor(target);
  if (!fs::is_directory(base, ec))
    throw UserError(where, "cannot create " + shown + ": '" + base.string() + "' is not a directory");
  const std::size_t limit = name_max(base);
  for (const auto& part : target.lexically_relative(base))
    if (part.string().size() > limit)
      throw UserError(where, "cannot create " + shown + ": " + std::strerror(ENAMETOOLONG) + " (a name of " +
                                 std::to_string(part.string().size()) + " characters; this file system allows " +
                                 std::to_string(limit) + ")");
  if (::access(base.c_str(), W_OK) != 0)
    throw UserError(where, "cannot write into '" + base.string() + "': " + std::strerror(errno));
  if (!fs::is_directory(target, ec)) return;  // a new directory replaces nothing

  const fs::path dir = fs::canonical(target, ec);
  std::vector<fs::path> touched = previous_outputs(dir);
  for (const char* f : kTopFiles) touched.push_back(dir / f);
  for (const auto& f : plan.data_files) touched.push_back(dir / "data" / f);
  for (const auto& input : plan.inputs) {
    const fs::path in = fs::weakly_canonical(input, ec);
    for (const auto& t : touched)
      if (fs::weakly_canonical(t, ec) == in)
        throw UserError(where, shown + " holds " + input.string() +
                                   ", an input of this run, which writing the outputs there would replace; "
                                   "choose another output directory");
  }
  if (!replace && holds_outputs(dir))
    throw UserError(where, shown +
                               " holds the outputs of a previous run; set kernel nest_params overwrite_files: true "
                               "or pass --force to replace them");
}

OutputDirectory::OutputDirectory(fs::path target, bool replace, const std::string& where, const OutputPlan& plan) {
  check(target, replace, plan, where);
  std::error_code ec;
  target = normalised(target);
  existed_ = fs::is_directory(target, ec);
  if (existed_) {
    // Stage inside the (resolved) target: the same file system, so moving into place is a rename.
    target_ = fs::canonical(target, ec);
    if (ec) throw UserError(where, "cannot use '" + target.string() + "': " + ec.message());
    remove_stale_staging(
        target_, [](long pid) { return kStagingMark + std::to_string(pid); }, plan.inputs);
    staging_ = target_ / (kStagingMark + std::to_string(::getpid()));
  } else {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw UserError(where, "cannot create '" + target.parent_path().string() + "': " + ec.message());
    const fs::path parent = fs::canonical(target.parent_path(), ec);
    target_ = parent / target.filename();
    const std::string name = target.filename().string();
    const std::size_t limit = name_max(parent);
    remove_stale_staging(
        parent, [&](long pid) { return staging_name(name, pid, limit); }, plan.inputs);
    staging_ = parent / staging_name(name, ::getpid(), limit);
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

UserError OutputDirectory::in_place(const UserError& e) const {
  const std::string from = staging_.string(), to = target_.string();
  UserError moved(replaced(e.path(), from, to), replaced(e.message(), from, to));
  return e.file().empty() ? moved : moved.with_file(replaced(e.file(), from, to));
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
  auto fail = [&](const char* what, int err) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw UserError("", std::string(what) + ": " + std::strerror(err)).with_file(file.string());
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail("cannot open for writing", errno);
  for (std::size_t done = 0; done < content.size();) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      fail("cannot write", err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) fail("cannot write", errno);  // a full disk may show only now
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) fail("cannot write", ec.value());
}

}  // namespace nestling::io
