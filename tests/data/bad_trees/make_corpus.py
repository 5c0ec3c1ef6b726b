#!/usr/bin/python3
"""Writes the corpus of broken parameter trees: one directory per case with the tree
(tree.yml, or tree_paths.yml and its files) and `expected`: text the one-line error must
contain (the tree path of the problem, and often the file). tests/frontend/test_bad_trees.cpp
runs every directory; a new case needs no new code. A case may also hold `args` (its own
command line) and `fifo` (paths the test makes into FIFOs). Run from this directory to
regenerate."""
import copy
import os
import shutil
import struct

import numpy as np
import yaml

BASE = yaml.safe_load("""
kernel:
  params: {nest_seed: 1}
  nest_params: {resolution: 0.1}
simulation:
  params: {sessions: [run]}
session_models:
  run:
    params: {simulation_time: 10.0}
network:
  neuron_models:
    exc: {params: {nest_model: ht_neuron}}
    input: {params: {nest_model: spike_generator}}
  synapse_models:
    ampa: {params: {nest_model: static_synapse, receptor_type: AMPA, target_neuron: ht_neuron}}
  recorder_models:
    spikes: {params: {nest_model: spike_detector}}
    weights: {params: {nest_model: weight_recorder}}
  layers:
    grid:
      nest_params: {rows: 4, columns: 4, extent: [4.0, 4.0], edge_wrap: true}
      l1: {params: {populations: {exc: 1}}}
      inp: {params: {type: InputLayer, populations: {input: 1}}}
  projection_models:
    proj:
      nest_params:
        connection_type: divergent
        synapse_model: ampa
        mask: {circular: {radius: 1.0}}
  topology:
    params:
      projections:
      - {source_layers: [inp], source_population: parrot_neuron, target_layers: [l1],
         target_population: exc, projection_model: proj}
  recorders:
    params:
      population_recorders:
      - {layers: [l1], populations: null, model: spikes}
""")

PROJ = ["network", "topology", "params", "projections", 0]
CHANGE = ["session_models", "run", "params", "unit_changes"]


def at(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def setting(path, value):
    def apply(tree):
        at(tree, path[:-1])[path[-1]] = value
    return apply


def deleting(path):
    def apply(tree):
        del at(tree, path[:-1])[path[-1]]
    return apply


def unit_change(**change):
    base = {"layers": ["inp"], "population_name": "input", "nest_params": {"spike_times": [1.0]}}
    base.update(change)
    return setting(CHANGE, [base])


# name: (modification of BASE, expected text)
CASES = {
    "kernel_resolution_zero": (setting(["kernel", "nest_params", "resolution"], 0.0), "kernel/nest_params/resolution"),
    "kernel_resolution_negative": (setting(["kernel", "nest_params", "resolution"], -0.1), "kernel/nest_params/resolution"),
    "kernel_resolution_text": (setting(["kernel", "nest_params", "resolution"], "fine"), "kernel/nest_params/resolution"),
    "kernel_resolution_off_tics": (setting(["kernel", "nest_params", "resolution"], 0.00025), "kernel/nest_params/resolution"),
    "kernel_threads_zero": (setting(["kernel", "nest_params", "local_num_threads"], 0), "kernel/nest_params/local_num_threads"),
    "kernel_unknown_setting": (setting(["kernel", "nest_params", "resolutoin"], 0.1), "kernel/nest_params/resolutoin"),
    "kernel_reserved_seed": (setting(["kernel", "nest_params", "rng_seed"], 5), "kernel/nest_params/rng_seed"),
    "kernel_seed_negative": (setting(["kernel", "params", "nest_seed"], -3), "kernel/params/nest_seed"),
    "kernel_extension_module": (setting(["kernel", "params", "extension_modules"], ["mymodule"]), "kernel/params/extension_modules"),
    "neuron_placeholder_left": (setting(["network", "neuron_models"], {"tmpl": {"params": {"nest_model": "ht_neuron"}, "nest_params": {"g_KL": "mandatory"}, "exc": {"nest_params": {"tau_m": 10.0}}}, "input": {"params": {"nest_model": "spike_generator"}}}), "network/neuron_models/tmpl/nest_params/g_KL"),
    "layer_placeholder_left": (setting(["network", "layers", "grid", "nest_params", "rows"], "mandatory"), "network/layers/grid/nest_params/rows"),
    "root_unknown_subtree": (setting(["networks"], {}), "networks"),
    "network_unknown_subtree": (setting(["network", "populations"], {"params": {}}), "network/populations"),
    "params_null": (setting(["network", "layers", "grid", "params"], None), "network/layers/grid/params"),
    "params_not_mapping": (setting(["network", "neuron_models", "exc", "params"], ["ht_neuron"]), "network/neuron_models/exc/params"),
    "model_unknown_base": (setting(["network", "neuron_models", "exc", "params", "nest_model"], "ht_nueron"), "network/neuron_models/exc/params/nest_model"),
    "model_missing_base": (deleting(["network", "neuron_models", "exc", "params", "nest_model"]), "network/neuron_models/exc/params/nest_model"),
    "model_unknown_parameter": (setting(["network", "neuron_models", "exc", "nest_params"], {"tau_mm": 5.0}), "network/neuron_models/exc/nest_params/tau_mm"),
    "model_negative_tau": (setting(["network", "neuron_models", "exc", "nest_params"], {"tau_m": -16.0}), "network/neuron_models/exc/nest_params/tau_m"),
    "model_parameter_wrong_type": (setting(["network", "neuron_models", "exc", "nest_params"], {"tau_m": "slow"}), "network/neuron_models/exc/nest_params/tau_m"),
    "model_rise_after_decay": (setting(["network", "neuron_models", "exc", "nest_params"], {"tau_rise_AMPA": 5.0}), "network/neuron_models/exc/nest_params"),
    "synapse_unknown_receptor": (setting(["network", "synapse_models", "ampa", "params", "receptor_type"], "AMPB"), "network/synapse_models/ampa/params/receptor_type"),
    "synapse_receptor_without_target": (deleting(["network", "synapse_models", "ampa", "params", "target_neuron"]), "network/synapse_models/ampa/params/target_neuron"),
    "synapse_weight_reserved": (setting(["network", "synapse_models", "ampa", "nest_params"], {"weight": 2.0}), "network/synapse_models/ampa/nest_params/weight"),
    "layer_rows_missing": (deleting(["network", "layers", "grid", "nest_params", "rows"]), "network/layers/grid/l1/nest_params/rows"),
    "layer_rows_fraction": (setting(["network", "layers", "grid", "nest_params", "rows"], 4.5), "network/layers/grid/nest_params/rows: must be a positive integer, got 4.5 (inherited by network/layers/grid/l1)"),
    "layer_rows_zero": (setting(["network", "layers", "grid", "nest_params", "rows"], 0), "network/layers/grid/nest_params/rows"),
    "layer_extent_negative": (setting(["network", "layers", "grid", "nest_params", "extent"], [-4.0, 4.0]), "nest_params/extent"),
    "layer_populations_missing": (deleting(["network", "layers", "grid", "l1", "params", "populations"]), "network/layers/grid/l1/params/populations"),
    "layer_units_float": (setting(["network", "layers", "grid", "l1", "params", "populations"], {"exc": 1.0}), "network/layers/grid/l1/params/populations"),
    "layer_unknown_population_model": (setting(["network", "layers", "grid", "l1", "params", "populations"], {"excc": 1}), "network/layers/grid/l1/params/populations"),
    "layer_bad_type": (setting(["network", "layers", "grid", "l1", "params", "type"], "Input"), "network/layers/grid/l1/params/type"),
    "layer_huge_grid": (lambda t: t["network"]["layers"]["grid"]["nest_params"].update(rows=200000, columns=200000), "network/layers"),
    "input_layer_two_populations": (setting(["network", "layers", "grid", "inp", "params", "populations"], {"input": 1, "exc": 1}), "network/layers/grid/inp/params/populations"),
    "projection_unknown_layer": (setting(PROJ + ["target_layers"], ["l2"]), "network/topology/params/projections/0/target_layers"),
    "projection_unknown_population": (setting(PROJ + ["target_population"], "inh"), "network/topology/params/projections/0/target_population"),
    "projection_into_input_layer": (setting(PROJ + ["target_layers"], ["inp"]), "network/topology/params/projections/0/target_layers"),
    "projection_from_stimulators": (setting(PROJ + ["source_population"], "input"), "network/topology/params/projections/0/source_population"),
    "projection_unknown_model": (setting(PROJ + ["projection_model"], "projj"), "network/topology/params/projections/0/projection_model"),
    "projection_unknown_key": (setting(PROJ + ["weights"], 2.0), "network/topology/params/projections/0/weights"),
    "projection_missing_key": (deleting(PROJ + ["source_population"]), "network/topology/params/projections/0/source_population"),
    "projection_duplicate": (lambda t: at(t, PROJ[:-1]).append(copy.deepcopy(at(t, PROJ))), "network/topology/params/projections/1"),
    "projection_oversized_mask": (setting(["network", "projection_models", "proj", "nest_params", "mask"], {"circular": {"radius": 3.0}}), "network/projection_models/proj/nest_params/mask"),
    "projection_negative_radius": (setting(["network", "projection_models", "proj", "nest_params", "mask"], {"circular": {"radius": -1.0}}), "network/projection_models/proj/nest_params/mask/circular/radius"),
    "projection_delay_below_resolution": (setting(["network", "projection_models", "proj", "nest_params", "delays"], 0.01), "network/projection_models/proj/nest_params/delays"),
    "projection_bad_connection_type": (setting(["network", "projection_models", "proj", "nest_params", "connection_type"], "sideways"), "network/projection_models/proj/nest_params/connection_type"),
    "projection_unknown_kernel": (setting(["network", "projection_models", "proj", "nest_params", "kernel"], {"gausian": {"sigma": 1.0}}), "network/projection_models/proj/nest_params/kernel"),
    "projection_missing_synapse_model": (deleting(["network", "projection_models", "proj", "nest_params", "synapse_model"]), "network/projection_models/proj/nest_params/synapse_model"),
    "projection_reserved_sources": (setting(["network", "projection_models", "proj", "nest_params", "sources"], {"model": "exc"}), "network/projection_models/proj/nest_params/sources"),
    "projection_multisynapse_unlabelled": (setting(["network", "projection_models", "proj", "params"], {"type": "multisynapse"}), "network/projection_models/proj/params/query_synapse_label"),
    "recorder_unknown_model": (setting(["network", "recorders", "params", "population_recorders", 0, "model"], "spikez"), "network/recorders/params/population_recorders/0/model"),
    "recorder_unknown_layer": (setting(["network", "recorders", "params", "population_recorders", 0, "layers"], ["l9"]), "network/recorders/params/population_recorders/0/layers"),
    "recorder_weight_unmatched": (setting(["network", "recorders", "params", "projection_recorders"], [dict(at(BASE, PROJ), target_population="exc", source_layers=["l1"], source_population="exc", model="weights")]), "network/recorders/params/projection_recorders/0"),
    "multimeter_unknown_recordable": (lambda t: (t["network"]["recorder_models"].update(vm={"params": {"nest_model": "multimeter"}, "nest_params": {"record_from": ["V_mm"]}}), t["network"]["recorders"]["params"]["population_recorders"].append({"layers": ["l1"], "populations": None, "model": "vm"})), "network/recorder_models/vm/nest_params/record_from"),
    "session_unknown_model": (setting(["simulation", "params", "sessions"], ["run", "runn"]), "simulation/params/sessions/1"),
    "session_missing_time": (deleting(["session_models", "run", "params", "simulation_time"]), "session_models/run/params/simulation_time"),
    "session_negative_time": (setting(["session_models", "run", "params", "simulation_time"], -5.0), "session_models/run/params/simulation_time"),
    "session_unknown_key": (setting(["session_models", "run", "params", "record_all"], True), "session_models/run/params/record_all"),
    "session_nest_params": (setting(["session_models", "run", "nest_params"], {"resolution": 0.1}), "session_models/run/nest_params/resolution"),
    "sessions_not_list": (setting(["simulation", "params", "sessions"], "run"), "simulation/params/sessions"),
    "unit_change_unknown_layer": (unit_change(layers=["inpt"]), "session_models/run/params/unit_changes/0/layers"),
    "unit_change_unknown_population": (unit_change(population_name="inputs"), "session_models/run/params/unit_changes/0/population_name"),
    "unit_change_unknown_parameter": (unit_change(nest_params={"spike_tims": [1.0]}), "session_models/run/params/unit_changes/0/nest_params/spike_tims"),
    "unit_change_bad_value": (unit_change(nest_params={"spike_times": [2.0, 1.0]}), "session_models/run/params/unit_changes/0/nest_params/spike_times"),
    "unit_change_bad_change_type": (unit_change(change_type="exponential"), "session_models/run/params/unit_changes/0/change_type"),
    "unit_change_multiplicative_list": (unit_change(change_type="multiplicative"), "session_models/run/params/unit_changes/0/nest_params/spike_times"),
    "unit_change_without_layers": (lambda t: setting(CHANGE, [{"population_name": "input", "nest_params": {"spike_times": [1.0]}}])(t), "session_models/run/params/unit_changes/0/layers"),
    "from_array_missing_file": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": "missing.npy"}), "session_models/run/params/unit_changes/0/nest_params/V_m"),
    "from_array_wrong_shape": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": "rates_5x5x1.npy"}), "session_models/run/params/unit_changes/0/nest_params/V_m"),
    "from_array_not_a_file_name": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": [1.0, 2.0]}), "session_models/run/params/unit_changes/0/nest_params/V_m"),
    "from_array_not_npy": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": "notes.txt"}), "session_models/run/params/unit_changes/0/nest_params/V_m"),
    "session_time_off_grid": (lambda t: (t["kernel"]["nest_params"].update(resolution=0.3), t["session_models"]["run"]["params"].update(simulation_time=20.0)), "session_models/run/params/simulation_time"),
    "synapse_change_unknown_parameter": (setting(["session_models", "run", "params", "synapse_changes"], [{"synapse_model": "ampa", "params": {"wieght": 2.0}}]), "session_models/run/params/synapse_changes/0/params/wieght"),
    "from_array_bad_value": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"tau_m": "taus_4x4x1.npy"}), "session_models/run/params/unit_changes/0/nest_params/tau_m"),
    "record_false_with_origin": (lambda t: (t["network"]["recorder_models"]["spikes"].update(nest_params={"origin": 10.0}), t["session_models"]["run"]["params"].update(record=False)), "session_models/run/params/record"),
    "session_model_twice": (lambda t: t["session_models"].update(group={"run": {"params": {"simulation_time": 5.0}}}), "session model defined twice"),
    "name_with_slash": (lambda t: t["network"]["layers"]["grid"].update({"l/2": {"params": {"populations": {"exc": 1}}}}), "cannot be a name"),
    "recorder_labels_collide": (lambda t: (t["network"]["layers"]["grid"].update({"x_l1": {"params": {"populations": {"exc": 1}}}, "x": {"params": {"populations": {"l1_exc": 1}}}}), t["network"]["neuron_models"].update(l1_exc={"params": {"nest_model": "ht_neuron"}}), t["network"]["recorders"]["params"]["population_recorders"].append({"layers": None, "populations": None, "model": "spikes"})), "would both be labelled"),
    "layer_units_too_many": (setting(["network", "layers", "grid", "l1", "params", "populations"], {"exc": 3000000000}), "network/layers/grid/l1/params/populations"),
    "input_layer_of_parrots": (setting(["network", "layers", "grid", "inp", "params", "populations"], {"parrot_neuron": 1}), "its parrots are added"),
    "kernel_rng_seeds": (setting(["kernel", "nest_params", "rng_seeds"], [1, 2]), "kernel/nest_params/rng_seeds"),
    "synapse_change_unknown_model": (setting(["session_models", "run", "params", "synapse_changes"], [{"synapse_model": "ampaa", "params": {"weight": 2.0}}]), "session_models/run/params/synapse_changes/0/synapse_model"),
    # from_array inputs that are no arrays: refused with their tree path, never read
    "from_array_device": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": "/dev/zero"}), "session_models/run/params/unit_changes/0/nest_params/V_m: /dev/zero: is a device"),
    "from_array_directory": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": "."}), "is a directory, not a .npy file"),
    "from_array_fifo": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": "pipe.npy"}), "pipe.npy: is a FIFO (named pipe), not a .npy file"),
    "from_array_huge_header": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": "huge_header.npy"}), "the .npy header is 2147483647 bytes long"),
    "from_array_truncated": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": "truncated_4x4x1.npy"}), "truncated .npy data"),
    "from_array_version_3_structured": (unit_change(layers=["l1"], population_name="exc", from_array=True, nest_params={"V_m": "structured_v3.npy"}), "structured dtypes (a list as 'descr') are not supported"),
    # networks that cannot fit: refused before anything is created
    "layer_8000x8000x20": (lambda t: t["network"]["layers"]["grid"]["l1"].update(params={"populations": {"exc": 20}}, nest_params={"rows": 8000, "columns": 8000}), "network/layers/grid/l1: the network needs at least"),
    "layer_8000x8000x10_parrots": (lambda t: (t["network"]["layers"]["grid"]["l1"].update(params={"populations": {"parrot_neuron": 10}}, nest_params={"rows": 8000, "columns": 8000}), at(t, PROJ[:-1]).clear()), "network/layers/grid/l1: the network needs at least"),
    "projection_too_many_connections": (lambda t: (t["network"]["layers"]["grid"]["l1"].update(nest_params={"rows": 1000, "columns": 1000}), t["network"]["projection_models"].update(everywhere={"nest_params": {"connection_type": "divergent", "synapse_model": "ampa"}}), at(t, PROJ[:-1]).append({"source_layers": ["l1"], "source_population": "exc", "target_layers": ["l1"], "target_population": "exc", "projection_model": "everywhere"})), "network/topology/params/projections/1: the network needs at least"),
    # messages
    "projection_unknown_synapse_model": (setting(["network", "projection_models", "proj", "nest_params", "synapse_model"], "ampaa"), "network/projection_models/proj/nest_params/synapse_model: 'ampaa': unknown synapse model (did you mean 'ampa'?)"),
    "session_time_huge": (setting(["session_models", "run", "params", "simulation_time"], 1e300), "session_models/run/params/simulation_time: is 1e+300 ms, longer than the longest session"),
    "template_typo_parameter": (lambda t: (t["network"]["neuron_models"].pop("exc"), t["network"]["neuron_models"].update(ht={"params": {"nest_model": "ht_neuron"}, "nest_params": {"g_KLL": 1.0}, "exc": None})), "network/neuron_models/ht/nest_params/g_KLL: unknown parameter 'g_KLL' for model exc (did you mean 'g_KL'?)"),
    "template_typo_model": (lambda t: (t["network"]["neuron_models"].pop("exc"), t["network"]["neuron_models"].update(ht={"params": {"nest_model": "ht_nueron"}, "exc": None})), "network/neuron_models/ht/params/nest_model: unknown model 'ht_nueron' (did you mean 'ht_neuron'?)"),
    "template_typo_layer": (lambda t: (t["session_models"].update(params={"unit_changes": [{"layers": ["l11"], "population_name": "exc", "nest_params": {"V_m": -60.0}}]})), "session_models/params/unit_changes/0/layers: unknown layer 'l11' (did you mean 'l1'?)"),
    "template_typo_population": (lambda t: t["session_models"].update(params={"unit_changes": [{"layers": ["l1"], "population_name": "exx", "nest_params": {"V_m": -60.0}}]}), "session_models/params/unit_changes/0/population_name: layer l1 has no population 'exx' (did you mean 'exc'?)"),
    "name_with_newline": (lambda t: t["network"]["layers"]["grid"].update({"l\n2": {"params": {"populations": {"exc": 1}}}}), "cannot be a name"),
    "name_huge": (setting(PROJ + ["source_layers"], ["x" * 5000]), "unknown layer 'xxxxxxxxxx"),
}

# Cases whose tree is not a valid YAML tree at all: written as text.
RAW = {
    "yaml_malformed": ("network:\n  layers: {l1: [unclosed\n", "tree.yml"),
    "yaml_tab_indentation": ("network:\n\tlayers: {}\n", "tree.yml"),
    "yaml_duplicate_key": ("kernel:\n  params: {}\nkernel:\n  nest_params: {}\n", "kernel"),
    "yaml_python_tag": ("simulation:\n  params:\n    sessions: !!python/tuple [a]\n", "sessions"),
    "yaml_root_scalar": ("just some text\n", "tree.yml"),
    "node_is_a_list": ("network:\n  layers:\n    l1: [1, 2]\n", "network/layers/l1"),
}


# Cases run with their own arguments ({dir}: the case's directory, {out}: a fresh output path),
# each with the files it needs: name -> (args, expected text, {relative path: tree or text}).
ARGS = {
    "set_without_data_key": ("{dir}/tree.yml -o {out} --set network/layers=5", "--set: 'network/layers' must name a node, then params or nest_params"),
    "set_bad_yaml": ("{dir}/tree.yml -o {out} --set kernel/nest_params/resolution=[0.1", "--set: 'kernel/nest_params/resolution=[0.1'"),
    "output_dir_is_a_file": ("{dir}/tree.yml -o {dir}/tree.yml", "tree.yml' exists and is not a directory"),
    "output_dir_dangling_link": ("{dir}/tree.yml -o {dir}/out_link", "out_link' is a symbolic link to 'nowhere/out', which does not exist"),
    "output_dir_name_too_long": ("{dir}/tree.yml -o {out}/" + "n" * 300, "File name too long (a name of 300 characters"),
    "output_dir_holds_the_tree": ("-q {dir}/experiment/parameter_tree.yml -o {dir}/experiment --force", "parameter_tree.yml, an input of this run, which writing the outputs there would replace"),
    "output_dir_holds_a_tree_paths_entry": ("-q {dir}/experiment/tree_paths.yml -o {dir}/experiment --force", "session_times.yml, an input of this run"),
}


def write_case(name, tree=None, text=None, expected=""):
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "input"))
    with open(os.path.join(d, "tree.yml"), "w") as f:
        f.write(text if text is not None else yaml.safe_dump(tree, sort_keys=False, default_flow_style=None))
    with open(os.path.join(d, "expected"), "w") as f:
        f.write(expected + "\n")
    np.save(os.path.join(d, "input", "rates_5x5x1.npy"), np.full((5, 5, 1), 10.0))
    taus = np.full((4, 4, 1), 16.0)
    taus[2, 3, 0] = -1.0
    np.save(os.path.join(d, "input", "taus_4x4x1.npy"), taus)
    with open(os.path.join(d, "input", "notes.txt"), "w") as f:
        f.write("not an array\n")
    # an array whose header claims 2^31 bytes of header; one shorter than its shape; a version-3
    # file with a structured dtype (what version 3 exists for)
    if name == "from_array_huge_header":
        with open(os.path.join(d, "input", "huge_header.npy"), "wb") as f:
            f.write(b"\x93NUMPY\x02\x00" + struct.pack("<I", 0x7FFFFFFF) + b"{'descr': '<f8', ")
    if name == "from_array_truncated":
        with open(os.path.join(d, "input", "truncated_4x4x1.npy"), "wb") as f:
            np.save(f, np.full((4, 4, 1), -60.0))
            f.truncate(128 + 8 * 5)
    if name == "from_array_version_3_structured":
        with open(os.path.join(d, "input", "structured_v3.npy"), "wb") as f:
            np.lib.format.write_array(f, np.zeros((4, 4, 1), dtype=[("\u00e9", "<f8")]), version=(3, 0))
    return d


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.join(here, "..", "small_tree"), exist_ok=True)
    with open(os.path.join(here, "..", "small_tree", "tree.yml"), "w") as f:
        f.write("# The valid tree every case in bad_trees/ breaks in one place.\n")
        f.write(yaml.safe_dump(BASE, sort_keys=False, default_flow_style=None))
    for name, (modify, expected) in CASES.items():
        tree = copy.deepcopy(BASE)
        modify(tree)
        write_case(name, tree=tree, expected=expected)
    for name, (text, expected) in RAW.items():
        write_case(name, text=text, expected=expected)
    # tree_paths problems
    d = write_case("tree_paths_missing_file", tree=BASE, expected="absent.yml")
    with open(os.path.join(d, "tree_paths.yml"), "w") as f:
        f.write("- ./tree.yml\n- ./absent.yml\n")
    d = write_case("tree_paths_cycle", tree=BASE, expected="tree_paths.yml")
    with open(os.path.join(d, "tree_paths.yml"), "w") as f:
        f.write("- ./tree.yml\n- ./tree_paths.yml\n")
    d = write_case("tree_paths_not_names", tree=BASE, expected="tree_paths.yml")
    with open(os.path.join(d, "tree_paths.yml"), "w") as f:
        f.write("- ./tree.yml\n- {file: x.yml}\n")
    # FIFOs cannot live in git: the test makes input/pipe.npy one
    with open(os.path.join(here, "from_array_fifo", "fifo"), "w") as f:
        f.write("input/pipe.npy\n")
    # cases with their own command line
    written = copy.deepcopy(BASE)
    written["kernel"]["nest_params"]["overwrite_files"] = True
    for name, (args, expected) in ARGS.items():
        d = write_case(name, tree=BASE, expected=expected)
        with open(os.path.join(d, "args"), "w") as f:
            f.write(args + "\n")
        if name == "output_dir_dangling_link":
            os.symlink("nowhere/out", os.path.join(d, "out_link"))
        if name.startswith("output_dir_holds"):
            os.makedirs(os.path.join(d, "experiment"))
        if name == "output_dir_holds_the_tree":  # deNEST's own output, rerun into its directory
            with open(os.path.join(d, "experiment", "parameter_tree.yml"), "w") as f:
                f.write(yaml.safe_dump(written, sort_keys=False, default_flow_style=None))
        if name == "output_dir_holds_a_tree_paths_entry":  # a tree file named like an output
            with open(os.path.join(d, "experiment", "session_times.yml"), "w") as f:
                f.write(yaml.safe_dump(written, sort_keys=False, default_flow_style=None))
            with open(os.path.join(d, "experiment", "tree_paths.yml"), "w") as f:
                f.write("- ./session_times.yml\n")


if __name__ == "__main__":
    main()
