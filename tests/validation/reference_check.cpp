// build/tests/reference_check KIND REF_DIR OUT_DIR
#include "tests/validation/reference_check.hpp"

#include <exception>
#include <iostream>

namespace nestling::validation {
std::map<std::string, Checker>& checkers() {
  static std::map<std::string, Checker> registry;
  return registry;
}
}  // namespace nestling::validation

int main(int argc, char** argv) {
  using nestling::validation::checkers;
  if (argc != 4 || !checkers().count(argv[1])) {
    std::cerr << "usage: reference_check KIND REF_DIR OUT_DIR\n  KIND:";
    for (const auto& [k, c] : checkers()) std::cerr << " " << k;
    std::cerr << "\n";
    return 2;
  }
  try {
    const int failed = checkers()[argv[1]](argv[2], argv[3]);
    if (failed) std::cerr << "reference_check " << argv[1] << ": " << failed << " case(s) outside tolerance\n";
    return failed ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "reference_check " << argv[1] << ": " << e.what() << "\n";
    return 2;
  }
}
