// The output directory: staged writes, replacing a previous run without touching user files,
// and leaving the target unchanged when a run ends without commit.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "io/output_dir.hpp"
#include "nestling/errors.hpp"

namespace fs = std::filesystem;
using nestling::UserError;
using nestling::io::OutputDirectory;

namespace {
void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}
std::string get(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
fs::path fresh(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("nestling_outdir_" + name);
  fs::remove_all(d);
  return d;
}
// A previous run: its files, recorder metadata listing its data file, and the user's own files.
void previous_run(const fs::path& t) {
  put(t / "parameter_tree.yml", "old tree\n");
  put(t / "session_times.yml", "old times\n");
  put(t / "data" / "sd.yml", "filenames:\n- sd-5-0.gdf\nlabel: sd\ntype: spike_detector\n");
  put(t / "data" / "sd-5-0.gdf", "old spikes\n");
  put(t / "data" / "raw" / "experiment.csv", "precious\n");
  put(t / "data" / "notes.txt", "mine\n");
  put(t / "README", "mine too\n");
}
}  // namespace

TEST_CASE("a new target is created by one rename at commit", "[io][output_dir]") {
  const fs::path t = fresh("new") / "out";
  {
    OutputDirectory out(t.string() + "/", false, "output_dir");  // a trailing slash means the same directory
    CHECK(!fs::exists(t));
    put(out.staging() / "session_times.yml", "new\n");
    put(out.data_dir() / "sd.yml", "label: sd\ntype: spike_detector\n");
    out.commit();
  }
  CHECK(get(t / "session_times.yml") == "new\n");
  CHECK(fs::exists(t / "data" / "sd.yml"));
  for (const auto& e : fs::directory_iterator(t.parent_path()))
    CHECK(e.path().filename().string().find("partial") == std::string::npos);
}

TEST_CASE("previous outputs are refused, or replaced without touching the user's files", "[io][output_dir]") {
  const fs::path t = fresh("replace");
  previous_run(t);
  CHECK(OutputDirectory::holds_outputs(t));
  CHECK_THROWS_AS(OutputDirectory(t, false, "output_dir"), UserError);
  {
    OutputDirectory out(t, true, "output_dir");
    put(out.staging() / "parameter_tree.yml", "new tree\n");
    put(out.data_dir() / "mm.yml", "filenames:\n- mm-6-0.dat\nlabel: mm\ntype: multimeter\n");
    put(out.data_dir() / "mm-6-0.dat", "new samples\n");
    out.commit();
  }
  CHECK(get(t / "parameter_tree.yml") == "new tree\n");
  CHECK(!fs::exists(t / "session_times.yml"));      // the previous run's, not written again
  CHECK(!fs::exists(t / "data" / "sd.yml"));        // the previous run's recorder ...
  CHECK(!fs::exists(t / "data" / "sd-5-0.gdf"));    // ... and the file it listed
  CHECK(get(t / "data" / "mm-6-0.dat") == "new samples\n");
  CHECK(get(t / "data" / "raw" / "experiment.csv") == "precious\n");
  CHECK(get(t / "data" / "notes.txt") == "mine\n");
  CHECK(get(t / "README") == "mine too\n");
  for (const auto& e : fs::directory_iterator(t))
    CHECK(e.path().filename().string().find(".nestling") == std::string::npos);
}

TEST_CASE("a data directory of the user's own files is not a previous run", "[io][output_dir]") {
  const fs::path t = fresh("user_data");
  put(t / "data" / "raw" / "experiment.csv", "precious\n");
  CHECK(!OutputDirectory::holds_outputs(t));
  CHECK_NOTHROW(OutputDirectory(t, false, "output_dir"));
}

TEST_CASE("without commit the target stays as it was", "[io][output_dir]") {
  const fs::path t = fresh("abandon");
  previous_run(t);
  {
    OutputDirectory out(t, true, "output_dir");
    put(out.staging() / "parameter_tree.yml", "new tree\n");
  }
  CHECK(get(t / "parameter_tree.yml") == "old tree\n");
  CHECK(get(t / "data" / "sd-5-0.gdf") == "old spikes\n");
  for (const auto& e : fs::directory_iterator(t))
    CHECK(e.path().filename().string().find(".nestling") == std::string::npos);
}
