// The output directory: staged writes, replacing a previous run without touching user files,
// and leaving the target unchanged when a run ends without commit.
#include <sys/wait.h>
#include <unistd.h>

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

namespace {
// A process id that is certainly gone: a child that has exited and been waited for.
long dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}
}  // namespace

TEST_CASE("staging directories of killed runs are removed by the next run into the same place", "[io][output_dir]") {
  const fs::path base = fresh("stale");
  const fs::path inside = base / "existing", beside = base / "new";
  const long gone = dead_pid();
  put(inside / ".nestling-partial-1" / "data" / "x.yml", "init is alive\n");  // pid 1: a live process
  put(inside / (".nestling-partial-" + std::to_string(gone)) / "data" / "x.yml", "left behind\n");
  put(base / ("new.nestling-partial-" + std::to_string(gone)) / "parameter_tree.yml", "left behind\n");
  put(base / ("other.nestling-partial-" + std::to_string(gone)) / "parameter_tree.yml", "another target's\n");
  {
    OutputDirectory out(inside, false, "output_dir");
    OutputDirectory other(beside, false, "output_dir");
  }
  CHECK(fs::exists(inside / ".nestling-partial-1"));
  CHECK(!fs::exists(inside / (".nestling-partial-" + std::to_string(gone))));
  CHECK(!fs::exists(base / ("new.nestling-partial-" + std::to_string(gone))));
  CHECK(fs::exists(base / ("other.nestling-partial-" + std::to_string(gone))));
}

TEST_CASE("staging names stay within the file system's name limit", "[io][output_dir]") {
  const fs::path base = fresh("long_names");
  fs::create_directories(base);
  const std::string name(250, 'n');
  {
    OutputDirectory out(base / name, false, "output_dir");
    CHECK(out.staging().filename().string().size() <= 255);
    put(out.staging() / "session_times.yml", "new\n");
    out.commit();
  }
  CHECK(get(base / name / "session_times.yml") == "new\n");
  // Long names that share a prefix still get different staging names.
  const std::string a = OutputDirectory::staging_name(std::string(300, 'x') + "a", 42, 255);
  const std::string b = OutputDirectory::staging_name(std::string(300, 'x') + "b", 42, 255);
  CHECK(a.size() <= 255);
  CHECK(a != b);
  CHECK(a.ends_with(".nestling-partial-42"));
  CHECK(OutputDirectory::staging_name("out", 42, 255) == "out.nestling-partial-42");
}

TEST_CASE("a target that would replace or remove an input file of the run is refused, whatever replace says",
          "[io][output_dir]") {
  const fs::path t = fresh("inputs");
  previous_run(t);
  put(t / "data" / "rates.npy", "an array the run reads\n");
  put(t / "data" / "old.yml", "filenames:\n- rates.npy\nlabel: old\ntype: spike_detector\n");  // listed: would go
  nestling::io::OutputPlan tree_input{{}, {t / "parameter_tree.yml"}};
  CHECK_THROWS_WITH(OutputDirectory(t, true, "output_dir", tree_input),
                    Catch::Contains(t.string() + "/parameter_tree.yml, an input of this run, which writing the "
                                                 "outputs there would replace"));
  nestling::io::OutputPlan array_input{{}, {t / "data" / "rates.npy"}};
  CHECK_THROWS_AS(OutputDirectory(t, true, "output_dir", array_input), UserError);
  nestling::io::OutputPlan planned{{"rates.npy"}, {t / "data" / "notes.txt"}};  // notes.txt is no output
  CHECK_NOTHROW(OutputDirectory::check(t, true, planned, "output_dir"));
  CHECK(get(t / "parameter_tree.yml") == "old tree\n");
  CHECK(get(t / "data" / "rates.npy") == "an array the run reads\n");
}

TEST_CASE("a dangling link or a file as target is refused; errors name the target, not the staging directory",
          "[io][output_dir]") {
  const fs::path base = fresh("targets");
  fs::create_directories(base);
  fs::create_symlink("nowhere/out", base / "link");
  CHECK_THROWS_WITH(
      OutputDirectory(base / "link", true, "output_dir"),
      "output_dir: '" + (base / "link").string() + "' is a symbolic link to 'nowhere/out', which does not exist");
  CHECK(!fs::exists(base / "nowhere"));
  put(base / "file", "x");
  CHECK_THROWS_WITH(OutputDirectory(base / "file", true, "output_dir"),
                    "output_dir: '" + (base / "file").string() + "' exists and is not a directory");
  OutputDirectory out(base / "out", false, "output_dir");
  const UserError staged((out.data_dir() / "x.h5").string(), "HDF5 error: flush: No space left on device");
  CHECK(std::string(out.in_place(staged).what()) ==
        (fs::canonical(base) / "out" / "data" / "x.h5").string() + ": HDF5 error: flush: No space left on device");
}
