// Suggestions for mistyped names: "unknown layer 'l11' (did you mean 'l1'?)".
#pragma once

#include <string>
#include <vector>

namespace nestling {

// The candidate closest to `name` (fewest single-character edits: insertions, deletions,
// substitutions and swaps of neighbours, letter case ignored), or "" if none is close enough to
// be a likely typo: at most 1 edit for names of up to 4 characters, 2 up to 8, 3 beyond.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

// " (did you mean 'X'?)" with the closest candidate, or "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace nestling
