// Reference checkers compare nestling with NEST 2.20 reference data, case by case, with no
// case-specific code. Each checker registers itself under a kind name.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace nestling::validation {

// Runs every case under ref_dir, writes nestling's output under out_dir, returns the number of
// failing cases (0 = all within tolerance). Throws on unreadable input.
using Checker = std::function<int(const std::string& ref_dir, const std::string& out_dir)>;

std::map<std::string, Checker>& checkers();

struct RegisterChecker {
  RegisterChecker(const std::string& kind, Checker c) { checkers()[kind] = std::move(c); }
};

}  // namespace nestling::validation
