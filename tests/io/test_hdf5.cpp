// The HDF5 back-end: files read back with the HDF5 C API hold exactly what the memory back-end
// of the same run holds.
#include <hdf5.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "io/hdf5_sink.hpp"
#include "nestling/simulator.hpp"
#include "tests/frontend/cli_support.hpp"

using namespace nestling;

namespace {
std::vector<double> read_doubles(hid_t file, const std::string& path) {
  hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  hid_t space = H5Dget_space(d);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  hsize_t n = 1;
  for (auto x : dims) n *= x;
  std::vector<double> out(n);
  if (n) H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(d);
  return out;
}
std::vector<std::uint64_t> read_ids(hid_t file, const std::string& path) {
  hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  hid_t space = H5Dget_space(d);
  hsize_t n = static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
  std::vector<std::uint64_t> out(n);
  if (n) H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(d);
  return out;
}

struct Run {
  std::filesystem::path dir;
  SpikeData spikes;
  SampleData samples;
  WeightData weights;
};

Run run_network(const std::string& name) {
  Run r;
  r.dir = std::filesystem::temp_directory_path() / ("nestling_hdf5_" + name);
  std::filesystem::remove_all(r.dir);
  std::filesystem::create_directories(r.dir);
  Simulator sim;
  sim.set_kernel_status({{"data_path", r.dir.string()}, {"local_num_threads", 2}, {"rng_seed", 3}});
  const List both{"memory", "hdf5"};
  auto pg = sim.create("poisson_generator", 1, {{"rate", 300.0}});
  auto parrots = sim.create("parrot_neuron", 20);
  auto dc = sim.create("dc_generator", 3, {{"amplitude", 2.5}, {"start", 10.0}});
  auto det = sim.create("spike_detector", 1, {{"record_to", both}, {"label", "spikes"}});
  auto mm = sim.create("multimeter", 1,
                       {{"record_to", both}, {"label", "currents"}, {"interval", 0.5}, {"record_from", List{"I"}}});
  auto wr = sim.create("weight_recorder", 1, {{"record_to", both}, {"label", "weights"}});
  sim.copy_model("ht_synapse", "recorded", {{"weight_recorder", static_cast<long>(wr[0])}});
  auto post = sim.create("parrot_neuron", 2);
  sim.connect(pg, parrots);
  sim.connect(parrots, det);
  sim.connect(mm, dc);
  sim.connect(parrots, post, Rule::all_to_all, {.model = "recorded"});
  sim.simulate(150.0);
  sim.simulate(50.0);
  r.spikes = sim.spikes(det[0]);
  r.samples = sim.samples(mm[0]);
  r.weights = sim.weights(wr[0]);
  return r;  // the simulator closes its files here
}
}  // namespace

TEST_CASE("HDF5 spikes equal the in-memory spikes, SONATA layout", "[io][hdf5]") {
  Run r = run_network("spikes");
  hid_t f = H5Fopen((r.dir / "spikes.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  REQUIRE(r.spikes.times.size() > 100);
  CHECK(read_doubles(f, "/spikes/spikes/timestamps") == r.spikes.times);
  const auto ids = read_ids(f, "/spikes/spikes/node_ids");
  CHECK(std::vector<NodeId>(ids.begin(), ids.end()) == r.spikes.senders);
  std::uint32_t magic = 0;
  hid_t a = H5Aopen(f, "magic", H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_UINT32, &magic);
  H5Aclose(a);
  CHECK(magic == 0x0A7A);
  H5Fclose(f);
}

TEST_CASE("HDF5 multimeter report: time x node matrix with its mapping", "[io][hdf5]") {
  Run r = run_network("report");
  hid_t f = H5Fopen((r.dir / "currents.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const auto data = read_doubles(f, "/report/currents/data");
  const auto nodes = read_ids(f, "/report/currents/mapping/node_ids");
  const auto time = read_doubles(f, "/report/currents/mapping/time");
  REQUIRE(nodes.size() == 3);
  REQUIRE(time.size() == 3);
  CHECK(time[0] == Approx(0.5));
  CHECK(time[2] == Approx(0.5));
  // memory rows are (time, node) ordered, as the matrix
  REQUIRE(data.size() == r.samples.times.size());
  CHECK(data == r.samples["I"]);
  CHECK(time[1] == Approx(r.samples.times.back() + 0.5));
  H5Fclose(f);
}

TEST_CASE("HDF5 weight table equals the in-memory weights", "[io][hdf5]") {
  Run r = run_network("weights");
  hid_t f = H5Fopen((r.dir / "weights.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  REQUIRE(r.weights.weights.size() > 100);
  CHECK(read_doubles(f, "/weights/weights/weights") == r.weights.weights);
  CHECK(read_doubles(f, "/weights/weights/times") == r.weights.times);
  const auto t = read_ids(f, "/weights/weights/targets");
  CHECK(std::vector<NodeId>(t.begin(), t.end()) == r.weights.targets);
  H5Fclose(f);
}

TEST_CASE("the same run writes byte-identical HDF5 files", "[io][hdf5]") {
  const Run first = run_network("identical_1");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // object times would differ now
  const Run second = run_network("identical_2");
  for (const char* file : {"spikes.h5", "currents.h5", "weights.h5"}) {
    INFO(file);
    const std::string a = nestling::testing::slurp(first.dir / file), b = nestling::testing::slurp(second.dir / file);
    CHECK(a.size() > 1000);
    CHECK(a == b);
  }
}

TEST_CASE("an HDF5 report holds at most one chunk of rows in memory however long the run", "[io][hdf5]") {
  const auto dir = std::filesystem::temp_directory_path() / "nestling_hdf5_bounded";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  RecorderDescription d{};
  d.kind = RecordKind::samples;
  d.model = std::string("multimeter");
  d.label = std::string("voltages");
  d.value_names = {"V_m"};
  d.data_path = dir.string();
  d.interval = 1.0;
  d.tics_per_step = 100;
  io::Hdf5Sink sink(d);
  RecordBatch batch;
  batch.n_values = 1;
  std::size_t largest = 0;
  for (step_t t = 10; t <= 150000; t += 10) {  // 15 s of samples of 100 nodes every ms
    batch.clear();
    for (NodeId n = 1; n <= 100; ++n) {
      batch.stamps.push_back(t);
      batch.senders.push_back(n);
      batch.values.push_back(static_cast<double>(n));
    }
    sink.write(batch);
    largest = std::max(largest, sink.buffered_bytes());
  }
  CHECK(largest <=
        1024 * 100 * sizeof(double) + 100 * sizeof(double));  // a chunk of 1024 rows, and the row being filled
  sink.close();
}
