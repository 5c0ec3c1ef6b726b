// Every broken tree in tests/data/bad_trees/ gives exit status 2, one line on stderr that names
// its problem (the text in the case's `expected` file), and no output directory. A new case is
// a new directory; no code changes.
#include <catch2/catch.hpp>

#include <filesystem>

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
}  // namespace

TEST_CASE("the small valid tree runs", "[frontend][bad_trees]") {
  const fs::path out = fs::temp_directory_path() / "nestling_small_tree";
  fs::remove_all(out);
  const Outcome o = run(std::string(NESTLING_BINARY) + " run -q " + NESTLING_TEST_DATA + "/small_tree/tree.yml -o " + out.string());
  INFO(o.output);
  CHECK(o.status == 0);
  CHECK(fs::exists(out / "session_times.yml"));
}

TEST_CASE("every bad tree: exit 2, one line naming the problem, no output", "[frontend][bad_trees]") {
  const fs::path corpus = fs::path(NESTLING_TEST_DATA) / "bad_trees";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 40);
  for (const auto& dir : cases) {
    const fs::path tree = fs::exists(dir / "tree_paths.yml") ? dir / "tree_paths.yml" : dir / "tree.yml";
    const std::string expected = read_text(dir / "expected");
    const fs::path out = fs::temp_directory_path() / ("nestling_bad_" + dir.filename().string());
    fs::remove_all(out);
    for (const char* command : {"run", "validate"}) {
      std::string cmd = std::string(NESTLING_BINARY) + " " + command + " " + tree.string();
      if (std::string(command) == "run") cmd += " -o " + out.string() + " -i " + (dir / "input").string();
      const Outcome o = run(cmd);
      INFO("case " << dir.filename().string() << " (" << command << "): " << o.output);
      CHECK(o.status == 2);
      CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);
      CHECK(o.output.rfind("nestling: ", 0) == 0);
      CHECK(o.output.find(expected) != std::string::npos);
      CHECK(!fs::exists(out));
    }
  }
}
