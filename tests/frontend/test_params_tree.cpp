// ParamsTree: reading, inheritance, merge, load (tree_paths), leaves, writing, errors.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "frontend/params_tree.hpp"
#include "frontend/yaml_values.hpp"
#include "nestling/errors.hpp"

using nestling::Dict;
using nestling::List;
using nestling::UserError;
using nestling::Value;
using nestling::frontend::ParamsTree;
using nestling::frontend::parse_yaml;

namespace fs = std::filesystem;

namespace {

const std::string kData = NESTLING_TEST_DATA;

// A fresh directory under the system temp dir, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("nestling_params_tree_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  // Writes `text` to `name` (subdirectories created) and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

ParamsTree tree_of(const std::string& yaml, const std::string& source = "") {
  return ParamsTree::from_dict(parse_yaml(yaml).as_dict(), source);
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

template <class Node>
std::vector<std::string> names(const std::vector<Node*>& nodes) {
  std::vector<std::string> out;
  for (const auto* n : nodes) out.push_back(n->name());
  return out;
}

const ParamsTree& at(const ParamsTree& tree, const std::string& path) {
  const ParamsTree* node = &tree;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    node = node->child(path.substr(start, end - start));
    REQUIRE(node != nullptr);
    start = end + 1;
  }
  return *node;
}

const char* const kInheritance = R"(
neuron_models:
  ht_neuron:
    params:
      nest_model: ht_neuron
    nest_params:
      g_KL: 1.0
    cortical_excitatory:
      nest_params:
        tau_m: 16.0
        tau_spike: 1.75
      l2_exc:
        nest_params:
          g_KL: 2.0
)";

}  // namespace

TEST_CASE("inheritance: the example of denest.md 1.3", "[params_tree]") {
  ParamsTree tree = tree_of(kInheritance);
  const ParamsTree& leaf = at(tree, "neuron_models/ht_neuron/cortical_excitatory/l2_exc");
  CHECK(leaf.nest_params() == Dict{{"g_KL", 2.0}, {"tau_m", 16.0}, {"tau_spike", 1.75}});
  CHECK(leaf.params() == Dict{{"nest_model", "ht_neuron"}});
  CHECK(leaf.own_nest_params() == Dict{{"g_KL", 2.0}});
  CHECK(leaf.own_params().empty());
  CHECK(leaf.path() == "neuron_models/ht_neuron/cortical_excitatory/l2_exc");
  CHECK(leaf.parent()->name() == "cortical_excitatory");
  CHECK(tree.path().empty());
  CHECK(tree.name().empty());
}

TEST_CASE("inheritance is shallow, per key, and null is a definition", "[params_tree]") {
  ParamsTree tree = tree_of(R"(
projection_models:
  nest_params:
    mask: {circular: {radius: 2.0}}
    kernel: 1.0
    weights: [1, 2]
  params:
    type: topological
  child:
    nest_params:
      mask: {rectangular: {lower_left: [-1, -1], upper_right: [1, 1]}}
      weights: [3]
      kernel: null
)");
  const ParamsTree& child = at(tree, "projection_models/child");
  Dict view = child.nest_params();
  CHECK(view.at("mask") ==
        Value(Dict{{"rectangular", Dict{{"lower_left", List{-1, -1}}, {"upper_right", List{1, 1}}}}}));
  CHECK(view.at("weights") == Value(List{3}));
  REQUIRE(view.contains("kernel"));
  CHECK(view.at("kernel").is_null());
  CHECK(child.params() == Dict{{"type", "topological"}});  // params inherit independently
  // Root-first key order, nearest value.
  CHECK(view.keys() == std::vector<std::string>{"mask", "kernel", "weights"});
}

TEST_CASE("leaves: deNEST's root=False semantics", "[params_tree]") {
  ParamsTree tree = tree_of(R"(
network:
  neuron_models:
    a:
      b1:
      b2: {}
    c:
  projection_models:
    Rp_to_Tp_GABA_A:
      Rp_to_Tp_GABA_A:
  recorders: {}
)");
  const ParamsTree& network = at(tree, "network");
  CHECK(names(at(network, "neuron_models").leaves()) == std::vector<std::string>{"b1", "b2", "c"});
  CHECK(names(network.leaves()) == std::vector<std::string>{"b1", "b2", "c", "Rp_to_Tp_GABA_A", "recorders"});
  CHECK(at(network, "recorders").leaves().empty());  // a subtree without children defines nothing
  auto named = at(network, "projection_models").named_leaves();
  REQUIRE(named.size() == 1);
  CHECK(named[0].first == "Rp_to_Tp_GABA_A");
  CHECK(named[0].second->path() == "network/projection_models/Rp_to_Tp_GABA_A/Rp_to_Tp_GABA_A");
}

TEST_CASE("merge: earliest tree wins per node and key, whole values", "[params_tree]") {
  ParamsTree first = tree_of(R"(
network:
  params: {a: 1, nested: {x: 1}}
  first_only: {params: {f: 1}}
  shared:
    nest_params: {k: first}
)",
                             "first.yml");
  ParamsTree second = tree_of(R"(
network:
  params: {a: 2, b: 2, nested: {y: 2}}
  second_only:
  shared:
    nest_params: {k: second, extra: 2}
    deeper: {}
)",
                              "second.yml");
  const Dict first_before = first.as_dict();
  ParamsTree merged = ParamsTree::merge({&first, &second});
  const ParamsTree& network = at(merged, "network");
  CHECK(network.own_params() == Dict{{"a", 1}, {"nested", Dict{{"x", 1}}}, {"b", 2}});
  CHECK(names(network.children()) == std::vector<std::string>{"first_only", "shared", "second_only"});
  CHECK(at(network, "shared").own_nest_params() == Dict{{"k", "first"}, {"extra", 2}});
  CHECK(names(at(network, "shared").children()) == std::vector<std::string>{"deeper"});
  CHECK(at(network, "shared").origin("nest_params", "k") == "first.yml");
  CHECK(at(network, "shared").origin("nest_params", "extra") == "second.yml");
  CHECK(at(network, "shared").files() == std::vector<std::string>{"first.yml", "second.yml"});
  CHECK(at(network, "second_only").file() == "second.yml");
  CHECK(first.as_dict() == first_before);  // inputs unchanged
  // Reversed order: the other tree wins.
  ParamsTree reversed = ParamsTree::merge({&second, &first});
  CHECK(at(reversed, "network").own_params().at("a") == Value(2));
  CHECK(at(reversed, "network").own_params().at("nested") == Value(Dict{{"y", 2}}));
}

TEST_CASE("merge happens before inheritance", "[params_tree]") {
  ParamsTree base = tree_of("projection_models:\n  p1:\n    nest_params: {allow_autapses: false}\n  p2:\n");
  ParamsTree override_tree = ParamsTree::from_dict(
      Dict{{"projection_models", Dict{{"nest_params", Dict{{"allow_autapses", true}}}}}}, "override");
  ParamsTree merged = ParamsTree::merge({&override_tree, &base});
  CHECK(at(merged, "projection_models/p2").nest_params().at("allow_autapses") == Value(true));
  CHECK(at(merged, "projection_models/p2").origin("nest_params", "allow_autapses") == "override");
  // The leaf's own value is nearer than the merged parent value.
  CHECK(at(merged, "projection_models/p1").nest_params().at("allow_autapses") == Value(false));
}

TEST_CASE("load: the tutorial's tree_paths.yml gives deNEST's parameter_tree.yml", "[params_tree]") {
  const std::string list = kData + "/denest_tutorial/params/tree_paths.yml";
  // deNEST's run used output_dir=/tmp/denest_out/tutorial as a keyword: an override.
  ParamsTree output_dir = ParamsTree::from_dict(
      Dict{{"simulation", Dict{{"params", Dict{{"output_dir", "/tmp/denest_out/tutorial"}}}}}}, "keyword output_dir");
  ParamsTree loaded = ParamsTree::load(list, {output_dir});
  ParamsTree expected = ParamsTree::read(kData + "/denest_tutorial/output/parameter_tree.yml");
  CHECK(loaded == expected);  // child order differs (deNEST merges through a Python set)
  CHECK(loaded.name() == list);
  CHECK(names(loaded.children()) == std::vector<std::string>{"simulation", "network", "session_models", "kernel"});
  CHECK(at(loaded, "simulation").origin("params", "output_dir") == "keyword output_dir");
  CHECK(at(loaded, "simulation").origin("params", "sessions") ==
        (fs::path(kData) / "denest_tutorial/params/simulation.yml").lexically_normal().string());
  const ParamsTree& l1_exc = at(loaded, "network/neuron_models/my_neuron/l1_exc");
  CHECK(l1_exc.nest_params() == Dict{{"g_KL", 1.0}, {"g_NaL", 1.0}, {"V_m", -44.0}});
  CHECK(fs::path(l1_exc.origin("nest_params", "g_KL")).filename() == "network_tree.yml");
  // Without the override, the file's own output_dir stays.
  ParamsTree plain = ParamsTree::load(list);
  CHECK(at(plain, "simulation").own_params().at("output_dir") == Value("./data/outputs/output"));
  CHECK(!(plain == expected));
}

TEST_CASE("load: deNEST's example tree, with output_dir written back in place", "[params_tree]") {
  ParamsTree loaded = ParamsTree::load(kData + "/denest_example/params/tree_paths.yml");
  loaded.child("simulation")->set_own_param("output_dir", "/tmp/denest_out/example");
  ParamsTree expected = ParamsTree::read(kData + "/denest_example/output/parameter_tree.yml");
  CHECK(loaded == expected);
  CHECK(at(loaded, "simulation").as_dict() == at(expected, "simulation").as_dict());  // key order too
  CHECK(names(at(loaded, "network/neuron_models").leaves()) ==
        std::vector<std::string>{"l1_exc", "l2_exc", "l1_inh", "l2_inh", "input_exc"});
}

TEST_CASE("load: a single tree file, overrides first", "[params_tree]") {
  ScratchDir dir;
  std::string file = dir.write("tree.yml", "kernel:\n  nest_params: {resolution: 0.1, local_num_threads: 1}\n");
  ParamsTree first = tree_of("kernel: {nest_params: {local_num_threads: 4}}");
  ParamsTree second = tree_of("kernel: {nest_params: {local_num_threads: 8, print_time: true}}");
  ParamsTree tree = ParamsTree::load(file, {first, second});
  CHECK(at(tree, "kernel").own_nest_params() ==
        Dict{{"local_num_threads", 4}, {"print_time", true}, {"resolution", 0.1}});
}

TEST_CASE("load: nested tree_paths lists, absolute entries, cycles", "[params_tree]") {
  ScratchDir dir;
  dir.write("a.yml", "x: {params: {from: a}}\n");
  dir.write("sub/b.yml", "x: {params: {from: b, only_b: 1}}\n");
  dir.write("sub/inner.yml", "- ./b.yml\n");
  std::string outer = dir.write("outer.yml", "- sub/inner.yml\n- " + dir.path("a.yml") + "\n");
  ParamsTree tree = ParamsTree::load(outer);
  CHECK(at(tree, "x").own_params() == Dict{{"from", "b"}, {"only_b", 1}});  // inner list comes first
  CHECK(ParamsTree::load(dir.write("empty_list.yml", "[]\n")) == ParamsTree());

  std::string cyc1 = dir.write("cycle1.yml", "- cycle2.yml\n");
  dir.write("cycle2.yml", "- ./a.yml\n- cycle1.yml\n");
  CHECK_THAT(error_of([&] { ParamsTree::load(cyc1); }),
             Catch::Contains("cycle1.yml: tree_paths lists include each other in a cycle:") &&
                 Catch::Contains("cycle2.yml -> "));
}

TEST_CASE("load: errors in tree_paths lists name the list and the entry", "[params_tree]") {
  ScratchDir dir;
  dir.write("good.yml", "kernel: {}\n");
  std::string missing = dir.write("missing.yml", "- ./good.yml\n- ./nowhere.yml\n");
  CHECK(error_of([&] { ParamsTree::load(missing); }) ==
        missing + ": [1]: listed parameter file './nowhere.yml' does not exist (looked for " + dir.path("nowhere.yml") +
            ")");
  std::string not_strings = dir.write("ints.yml", "- ./good.yml\n- 3\n");
  CHECK(error_of([&] { ParamsTree::load(not_strings); }) ==
        not_strings + ": [1]: a tree_paths list holds paths of parameter files (strings), got integer 3");
  std::string nested = dir.write("nested.yml", "- [./good.yml]\n");
  CHECK_THAT(error_of([&] { ParamsTree::load(nested); }), Catch::Contains("[0]: a tree_paths list holds paths"));
  std::string scalar = dir.write("scalar.yml", "just text\n");
  CHECK(error_of([&] { ParamsTree::load(scalar); }) ==
        scalar + ": must hold a parameter tree (a mapping) or a tree_paths list, got string 'just text'");
  CHECK(error_of([&] { ParamsTree::load(dir.path("absent.yml")); }) == dir.path("absent.yml") + ": no such file");
  // An error inside a listed file names that file.
  dir.write("bad.yml", "network:\n  params: null\n");
  std::string lists_bad = dir.write("lists_bad.yml", "- bad.yml\n");
  CHECK_THAT(error_of([&] { ParamsTree::load(lists_bad); }),
             Catch::StartsWith(dir.path("bad.yml") + ": network/params:"));
}

TEST_CASE("read: validation errors name file and tree path", "[params_tree]") {
  ScratchDir dir;
  auto read_error = [&](const std::string& yaml) {
    std::string file = dir.write("t.yml", yaml);
    return error_of([&] { ParamsTree::read(file); });
  };
  const std::string f = dir.path("t.yml") + ": ";
  CHECK(read_error("network:\n  layers: [1, 2]\n") ==
        f + "network/layers: a tree node must be a mapping or empty (null), got list [1, 2]");
  CHECK(read_error("network:\n  layers:\n    l1: 5\n") ==
        f + "network/layers/l1: a tree node must be a mapping or empty (null), got integer 5");
  CHECK(read_error("network:\n  params:\n") ==
        f + "network/params: must be a mapping, not null; write `params: {}` for no parameters");
  CHECK(read_error("kernel:\n  nest_params: [resolution]\n") ==
        f + "kernel/nest_params: must be a mapping, got list ['resolution']");
  CHECK(read_error("params: 3\n") == f + "params: must be a mapping, got integer 3");
  CHECK(read_error("- a.yml\n") == f + "holds a list (a tree_paths file?); a parameter tree file holds a mapping. "
                                       "Use ParamsTree::load for tree_paths lists");
  CHECK(read_error("42\n") == f + "a parameter tree file must hold a mapping, got integer 42");
  CHECK_THAT(read_error("network:\n  layers: {\n"), Catch::StartsWith(f + "invalid YAML at line 3, column"));
  CHECK(read_error("a:\n  b: 1\n  b: 2\n") ==
        f + "a/b: duplicate key 'b' in one mapping (first on line 2); remove one of them (line 3)");
  CHECK_THAT(read_error("a:\n  params: {x: !!python/tuple [1]}\n"),
             Catch::StartsWith(f + "a/params/x: Python tags such as !!python/tuple"));
  CHECK_THAT(read_error("network:\n  on: {}\n"), Catch::Contains("network: key 'on' is read as a boolean"));
  CHECK(error_of([&] { ParamsTree::read(dir.path("none.yml")); }) == dir.path("none.yml") + ": no such file");
  CHECK(error_of([&] { ParamsTree::read(dir.path("")); }) == dir.path("") + ": is a directory, not a YAML file");
  CHECK(error_of([] {
          ParamsTree::from_dict(Dict{{"a", Dict{{"params", List{}}}}}, "command line");
        }) == "command line: a/params: must be a mapping, got list []");
}

TEST_CASE("read: empty files, empty nodes and integer names", "[params_tree]") {
  ScratchDir dir;
  ParamsTree empty = ParamsTree::read(dir.write("empty.yml", ""));
  CHECK(empty.children().empty());
  CHECK(empty.own_params().empty());
  CHECK(empty.file() == dir.path("empty.yml"));
  CHECK(ParamsTree::read(dir.write("comment.yml", "# nothing\n")) == empty);
  ParamsTree tree =
      ParamsTree::read(dir.write("t.yml", "session_models:\n  53:\n    params: {x: 1}\n  0x10:\n  warmup: {}\n"));
  CHECK(names(at(tree, "session_models").children()) == std::vector<std::string>{"53", "16", "warmup"});
  CHECK(at(tree, "session_models/53").own_params() == Dict{{"x", 1}});
  CHECK(at(tree, "session_models/53").file() == dir.path("t.yml"));
}

TEST_CASE("write: deNEST's layout, and it reads back equal", "[params_tree]") {
  ParamsTree tree = tree_of("b:\n  params: {x: 1}\n  leaf:\na:\n  nest_params: {l: [1.5, 'yes']}\n");
  CHECK(tree.to_yaml() ==
        "params: {}\n"
        "nest_params: {}\n"
        "b:\n"
        "  params:\n"
        "    x: 1\n"
        "  nest_params: {}\n"
        "  leaf:\n"
        "    params: {}\n"
        "    nest_params: {}\n"
        "a:\n"
        "  params: {}\n"
        "  nest_params:\n"
        "    l:\n"
        "    - 1.5\n"
        "    - 'yes'\n");
  ScratchDir dir;
  ParamsTree loaded = ParamsTree::load(kData + "/denest_example/params/tree_paths.yml");
  loaded.write(dir.path("parameter_tree.yml"));
  ParamsTree back = ParamsTree::read(dir.path("parameter_tree.yml"));
  CHECK(back == loaded);
  CHECK(back.as_dict() == loaded.as_dict());  // same order too
  CHECK(error_of([&] { loaded.write(dir.path("no/such/dir/t.yml")); }) ==
        dir.path("no/such/dir/t.yml") + ": cannot open for writing: No such file or directory");
}

TEST_CASE("edits: add_child, set_own_param, copies and moves", "[params_tree]") {
  ParamsTree tree = tree_of("simulation:\n  params: {output_dir: out, sessions: []}\n");
  ParamsTree& simulation = *tree.child("simulation");
  simulation.set_own_param("sessions", Value(std::vector<std::string>{"warmup", "run"}));
  simulation.set_own_param("input_dir", "in", "keyword input_dir");
  CHECK(simulation.own_params().keys() == std::vector<std::string>{"output_dir", "sessions", "input_dir"});
  CHECK(simulation.origin("params", "input_dir") == "keyword input_dir");
  ParamsTree& kernel = tree.add_child("kernel");
  CHECK(&tree.add_child("kernel") == &kernel);
  kernel.set_own_nest_param("resolution", 0.1);
  CHECK(kernel.path() == "kernel");
  CHECK(kernel.file().empty());
  CHECK(tree.child("missing") == nullptr);
  CHECK(kernel.params().empty());
  CHECK(kernel.origin("params", "output_dir").empty());

  ParamsTree copy = simulation;  // a copy of a subtree has no parent
  CHECK(copy.parent() == nullptr);
  CHECK(copy == simulation);
  std::vector<ParamsTree> moved;
  moved.push_back(std::move(copy));
  moved.push_back(tree);
  moved.reserve(100);  // reallocation must keep the children's parent pointers right
  const ParamsTree& kernel_copy = at(moved[1], "kernel");
  CHECK(kernel_copy.parent() == &moved[1]);
  CHECK(kernel_copy.path() == "kernel");
  CHECK(moved[1] == tree);
  CHECK(!(moved[0] == tree));
}

TEST_CASE("equality ignores order, not types", "[params_tree]") {
  CHECK(tree_of("a: {params: {x: 1, y: 2}}\nb:\n") == tree_of("b:\na: {params: {y: 2, x: 1}}\n"));
  CHECK(!(tree_of("a: {params: {x: 1}}") == tree_of("a: {params: {x: 1.0}}")));
  CHECK(!(tree_of("a: {params: {x: 1}}") == tree_of("a: {nest_params: {x: 1}}")));
  CHECK(!(tree_of("a: {b: {}}") == tree_of("a: {c: {}}")));
}
