// The files a run writes besides the recorders' data, in deNEST's layout (spec denest.md §5):
// parameter_tree.yml, session_times.yml, versions.txt and one metadata .yml per recorder.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "frontend/network.hpp"
#include "frontend/params_tree.hpp"
#include "frontend/session.hpp"

namespace nestling::frontend {

class RunOutputs {
 public:
  explicit RunOutputs(std::filesystem::path dir) : dir_(std::move(dir)) {}
  void write_tree(const ParamsTree& tree) const;
  void write_versions() const;
  // session_times.yml for the first `count` sessions: {name: !!python/tuple [start, end]}; the
  // last one ends at `last_end` when given (an interrupted session).
  void write_session_times(const std::vector<Session>& sessions, std::size_t count,
                           std::optional<double> last_end = std::nullopt) const;
  // data/<label>.yml for every recorder, naming the files its back-ends write. With
  // `only_missing`, after a run: rewrites just the metadata whose files were not all written
  // (no session ran, or none recorded), leaving those names out.
  void write_recorder_metadata(const Network& network, Simulator& sim, bool only_missing = false) const;
  // The names the run writes into data/ (metadata and recorder files), before it writes them.
  static std::vector<std::string> planned_data_files(const Network& network, const Simulator& sim);

 private:
  std::filesystem::path dir_;
};

}  // namespace nestling::frontend
