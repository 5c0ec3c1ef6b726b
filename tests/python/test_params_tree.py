"""nestling.parameters: deNEST 1.0.1's ParamsTree and load_trees (cases of tests/frontend/test_params_tree.cpp,
deNEST's own test_parameters.py, and byte-identity with the CLI's parameter_tree.yml)."""

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from nestling.parameters import InheritedView, InvalidTreeError, ParamsTree, load_trees

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"


def tree_of(text):
    return ParamsTree(yaml.safe_load(text))


def at(tree, path):
    for name in path.split("/"):
        tree = tree.children[name]
    return tree


def names(nodes):
    return [node.name for node in nodes]


def write(directory, name, text):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


INHERITANCE = """
neuron_models:
  ht_neuron:
    params: {nest_model: ht_neuron}
    nest_params: {g_KL: 1.0}
    cortical_excitatory:
      nest_params: {tau_m: 16.0, tau_spike: 1.75}
      l2_exc:
        nest_params: {g_KL: 2.0}
"""


def test_inheritance_example_of_the_overview():
    tree = tree_of(INHERITANCE)
    leaf = at(tree, "neuron_models/ht_neuron/cortical_excitatory/l2_exc")
    assert dict(leaf.nest_params) == {"g_KL": 2.0, "tau_m": 16.0, "tau_spike": 1.75}
    assert dict(leaf.params) == {"nest_model": "ht_neuron"}
    assert leaf.node_data == {"params": {}, "nest_params": {"g_KL": 2.0}}
    assert leaf.path == "neuron_models/ht_neuron/cortical_excitatory/l2_exc"
    assert leaf.parent.name == "cortical_excitatory"
    assert names(leaf.ancestors()) == ["cortical_excitatory", "ht_neuron", "neuron_models", None]
    assert leaf.ancestors()[-1] is tree
    assert (tree.path, tree.name, tree.parent, tree.files) == ("", None, None, ())


def test_inheritance_is_shallow_per_key_and_null_is_a_definition():
    tree = tree_of("""
projection_models:
  nest_params:
    mask: {circular: {radius: 2.0}}
    kernel: 1.0
    weights: [1, 2]
  params: {type: topological}
  child:
    nest_params:
      mask: {rectangular: {lower_left: [-1, -1], upper_right: [1, 1]}}
      weights: [3]
      kernel: null
""")
    view = at(tree, "projection_models/child").nest_params
    assert isinstance(view, InheritedView)
    assert view["mask"] == {"rectangular": {"lower_left": [-1, -1], "upper_right": [1, 1]}}
    assert view["weights"] == [3]
    assert "kernel" in view and view["kernel"] is None
    assert dict(at(tree, "projection_models/child").params) == {"type": "topological"}
    assert list(view) == ["mask", "kernel", "weights"]  # the root's keys first, nearest value


def test_leaves_and_named_leaves():
    tree = tree_of("""
network:
  neuron_models:
    a: {b1: null, b2: {}}
    c:
  projection_models:
    Rp_to_Tp_GABA_A:
      Rp_to_Tp_GABA_A:
  recorders: {}
""")
    network = tree.children["network"]
    assert names(network.children["neuron_models"].leaves(root=False)) == ["b1", "b2", "c"]
    assert names(network.leaves()) == ["b1", "b2", "c", "Rp_to_Tp_GABA_A", "recorders"]
    recorders = network.children["recorders"]
    assert recorders.leaves(root=False) == [] and recorders.named_leaves(root=False) == []
    assert recorders.leaves()[0] is recorders  # root=True: a childless node is its own leaf
    [(name, leaf)] = network.children["projection_models"].named_leaves(root=False)
    assert name == "Rp_to_Tp_GABA_A"
    assert leaf.path == "network/projection_models/Rp_to_Tp_GABA_A/Rp_to_Tp_GABA_A"


def merge_inputs(tmp_path):
    first = load_trees(write(tmp_path, "first.yml", """
network:
  params: {a: 1, nested: {x: 1}}
  first_only: {params: {f: 1}}
  shared: {nest_params: {k: first}}
"""))
    second = load_trees(write(tmp_path, "second.yml", """
network:
  params: {a: 2, b: 2, nested: {y: 2}}
  second_only:
  shared:
    nest_params: {k: second, extra: 2}
    deeper: {}
"""))
    return first, second


def test_merge_earliest_tree_wins_per_node_and_key(tmp_path):
    first, second = merge_inputs(tmp_path)
    first_before = first.asdict()
    network = ParamsTree.merge(first, second).children["network"]
    assert network.node_data["params"] == {"a": 1, "nested": {"x": 1}, "b": 2}
    assert list(network.node_data["params"]) == ["a", "nested", "b"]  # first-seen, earliest tree first
    assert list(network.children) == ["first_only", "shared", "second_only"]
    shared = network.children["shared"]
    assert shared.node_data["nest_params"] == {"k": "first", "extra": 2}
    assert list(shared.children) == ["deeper"]
    assert shared.files == (str(tmp_path / "first.yml"), str(tmp_path / "second.yml"))
    assert network.children["second_only"].files == (str(tmp_path / "second.yml"),)
    assert first.asdict() == first_before  # inputs unchanged
    reversed_network = ParamsTree.merge(second, first).children["network"]
    assert reversed_network.node_data["params"]["a"] == 2
    assert reversed_network.node_data["params"]["nested"] == {"y": 2}
    # The result shares no mutable value with its inputs (deNEST's test_merge).
    merged = ParamsTree.merge(first, second)
    merged.children["network"].params["nested"]["z"] = 3
    merged["params"]["NEW_KEY"] = 0
    assert first.asdict() == first_before and "NEW_KEY" not in first.params
    assert ParamsTree.merge() == ParamsTree()


def test_merge_happens_before_inheritance():
    base = tree_of("projection_models:\n  p1:\n    nest_params: {allow_autapses: false}\n  p2:\n")
    override = {"projection_models": {"nest_params": {"allow_autapses": True}}}
    merged = ParamsTree.merge(override, base, name="merged")  # a mapping stands for a tree
    assert merged.name == "merged"
    assert at(merged, "projection_models/p2").nest_params["allow_autapses"] is True
    assert at(merged, "projection_models/p1").nest_params["allow_autapses"] is False


def test_load_the_tutorial_gives_denests_parameter_tree():
    tree_paths = DATA / "denest_tutorial" / "params" / "tree_paths.yml"
    # deNEST's run had output_dir=/tmp/denest_out/tutorial.
    loaded = load_trees(tree_paths, {"simulation": {"params": {"output_dir": "/tmp/denest_out/tutorial"}}})
    expected = ParamsTree.read(DATA / "denest_tutorial" / "output" / "parameter_tree.yml")
    assert loaded == expected  # child order differs: deNEST merged through a Python set
    assert loaded.name == tree_paths
    assert list(loaded.children) == ["simulation", "network", "session_models", "kernel"]
    params_dir = str(tree_paths.parent)
    assert loaded.children["simulation"].files == (os.path.join(params_dir, "simulation.yml"),)
    l1_exc = at(loaded, "network/neuron_models/my_neuron/l1_exc")
    assert dict(l1_exc.nest_params) == {"g_KL": 1.0, "g_NaL": 1.0, "V_m": -44.0}
    assert l1_exc.files == (os.path.join(params_dir, "network_tree.yml"),)
    plain = load_trees(str(tree_paths))
    assert plain.children["simulation"].params["output_dir"] == "./data/outputs/output"
    assert plain != expected


def test_load_denests_example_with_output_dir_written_back_in_place():
    loaded = load_trees(DATA / "denest_example" / "params" / "tree_paths.yml")
    loaded.children["simulation"].params["output_dir"] = "/tmp/denest_out/example"  # as deNEST's Simulation
    expected = ParamsTree.read(DATA / "denest_example" / "output" / "parameter_tree.yml")
    assert loaded == expected
    assert list(loaded.children["simulation"].params.items()) == list(expected.children["simulation"].params.items())
    neuron_models = at(loaded, "network/neuron_models")
    assert names(neuron_models.leaves()) == ["l1_exc", "l2_exc", "l1_inh", "l2_inh", "input_exc"]


def test_load_a_single_tree_file_overrides_first(tmp_path):
    file = write(tmp_path, "tree.yml", "kernel:\n  nest_params: {resolution: 0.1, local_num_threads: 1}\n")
    first = {"kernel": {"nest_params": {"local_num_threads": 4}}}
    second = tree_of("kernel: {nest_params: {local_num_threads: 8, print_time: true}}")
    kernel = load_trees(file, first, second).children["kernel"]
    assert kernel.node_data["nest_params"] == {"local_num_threads": 4, "print_time": True, "resolution": 0.1}
    assert list(kernel.node_data["nest_params"]) == ["local_num_threads", "print_time", "resolution"]
    assert kernel.files == (str(file),)  # overrides from dicts bring no file
    # A ParamsTree override keeps its children and files (deNEST's ParamsTree(tree) kept only root data).
    other = load_trees(write(tmp_path, "other.yml", "kernel: {params: {nest_seed: 5}}\n"))
    kernel = load_trees(file, other).children["kernel"]
    assert kernel.params["nest_seed"] == 5
    assert kernel.files == (str(tmp_path / "other.yml"), str(file))


def test_load_nested_lists_absolute_entries_and_cycles(tmp_path):
    write(tmp_path, "a.yml", "x: {params: {from: a}}\n")
    write(tmp_path, "sub/b.yml", "x: {params: {from: b, only_b: 1}}\n")
    write(tmp_path, "sub/inner.yml", "- ./b.yml\n")
    outer = write(tmp_path, "outer.yml", f"- sub/inner.yml\n- {tmp_path / 'a.yml'}\n")
    x = load_trees(outer).children["x"]
    assert x.node_data["params"] == {"from": "b", "only_b": 1}  # the inner list comes first
    assert x.files == (str(tmp_path / "sub" / "b.yml"), str(tmp_path / "a.yml"))
    assert load_trees(write(tmp_path, "empty_list.yml", "[]\n")) == ParamsTree()
    assert load_trees(write(tmp_path, "empty.yml", "")) == ParamsTree()
    cycle1 = write(tmp_path, "cycle1.yml", "- cycle2.yml\n")
    write(tmp_path, "cycle2.yml", "- ./a.yml\n- cycle1.yml\n")
    with pytest.raises(InvalidTreeError, match="cycle") as caught:
        load_trees(cycle1)
    real1, real2 = os.path.realpath(cycle1), os.path.realpath(tmp_path / "cycle2.yml")
    assert str(caught.value) == f"{cycle1}: tree_paths lists include each other in a cycle: {real1} -> {real2} -> {real1}"


def test_load_errors_name_the_list_and_the_entry(tmp_path):
    write(tmp_path, "good.yml", "kernel: {}\n")
    missing = write(tmp_path, "missing.yml", "- ./good.yml\n- ./nowhere.yml\n")
    with pytest.raises(FileNotFoundError) as caught:
        load_trees(missing)
    assert caught.value.filename == str(tmp_path / "nowhere.yml")
    assert f"listed in {missing} [1] as './nowhere.yml'" in str(caught.value)
    ints = write(tmp_path, "ints.yml", "- ./good.yml\n- 3\n")
    with pytest.raises(InvalidTreeError) as caught:
        load_trees(ints)
    assert str(caught.value) == f"{ints}: [1]: a tree_paths list holds paths of parameter files (strings), got integer 3"
    with pytest.raises(InvalidTreeError, match=r"\[0\]: a tree_paths list holds paths"):
        load_trees(write(tmp_path, "nested.yml", "- [./good.yml]\n"))
    scalar = write(tmp_path, "scalar.yml", "just text\n")
    with pytest.raises(InvalidTreeError) as caught:
        load_trees(scalar)
    assert str(caught.value) == f"{scalar}: must hold a parameter tree (a mapping) or a tree_paths list, got string 'just text'"
    with pytest.raises(FileNotFoundError) as caught:
        load_trees(tmp_path / "absent.yml")
    assert caught.value.filename == str(tmp_path / "absent.yml")
    write(tmp_path, "bad.yml", "network:\n  params: null\n")
    with pytest.raises(InvalidTreeError) as caught:
        load_trees(write(tmp_path, "lists_bad.yml", "- bad.yml\n"))
    assert str(caught.value).startswith(f"{tmp_path / 'bad.yml'}: network/params: ")
    assert (caught.value.file, caught.value.tree_path) == (str(tmp_path / "bad.yml"), "network/params")


@pytest.mark.parametrize("text, message", [
    ("network:\n  layers: [1, 2]\n", "network/layers: a tree node must be a mapping or empty (null), got list [1, 2]"),
    ("network:\n  layers:\n    l1: 5\n", "network/layers/l1: a tree node must be a mapping or empty (null), got integer 5"),
    ("network:\n  params:\n", "network/params: must be a mapping, not null; write `params: {}` for no parameters"),
    ("kernel:\n  nest_params: [resolution]\n", "kernel/nest_params: must be a mapping, got list ['resolution']"),
    ("params: 3\n", "params: must be a mapping, got integer 3"),
    ("- a.yml\n", "holds a list (a tree_paths file?); a parameter tree file holds a mapping. Use load_trees for "
                  "tree_paths lists"),
    ("42\n", "a parameter tree file must hold a mapping, got integer 42"),
])
def test_read_validation_errors_name_file_and_tree_path(tmp_path, text, message):
    file = write(tmp_path, "t.yml", text)
    with pytest.raises(InvalidTreeError) as caught:
        ParamsTree.read(file)
    assert str(caught.value) == f"{file}: {message}"
    assert isinstance(caught.value, ValueError)


def test_read_yaml_level_errors_stay_pyyamls(tmp_path):
    with pytest.raises(yaml.YAMLError):
        ParamsTree.read(write(tmp_path, "t.yml", "network:\n  layers: {\n"))
    with pytest.raises(yaml.constructor.ConstructorError):  # safe loader: no Python tags
        ParamsTree.read(write(tmp_path, "t.yml", "a:\n  params: {x: !!python/tuple [1]}\n"))
    # PyYAML keeps the last duplicate key and reads `on` as True (nestling's C++ reader refuses both).
    assert ParamsTree.read(write(tmp_path, "t.yml", "a:\n  params:\n    x: 1\n    x: 2\n")) == tree_of("a: {params: {x: 2}}")
    assert list(ParamsTree.read(write(tmp_path, "t.yml", "network:\n  on: {}\n")).children["network"].children) == [True]
    with pytest.raises(FileNotFoundError):
        ParamsTree.read(tmp_path / "none.yml")


def test_dict_validation_errors():
    with pytest.raises(InvalidTreeError) as caught:
        ParamsTree({"a": {"params": []}})
    assert str(caught.value) == "a/params: must be a mapping, got list []"
    assert (caught.value.file, caught.value.tree_path) == (None, "a/params")
    with pytest.raises(InvalidTreeError, match="^a parameter tree must be a mapping, got list"):
        ParamsTree([1, 2])
    with pytest.raises(InvalidTreeError, match="^x/y: a tree node must be a mapping"):
        ParamsTree({"y": 0}, parent=ParamsTree(), name="x")  # errors carry the node's place
    assert ParamsTree({"a": {"params": {}, "b": None}}) == tree_of("a:\n  b:\n")


def test_read_empty_files_empty_nodes_and_integer_names(tmp_path):
    empty = ParamsTree.read(write(tmp_path, "empty.yml", ""))
    assert empty == ParamsTree() and empty.children == {} and empty.name is None
    assert empty.files == (str(tmp_path / "empty.yml"),)
    assert ParamsTree.read(write(tmp_path, "comment.yml", "# nothing\n")) == empty
    tree = ParamsTree.read(write(tmp_path, "t.yml", "session_models:\n  53:\n    params: {x: 1}\n  0x10:\n  warmup: {}\n"))
    session_models = tree.children["session_models"]
    assert list(session_models.children) == [53, 16, "warmup"]  # as PyYAML reads them (C++: "53", "16")
    assert session_models.children[53].node_data["params"] == {"x": 1}
    assert session_models.children[53].path == "session_models/53"


def test_write_layout_and_round_trip(tmp_path):
    tree = tree_of("b:\n  params: {x: 1}\n  leaf:\na:\n  nest_params: {l: [1.5, 'yes']}\n")
    expected = ("params: {}\nnest_params: {}\n"
                "b:\n  params:\n    x: 1\n  nest_params: {}\n  leaf:\n    params: {}\n    nest_params: {}\n"
                "a:\n  params: {}\n  nest_params:\n    l:\n    - 1.5\n    - 'yes'\n")
    assert str(tree) == expected
    assert tree.write(tmp_path / "t.yml") == tmp_path / "t.yml"
    assert (tmp_path / "t.yml").read_text() == expected
    loaded = load_trees(DATA / "denest_example" / "params" / "tree_paths.yml")
    back = ParamsTree.read(loaded.write(tmp_path / "parameter_tree.yml"))
    assert back == loaded and yaml.dump(back.asdict(), sort_keys=False) == yaml.dump(loaded.asdict(), sort_keys=False)
    shared = [1, 2]  # one object twice: spelt out, no &id001 anchor (as the C++ writer)
    assert "&" not in str(ParamsTree({"a": {"params": {"x": shared}}, "b": {"params": {"x": shared}}}))
    with pytest.raises(FileNotFoundError):
        loaded.write(tmp_path / "no" / "such" / "dir" / "t.yml")


def test_views_write_through_and_copy():
    tree = tree_of("simulation:\n  params: {output_dir: out, sessions: []}\n  child: {}\n")
    simulation = tree.children["simulation"]
    child = simulation.children["child"]
    child.params["output_dir"] = "elsewhere"  # the nearest scope holding the key changes
    assert simulation.node_data["params"]["output_dir"] == "elsewhere" and child.node_data["params"] == {}
    child.params["new"] = 1  # a new key goes to the node's own data
    assert child.node_data["params"] == {"new": 1}
    del child.params["output_dir"]
    assert "output_dir" not in simulation.params
    with pytest.raises(KeyError):
        del child.params["absent"]
    copy = child.copy()  # a new root: what it inherited is not part of it
    assert (copy.parent, copy.name, dict(copy.params)) == (None, None, {"new": 1})
    assert copy == child and copy is not child
    loaded = ParamsTree.merge(ParamsTree(), name="root")
    assert loaded.copy().name is None
    # deNEST attaches nodes by editing `children` directly.
    tree.children["kernel"] = ParamsTree(None, parent=tree, name="kernel")
    assert tree.children["kernel"].path == "kernel" and "kernel" in tree.asdict()


def test_equality_is_pythons_dict_equality():
    assert tree_of("a: {params: {x: 1, y: 2}}\nb:\n") == tree_of("b:\na: {params: {y: 2, x: 1}}\n")
    assert tree_of("a: {params: {x: 1}}") == tree_of("a: {params: {x: 1.0}}")  # the C++ tree tells these apart
    assert tree_of("a: {params: {x: 1}}") != tree_of("a: {nest_params: {x: 1}}")
    assert tree_of("a: {b: {}}") != tree_of("a: {c: {}}")
    assert tree_of("a: {params: {x: 1}}") != {"a": {"params": {"x": 1}}}
    leaf = tree_of("params: {x: 1}\na: {}").children["a"]
    assert leaf == ParamsTree()  # own data only: inherited data and parents are ignored


def test_mapping_interface():
    tree = tree_of(INHERITANCE)
    assert list(tree) == ["params", "nest_params", "neuron_models"] and len(tree) == 3
    assert tree["neuron_models"] is tree.children["neuron_models"]
    leaf = tree["neuron_models"]["ht_neuron"]["cortical_excitatory"]
    assert leaf["nest_params"] == leaf.nest_params == leaf.data["nest_params"]
    assert leaf["params"]["nest_model"] == "ht_neuron"
    with pytest.raises(KeyError):
        tree["absent"]
    with pytest.raises(TypeError):
        tree["x"] = ParamsTree()  # read-only mapping


def test_denests_own_fixture():
    tree = ParamsTree({
        "params": {"c0_1": "1", "a": "c0_a1", "b": "c0_b1"},
        "nest_params": {"c0_2": "2", "a": "c0_a2", "b": "c0_b2"},
        "c1": {"params": {"a": "c1_a1", "b": "c1_b1"}, "nest_params": {"a": "c1_a2", "b": "c1_b2"}},
        "c2": {"params": {"a": "c2_a1", "b": "c2_b1"},
               "cc2": {"ccc2": {"params": {"a": "ccc2_a1"}, "nest_params": {"b": "ccc2_b2"}}}},
        "c3": {"cc3": {}},
    })
    cc3 = at(tree, "c3/cc3")
    assert (cc3["params"]["a"], cc3["params"]["b"], cc3["nest_params"]["c0_2"]) == ("c0_a1", "c0_b1", "2")
    ccc2 = at(tree, "c2/cc2/ccc2")
    assert dict(ccc2.params) == {"c0_1": "1", "a": "ccc2_a1", "b": "c2_b1"}
    assert dict(ccc2.nest_params) == {"c0_2": "2", "a": "c0_a2", "b": "ccc2_b2"}
    assert tree.named_leaves() == [
        ("c1", ParamsTree({"params": {"a": "c1_a1", "b": "c1_b1"}, "nest_params": {"a": "c1_a2", "b": "c1_b2"}})),
        ("ccc2", ParamsTree({"params": {"a": "ccc2_a1"}, "nest_params": {"b": "ccc2_b2"}})),
        ("cc3", ParamsTree({})),
    ]
    assert tree == ParamsTree(tree.asdict()) == ParamsTree(tree) == tree.copy()
    merged = ParamsTree.merge(
        ParamsTree({"params": {0: 0}, 0: {"params": {}}}),
        ParamsTree({"params": {0: 1, 1: 1}, "nest_params": {0: 1, 1: 1}, 0: {"params": {"test_key": "test_value"}}}),
        ParamsTree({"params": {0: 0}, "nest_params": {0: 0}, 0: {"params": {"test_key": "overriden"}}, 1: {}}),
        ParamsTree({"params": {0: 0, 2: 2}, "nest_params": {3: 3}, 1: {"params": {0: 0}}, 2: {}}),
    )
    assert (merged.params[0], merged.params[1], merged.nest_params[0], merged.nest_params[3]) == (0, 1, 1, 3)
    assert merged.children[0].params["test_key"] == "test_value"
    assert list(merged.children) == [0, 1, 2]


def test_origin_map_and_paths(tmp_path):
    write(tmp_path, "net.yml", "network:\n  layers:\n    l1: {}\n")
    write(tmp_path, "more.yml", "network:\n  layers:\n    l2:\n")
    tree = load_trees(write(tmp_path, "tree_paths.yml", "- net.yml\n- more.yml\n"),
                      {"network": {"layers": {"l3": {}}}})
    net, more = str(tmp_path / "net.yml"), str(tmp_path / "more.yml")
    assert tree.origin_map() == {"": net, "network": net, "network/layers": net,
                                 "network/layers/l1": net, "network/layers/l2": more}
    assert at(tree, "network/layers").files == (net, more)
    assert at(tree, "network/layers/l3").files == () and at(tree, "network/layers/l3").path == "network/layers/l3"
    assert at(tree, "network").origin_map() == {k: v for k, v in tree.origin_map().items() if k.startswith("network")}
    with pytest.raises(AttributeError):
        tree.files = ()


def test_repr_names_the_node_and_folds_long_trees():
    tree = tree_of(INHERITANCE)
    leaf = at(tree, "neuron_models/ht_neuron")
    assert repr(leaf).split("\n")[0] == "ParamsTree(name='ht_neuron', parent='neuron_models')"
    assert repr(leaf).split("\n")[1:4] == ["  params:", "    nest_model: ht_neuron", "  nest_params:"]
    long = repr(ParamsTree({f"n{i}": {} for i in range(20)}))
    assert len(long.split("\n")) == 32 and "more lines] ..." in long


def test_quickstart_write_is_byte_identical_to_the_cli(tmp_path):
    binary = REPO / "build" / "nestling"
    if not binary.exists():
        pytest.skip(f"{binary} is not built")
    tree_paths = REPO / "examples" / "quickstart" / "tree_paths.yml"
    out = tmp_path / "out"
    subprocess.run([str(binary), "run", str(tree_paths), "-o", str(out), "--force", "-q"],
                   check=True, cwd=tmp_path, timeout=300)
    cli_text = (out / "parameter_tree.yml").read_text()
    override = {"simulation": {"params": {"output_dir": str(out)}}}
    overridden = load_trees(tree_paths, override)
    assert overridden == ParamsTree.read(out / "parameter_tree.yml")
    # The CLI writes -o into the tree in place, as deNEST's Simulation(output_dir=...) does: same bytes.
    in_place = load_trees(tree_paths)
    in_place.children["simulation"].params["output_dir"] = str(out)
    assert in_place.write(tmp_path / "python.yml") == tmp_path / "python.yml"
    assert (tmp_path / "python.yml").read_bytes() == (out / "parameter_tree.yml").read_bytes()
    # As an override tree, `simulation` comes first (the earliest tree's children come first);
    # that is the only difference.
    assert list(overridden.children) == ["simulation", "network", "session_models", "kernel"]
    simulation = cli_text[cli_text.index("simulation:\n"):cli_text.index("session_models:\n")]
    header = "params: {}\nnest_params: {}\n"
    assert str(overridden) == header + simulation + cli_text[len(header):].replace(simulation, "", 1)
