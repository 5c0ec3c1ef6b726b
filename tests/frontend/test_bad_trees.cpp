// Every broken tree in tests/data/bad_trees/ gives exit status 2, one line on stderr that names
// its problem (the text in the case's `expected` file), no output directory, and leaves every
// file of the case as it was. A new case is a new directory; no code changes. A case may hold:
//   args           the arguments of `run` instead of "TREE -o OUT -i INPUT" ({dir}: the case's
//                  directory, {out}: a fresh output path); `validate` is then not run
//   fifo           paths (one a line, in the case's directory) made into FIFOs for the run
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <sstream>

#include "tests/frontend/cli_support.hpp"

namespace fs = std::filesystem;
using nestling::testing::Outcome;

namespace {
Outcome run(const std::string& command) { return nestling::testing::run_command(command); }

std::string read_text(const fs::path& f) {
  std::string s = nestling::testing::slurp(f);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string substituted(std::string text, const std::string& key, const std::string& value) {
  for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
    text.replace(at, key.size(), value);
  return text;
}

// Every regular file below `dir` with its content.
std::map<fs::path, std::string> snapshot(const fs::path& dir) {
  std::map<fs::path, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[e.path()] = nestling::testing::slurp(e.path());
  return files;
}
}  // namespace

TEST_CASE("the small valid tree runs", "[frontend][bad_trees]") {
  const fs::path out = fs::temp_directory_path() / "nestling_small_tree";
  fs::remove_all(out);
  const Outcome o = run(std::string(NESTLING_BINARY) + " run -q " + NESTLING_TEST_DATA + "/small_tree/tree.yml -o " + out.string());
  INFO(o.output);
  CHECK(o.status == 0);
  CHECK(fs::exists(out / "session_times.yml"));
}

TEST_CASE("every bad tree: exit 2, one line naming the problem, no output, inputs untouched", "[frontend][bad_trees]") {
  const fs::path corpus = fs::path(NESTLING_TEST_DATA) / "bad_trees";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 100);
  for (const auto& dir : cases) {
    const fs::path tree = fs::exists(dir / "tree_paths.yml") ? dir / "tree_paths.yml" : dir / "tree.yml";
    const std::string expected = read_text(dir / "expected");
    const fs::path out = fs::temp_directory_path() / ("nestling_bad_" + dir.filename().string());
    fs::remove_all(out);
    std::vector<fs::path> fifos;
    if (fs::exists(dir / "fifo")) {
      std::istringstream names(nestling::testing::slurp(dir / "fifo"));
      for (std::string name; std::getline(names, name);)
        if (!name.empty()) fifos.push_back(dir / name);
    }
    for (const auto& f : fifos) {
      fs::remove(f);
      REQUIRE(::mkfifo(f.c_str(), 0600) == 0);
    }
    const auto before = snapshot(dir);
    std::vector<std::string> commands;
    if (fs::exists(dir / "args")) {
      const std::string args =
          substituted(substituted(read_text(dir / "args"), "{dir}", dir.string()), "{out}", out.string());
      commands.push_back("run " + args);
    } else {
      commands.push_back("run " + tree.string() + " -o " + out.string() + " -i " + (dir / "input").string());
      commands.push_back("validate " + tree.string() + " -i " + (dir / "input").string());
    }
    for (const auto& command : commands) {
      const Outcome o = run(std::string(NESTLING_BINARY) + " " + command);
      INFO("case " << dir.filename().string() << " (" << command.substr(0, command.find(' ')) << "): " << o.output);
      CHECK(o.status == 2);
      CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);
      CHECK(o.output.rfind("nestling: ", 0) == 0);
      CHECK(o.output.find(expected) != std::string::npos);
      CHECK(o.output.find("__") == std::string::npos);  // no internal names (such as a scratch model's)
      CHECK(!fs::exists(out));
      CHECK(snapshot(dir) == before);
    }
    for (const auto& f : fifos) fs::remove(f);
  }
}
