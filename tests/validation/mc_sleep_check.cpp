// reference_check mc_sleep REF_DIR OUT_DIR: the sleep model's cases (spec mc-sleep.md §8).
//
// Reads REF_DIR/cases.yml, runs every case with the runner registered for its kind and writes
// OUT_DIR/cases.yml: the same case names, each with `kind`, `status` (pass, fail, error or
// not_run), `summary` and the runner's results under the reference's keys. Cases of a kind that
// has no runner are listed as not run and do not fail the check.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/validation/mc_sleep_cases.hpp"
#include "tests/validation/reference_check.hpp"

namespace nestling::validation {

std::map<std::string, mc_sleep::CaseRunner>& mc_sleep::case_runners() {
  static std::map<std::string, CaseRunner> runners;
  return runners;
}

namespace {

int check_mc_sleep(const std::string& ref_dir, const std::string& out_dir) {
  namespace fs = std::filesystem;
  const YAML::Node doc = YAML::LoadFile((fs::path(ref_dir) / "cases.yml").string());
  fs::create_directories(out_dir);

  YAML::Node out_cases(YAML::NodeType::Sequence);
  int failed = 0, not_run = 0;
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"].as<std::string>();
    const std::string kind = c["kind"].as<std::string>();
    YAML::Node entry;
    entry["name"] = name;
    entry["kind"] = kind;
    const auto runner = mc_sleep::case_runners().find(kind);
    std::string status, summary;
    if (runner == mc_sleep::case_runners().end()) {
      status = "not_run";
      summary = "no runner for kind " + kind;
      ++not_run;
    } else {
      try {
        mc_sleep::CaseOutcome outcome = runner->second(c, ref_dir, out_dir);
        status = outcome.passed ? "pass" : "fail";
        summary = outcome.summary;
        if (outcome.results && outcome.results.IsMap())
          for (const auto& kv : outcome.results) entry[kv.first.as<std::string>()] = kv.second;
      } catch (const std::exception& e) {
        status = "error";
        summary = e.what();
      }
      if (status != "pass") ++failed;
    }
    entry["status"] = status;
    entry["summary"] = summary;
    out_cases.push_back(entry);
    std::cout << name << " [" << kind << "] " << status << ": " << summary << "\n";
  }

  YAML::Node out;
  out["simulator"] = "nestling";
  out["cases"] = out_cases;
  std::ofstream((fs::path(out_dir) / "cases.yml").string()) << YAML::Dump(out) << "\n";
  std::cout << "mc_sleep: " << doc["cases"].size() << " cases, " << failed << " failing, " << not_run
            << " not run\n";
  return failed;
}

const RegisterChecker registration("mc_sleep", check_mc_sleep);

}  // namespace
}  // namespace nestling::validation
