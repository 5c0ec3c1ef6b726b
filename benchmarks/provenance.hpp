// Where and when a benchmark's numbers were taken, printed at the top of its report.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

namespace nestling::bench {

inline std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// "2026-11-21 23:50, commit 57e7db4, host vm, AMD EPYC ..., 2 hardware threads"
inline std::string provenance() {
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
  char host[128] = "?";
  gethostname(host, sizeof host - 1);
  std::string commit = "unknown";
  if (FILE* git = popen("git rev-parse --short HEAD 2>/dev/null", "r")) {
    char buf[64];
    if (std::fgets(buf, sizeof buf, git)) commit.assign(buf, std::strcspn(buf, "\n"));
    pclose(git);
  }
  return std::string(date) + ", commit " + commit + ", host " + host + ", " + cpu_model() + ", " +
         std::to_string(std::thread::hardware_concurrency()) + " hardware threads";
}

}  // namespace nestling::bench
