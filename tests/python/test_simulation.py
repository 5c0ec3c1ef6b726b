"""nestling.Simulation against the command line: the same tree gives the same outputs, gids,
locations and connections; sessions run one at a time; Ctrl-C and bad trees behave."""
import filecmp
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import yaml

import nestling

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(ROOT, "build", "nestling")
QUICKSTART = os.path.join(ROOT, "examples", "quickstart", "tree_paths.yml")
BENCHMARK = os.path.join(ROOT, "benchmarks", "thalamocortical", "tree_paths.yml")

needs_cli = pytest.mark.skipif(not os.access(CLI, os.X_OK), reason="build/nestling is not built")


class _TupleLoader(yaml.SafeLoader):
    pass


_TupleLoader.add_constructor("tag:yaml.org,2002:python/tuple", lambda l, n: tuple(l.construct_sequence(n)))


def read_yaml(path):
    with open(path) as f:
        return yaml.load(f, Loader=_TupleLoader)


def same_tree(a, b):
    """Every file of two output directories, byte for byte."""
    cmp = filecmp.dircmp(a, b)
    assert not cmp.left_only and not cmp.right_only, (cmp.left_only, cmp.right_only)
    for name in cmp.common_files:
        assert filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False), name
    for sub in cmp.common_dirs:
        same_tree(os.path.join(a, sub), os.path.join(b, sub))


@needs_cli
def test_run_writes_what_the_cli_writes(tmp_path):
    out = tmp_path / "out"
    subprocess.run([CLI, "run", "-q", QUICKSTART, "-o", str(out)], check=True)
    shutil.move(str(out), str(tmp_path / "cli"))
    sim = nestling.Simulation(nestling.load_trees(QUICKSTART), output_dir=str(out), progress=False)
    sim.run()
    same_tree(str(tmp_path / "cli"), str(out))
    assert sim.time == 400.0
    assert [s.name for s in sim.sessions] == ["00_warmup", "01_3_spikes", "02_2_spikes", "03_3_spikes"]


@needs_cli
def test_gids_and_locations_match_the_recorder_metadata(tmp_path):
    subprocess.run([CLI, "run", "-q", QUICKSTART, "-o", str(tmp_path / "cli")], check=True)
    sim = nestling.Simulation(nestling.load_trees(QUICKSTART), output_dir=str(tmp_path / "py"), progress=False)
    meta = read_yaml(tmp_path / "cli" / "data" / "my_multimeter_l1_l1_exc.yml")
    layer = sim.network.layers["l1"]
    assert layer.gids(population="l1_exc") == meta["gids"]
    locations = layer.population_locations
    assert {gid: locations[gid] for gid in meta["gids"]} == meta["locations"]
    # One location: every unit of every population there, in id order; one unit by population_location.
    row, col, unit = meta["locations"][meta["gids"][7]]
    at = layer.gids(location=(row, col))
    assert meta["gids"][7] in at and at == sorted(at)
    assert all(layer.locations[g] == (row, col) for g in at)
    assert layer.gids(population_location=(row, col, unit), population="l1_exc") == [meta["gids"][7]]
    rows, cols = layer.shape
    assert len(layer.gids()) == len(layer) == rows * cols * sum(layer.populations.values())
    # Filters nothing matches select nothing, as in deNEST.
    assert layer.gids(population="l1_ex") == [] and layer.gids(location=(rows, 0)) == []
    assert sim.network.layers["input_layer"].gids(population="l1_exc") == []


@needs_cli
def test_connections_equal_the_cli_dump(tmp_path):
    csv = tmp_path / "connections.csv"
    subprocess.run([CLI, "validate", QUICKSTART, "--connections", str(csv)], check=True, stdout=subprocess.DEVNULL)
    cli = pd.read_csv(csv)
    sim = nestling.Simulation(nestling.load_trees(QUICKSTART), output_dir=str(tmp_path / "py"), progress=False)
    py = sim.network.get_connections()
    assert len(py) == len(cli) == 6525
    for column in ["source", "target", "weight", "delay", "receptor"]:
        np.testing.assert_array_equal(py[column].to_numpy(), cli[column].to_numpy(), err_msg=column)
    assert list(py["synapse_model"].astype(str)) == list(cli["synapse_model"])
    # Filters: one source, a synapse model.
    source = int(py["source"].iloc[100])
    assert (sim.network.get_connections(source=source)["source"] == source).all()
    assert len(sim.network.get_connections(source=source)) == (py["source"] == source).sum()
    ampa = sim.network.get_connections(synapse_model="my_AMPA_synapse")
    assert len(ampa) == (py["synapse_model"] == "my_AMPA_synapse").sum() > 0


def test_sessions_one_at_a_time_with_status_changes(tmp_path):
    sim = nestling.Simulation(nestling.load_trees(QUICKSTART), output_dir=str(tmp_path / "out"), progress=False)
    exc = sim.network.layers["l1"].gids(population="l1_exc")
    g_kl = sim.network.get_status(exc[:3], "g_KL")
    assert isinstance(g_kl, np.ndarray) and g_kl.shape == (3,)
    assert sim.run_next_session()
    assert sim.time == 100.0
    sim.network.set_status(exc, {"g_KL": 2.0 * g_kl[0]})
    np.testing.assert_array_equal(sim.network.get_status(exc[:3], "g_KL"), 2.0 * g_kl)
    with pytest.raises(RuntimeError, match="the next session is 01_3_spikes"):
        sim.sessions[2].run()
    assert sim.sessions[1].run()
    assert not os.path.exists(tmp_path / "out")  # outputs move into place when the run ends
    sim.finish()
    times = read_yaml(tmp_path / "out" / "session_times.yml")
    assert times == {"00_warmup": (0.0, 100.0), "01_3_spikes": (100.0, 200.0)}
    assert not sim.run_next_session()


def test_bad_tree_names_file_and_tree_path(tmp_path):
    tree = tmp_path / "bad.yml"
    text = open(os.path.join(ROOT, "tests", "data", "python", "quickstart_tree.yml")).read()
    assert "rows: 5" in text
    tree.write_text(text.replace("rows: 5", "rows: -5", 1))
    with pytest.raises(nestling.NestlingError) as e:
        nestling.Simulation(nestling.load_trees(str(tree)), output_dir=str(tmp_path / "out"), progress=False)
    message = str(e.value)
    # rows is defined once for every layer, on their parent node
    assert message.startswith(str(tree) + ": network/layers/layers/nest_params/rows: must be a positive integer, "
                              "got -5"), message
    assert not os.path.exists(tmp_path / "out")


def test_copies_under_mpirun_are_refused_before_touching_the_output(tmp_path, monkeypatch):
    # Each copy would run the whole network into the same directory.
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    with pytest.raises(nestling.NestlingError, match=r"one of 4 started by an MPI launcher.*mpirun -np 4 nestling run"):
        nestling.Simulation(nestling.load_trees(QUICKSTART), output_dir=str(tmp_path / "out"), progress=False)
    assert not os.path.exists(tmp_path / "out")


def test_python_m_nestling_reports_bad_input_in_one_line(tmp_path):
    missing = subprocess.run([sys.executable, "-m", "nestling", str(tmp_path / "nope.yml")], capture_output=True,
                             text=True, env=_env())
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "nope.yml" in missing.stderr


def _env():
    env = dict(os.environ)
    package = os.path.dirname(os.path.dirname(nestling.__file__))
    env["PYTHONPATH"] = package + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_ctrl_c_stops_cleanly_and_keeps_what_ran(tmp_path):
    # SIGINT to ourselves while the engine simulates (the GIL released): the run stops at a slice
    # boundary, the outputs of what ran are in place, then KeyboardInterrupt is raised.
    script = textwrap.dedent(f"""
        import os, signal, sys, threading, nestling
        sim = nestling.Simulation(nestling.load_trees({BENCHMARK!r}), output_dir={str(tmp_path / 'out')!r},
                                  threads=1, progress=False)
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            sim.run()
        except KeyboardInterrupt:
            print("interrupted at", sim.time)
            sys.exit(0)
        sys.exit("the run was not interrupted")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    stopped_at = float(done.stdout.split()[-1])
    times = read_yaml(tmp_path / "out" / "session_times.yml")
    assert 0 < stopped_at < 2000.0
    assert max(end for _, end in times.values()) == stopped_at
    spikes = [f for f in os.listdir(tmp_path / "out" / "data") if f.endswith(".gdf")]
    assert spikes
    for f in spikes:  # complete lines only, none after the stop
        with open(tmp_path / "out" / "data" / f) as lines:
            for line in lines:
                assert line.endswith("\t\n") and float(line.split("\t")[1]) <= stopped_at


def test_run_function_and_overrides(tmp_path):
    sim = nestling.run(QUICKSTART, {"session_models": {"params": {"simulation_time": 50.0}}},
                       output_dir=str(tmp_path / "out"), progress=False)
    assert sim.total_time() == 200.0
    assert read_yaml(tmp_path / "out" / "session_times.yml")["03_3_spikes"] == (150.0, 200.0)
