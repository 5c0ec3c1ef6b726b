// libFuzzer target for the parameter-tree loader: any byte string is read as a tree file. It
// must either load, or be rejected with a UserError; a loaded tree must survive writing and
// reading back unchanged. Anything else (a crash, a sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "frontend/params_tree.hpp"
#include "frontend/yaml_values.hpp"
#include "nestling/errors.hpp"

using namespace nestling;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  frontend::ParamsTree tree;
  try {
    const Value content = frontend::parse_yaml(text, "fuzz.yml");
    if (!content.is_dict()) return 0;
    tree = frontend::ParamsTree::from_dict(content.as_dict(), "fuzz.yml");
    (void)tree.leaves();
    for (const frontend::ParamsTree* leaf : tree.leaves()) {
      (void)leaf->params();
      (void)leaf->nest_params();
      (void)leaf->path();
    }
  } catch (const UserError&) {
    return 0;
  }
  // Written trees replay identically (what parameter_tree.yml promises). Huge trees (aliases
  // expanded a million times) are skipped: re-reading them only measures yaml-cpp's memory.
  const std::string written = tree.to_yaml();
  if (written.size() > (1u << 20)) return 0;
  try {
    // Compared as written text: a tree equal to itself except for NaN values (NaN != NaN) must
    // still be written the same way.
    const Value again = frontend::parse_yaml(written, "written.yml");
    const frontend::ParamsTree reread =
        again.is_dict() ? frontend::ParamsTree::from_dict(again.as_dict(), "written.yml") : frontend::ParamsTree();
    if (reread.to_yaml() != written) std::abort();
  } catch (const UserError&) {
    std::abort();  // nestling wrote a tree it cannot read
  }
  return 0;
}
