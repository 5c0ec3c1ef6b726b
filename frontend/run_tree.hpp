// The tree a command line runs: several TREE arguments merged in order, a later one overriding
// an earlier one key by key (as the overrides of deNEST's load_trees(path, *overrides) win
// over the path's files), then the --set TREE/PATH=VALUE edits, which win over everything. The
// result is what parameter_tree.yml records, so that file replays the run.
#pragma once

#include <string>
#include <vector>

#include "frontend/params_tree.hpp"

namespace nestling::frontend {

// Each path is a tree_paths list or a tree file (ParamsTree::load). `notes` receives one line per
// questionable input: an empty tree file, a --set that adds a node the trees do not have.
ParamsTree load_run_tree(const std::vector<std::string>& paths, const std::vector<std::string>& settings,
                         std::vector<std::string>* notes = nullptr);

// Applies one `TREE/PATH=VALUE` edit, e.g. `network/layers/l1/nest_params/rows=10` or
// `network/projection_models/p/nest_params/mask/circular/radius=2.0` (a key inside a mapping
// value). PATH runs to a node, then `params` or `nest_params`, then a key; VALUE is YAML, read
// like a tree file's scalars. Returns the path of the node it added, or "" if the node existed.
std::string apply_setting(ParamsTree& tree, const std::string& setting);

}  // namespace nestling::frontend
