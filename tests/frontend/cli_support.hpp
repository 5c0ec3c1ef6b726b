// Running the nestling command line from tests.
#pragma once

#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nestling::testing {

struct Outcome {
  int status = -1;      // exit status, -1 if killed
  std::string output;   // stdout and stderr
};

// Runs a shell command line (stderr merged into stdout).
inline Outcome run_command(const std::string& command) {
  Outcome o;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) o.output.append(buf, n);
  const int raw = ::pclose(p);
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return o;
}

// Runs `nestling ARGS`.
inline Outcome run_nestling(const std::string& args) { return run_command(std::string(NESTLING_BINARY) + " " + args); }

// Writes `values` (C order) as a little-endian float64 .npy file of `shape`, as numpy.save does.
inline void write_npy(const std::filesystem::path& file, const std::vector<std::size_t>& shape,
                      const std::vector<double>& values) {
  std::string dims;  // "2, 3, 2", or "4," for one dimension
  for (std::size_t i = 0; i < shape.size(); ++i) dims += std::string(i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
  header.append((10 + header.size() + 1 + 63) / 64 * 64 - 10 - header.size() - 1, ' ');  // 64-byte aligned
  header += '\n';
  std::ofstream f(file, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<std::uint16_t>(header.size());
  f.write(reinterpret_cast<const char*>(&len), 2);
  f << header;
  for (double v : values) f.write(reinterpret_cast<const char*>(&v), 8);
}

// An empty directory for one test: <tmp>/nestling_<name>.
inline std::filesystem::path fresh_directory(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("nestling_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace nestling::testing
