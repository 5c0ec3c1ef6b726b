"""nestling.io: deNEST 1.0.1's loader API on nestling's output directories.

Outputs are made by running the CLI (<repo>/build/nestling) on the trees in tests/data/python/:
quickstart_tree.yml (deNEST's tutorial network) and recorders_tree.yml (a spike detector, a
multimeter with two variables and a weight recorder, switched between text and HDF5 output).
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]

import nestling.io  # noqa: E402
import nestling.io.load  # noqa: E402

NESTLING = REPO / "build" / "nestling"
TREES = REPO / "tests" / "data" / "python"
# HDF5 keeps full doubles; text files print 3 decimals, so recorded values differ by up to
# half a unit of the last printed digit.
TEXT_ROUNDING = 0.5e-3 + 1e-9


def run_nestling(tree, out, *settings):
    if not os.access(NESTLING, os.X_OK):
        pytest.skip(f"{NESTLING} is not built")
    command = [str(NESTLING), "run", str(tree), "-o", str(out), "--force", "-q"]
    for setting in settings:
        command += ["--set", setting]
    subprocess.run(command, check=True)
    return out


def recorders_run(tmp_path_factory, backend, *settings):
    out = tmp_path_factory.mktemp("recorders_" + backend.replace(", ", "_"))
    return run_nestling(TREES / "recorders_tree.yml", out, f"network/recorder_models/nest_params/record_to=[{backend}]",
                        *settings)


def metadata_of(out, label):
    return out / "data" / f"{label}.yml"


def text_rows(path):
    """A NEST text file's rows as lists of strings (each line ends with a tab)."""
    rows = []
    for line in path.read_text().splitlines():
        fields = line.split("\t")
        assert fields[-1] == "", "NEST text rows end with a tab"
        rows.append(fields[:-1])
    return rows


def denest_reading(metadata_path):
    """deNEST 1.0.1's reading of a recorder's text files (denest/io/load.py), spelled out."""
    meta = nestling.io.load_yaml(metadata_path)
    paths = [Path(metadata_path).parent / name for name in meta["filenames"]]
    if not paths:
        return pd.DataFrame()
    return pd.concat([pd.read_csv(p, names=meta["colnames"], sep="\t", index_col=False, header=None) for p in paths])


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    return run_nestling(TREES / "quickstart_tree.yml", tmp_path_factory.mktemp("quickstart"))


@pytest.fixture(scope="module")
def text_out(tmp_path_factory):
    return recorders_run(tmp_path_factory, "file")


@pytest.fixture(scope="module")
def hdf5_out(tmp_path_factory):
    return recorders_run(tmp_path_factory, "hdf5")


SPIKES = "spikes_cells_cell"
MULTIMETER = "vm_cells_cell"
WEIGHTS = "weights_drive-input-parrot_neuron-cells-cell"


# ---------------------------------------------------------------------------------------------
# Paths and small files


def test_metadata_paths_are_the_sorted_yml_files_of_data(text_out, tmp_path):
    paths = nestling.io.metadata_paths(text_out)
    assert paths == sorted((text_out / "data").glob("*.yml"))
    assert [p.name for p in paths] == sorted(f"{label}.yml" for label in
                                             [SPIKES, "spikes_input_parrot_neuron", MULTIMETER, WEIGHTS])
    assert all(isinstance(p, Path) for p in paths)
    # A directory without outputs has none, and is not created.
    assert nestling.io.metadata_paths(tmp_path / "missing") == []
    assert not (tmp_path / "missing").exists()


def test_load_session_times(quickstart, text_out):
    assert nestling.io.load_session_times(quickstart) == {
        "00_warmup": (0.0, 100.0),
        "01_3_spikes": (100.0, 200.0),
        "02_2_spikes": (200.0, 300.0),
        "03_3_spikes": (300.0, 400.0),
    }
    times = nestling.io.load_session_times(text_out)
    assert list(times) == ["00_drive", "01_rest", "02_drive"]
    assert all(isinstance(t, tuple) and all(isinstance(x, float) for x in t) for t in times.values())


def test_output_path_names_deNEST_locations(tmp_path):
    out = tmp_path / "run"
    assert nestling.io.output_path(out, "tree") == out / "parameter_tree.yml"
    assert nestling.io.output_path(out, "session_times") == out / "session_times.yml"
    assert nestling.io.output_path(out, "versions") == out / "versions.txt"
    # deNEST's metadata "filename" is the bare label; the saver adds .yml.
    assert nestling.io.output_path(out, "recorders_metadata", "my_label") == out / "data" / "my_label"
    assert (out / "data").is_dir(), "output_path creates the subdirectory, as deNEST's does"
    assert nestling.io.output_subdir(out, "raw_data", create_dir=False) == out / "data"
    with pytest.raises(KeyError):
        nestling.io.output_path(out, "no_such_keyword")


def test_load_yaml_joins_path_parts_and_reads_python_tuples(quickstart):
    meta = nestling.io.load_yaml(quickstart, "data", "my_spike_detector_input_layer_parrot_neuron.yml")
    assert meta["type"] == "spike_detector"
    assert meta["colnames"] == ["gid", "time"]
    assert meta["layer_shape"] == (5, 5)
    assert nestling.io.load_yaml(nestling.io.output_path(quickstart, "tree"))["kernel"]["nest_params"]["resolution"] == 0.5


def test_get_filepaths_resolves_next_to_the_metadata(quickstart):
    meta_path = metadata_of(quickstart, "my_multimeter_l1_l1_exc")
    assert nestling.io.get_filepaths(meta_path) == [quickstart / "data" / "my_multimeter_l1_l1_exc-203-0.dat"]


def test_load_as_df_concatenates_without_resetting_the_index(tmp_path):
    first, second = tmp_path / "a-0.gdf", tmp_path / "a-1.gdf"
    first.write_text("1\t0.500\t\n2\t1.000\t\n")
    second.write_text("3\t1.500\t\n")
    df = nestling.io.load_as_df(["gid", "time"], first, second)
    assert list(df.index) == [0, 1, 0]
    assert df["gid"].tolist() == [1, 2, 3] and df["time"].tolist() == [0.5, 1.0, 1.5]
    assert nestling.io.load_as_df(["gid", "time"]).empty


def test_module_is_also_the_package_level_function(quickstart):
    path = metadata_of(quickstart, "my_spike_detector_input_layer_parrot_neuron")
    # deNEST's spelling (denest.io.load.load) and the package-level call give the same frame.
    pd.testing.assert_frame_equal(nestling.io.load(path), nestling.io.load.load(path))
    from nestling.io.load import metadata_paths

    assert metadata_paths is nestling.io.metadata_paths


# ---------------------------------------------------------------------------------------------
# Text outputs: deNEST's DataFrames


def test_text_spike_detector(quickstart):
    path = metadata_of(quickstart, "my_spike_detector_input_layer_parrot_neuron")
    df = nestling.io.load(path)
    rows = text_rows(nestling.io.get_filepaths(path)[0])
    assert list(df.columns) == ["gid", "time"]
    assert df.dtypes.tolist() == [np.int64, np.float64]
    assert len(df) == len(rows) == 25 * 8  # 25 parrots, 3 + 2 + 3 recorded spikes
    assert df["gid"].tolist() == [int(r[0]) for r in rows]
    np.testing.assert_allclose(df["time"], [float(r[1]) for r in rows], rtol=1e-15, atol=0)
    assert isinstance(df.index, pd.RangeIndex)


def test_text_multimeter_has_a_column_per_variable(text_out):
    path = metadata_of(text_out, MULTIMETER)
    df = nestling.io.load(path)
    rows = text_rows(nestling.io.get_filepaths(path)[0])
    assert list(df.columns) == ["gid", "time", "V_m", "g_AMPA"]
    assert df.dtypes.tolist() == [np.int64, np.float64, np.float64, np.float64]
    assert len(df) == len(rows) > 0
    assert df["gid"].tolist() == [int(r[0]) for r in rows]
    np.testing.assert_allclose(df[["time", "V_m", "g_AMPA"]].to_numpy(), np.array(rows, dtype=float)[:, 1:],
                               rtol=1e-15, atol=0)


def test_text_weight_recorder_has_deNEST_integer_columns(text_out):
    path = metadata_of(text_out, WEIGHTS)
    df = nestling.io.load(path)
    rows = text_rows(nestling.io.get_filepaths(path)[0])
    # colnames: null -> integer labels; the trailing tab makes a last, all-NaN column.
    assert list(df.columns) == [0, 1, 2, 3, 4]
    assert df.dtypes.tolist() == [np.int64, np.int64, np.float64, np.float64, np.float64]
    assert len(df) == len(rows) > 0
    assert df[4].isna().all()
    assert df[0].tolist() == [int(r[0]) for r in rows] and df[1].tolist() == [int(r[1]) for r in rows]
    np.testing.assert_allclose(df[[2, 3]].to_numpy(), np.array(rows, dtype=float)[:, 2:], rtol=1e-15, atol=0)


@pytest.mark.parametrize("output", ["quickstart", "text_out"])
def test_text_load_is_deNEST_reading(output, request):
    out = request.getfixturevalue(output)
    for path in nestling.io.metadata_paths(out):
        pd.testing.assert_frame_equal(nestling.io.load(path), denest_reading(path), check_exact=True)


def test_quickstart_frames_match_deNEST_reference_output(quickstart):
    reference = REPO / "tests" / "data" / "denest_tutorial" / "output"
    if not reference.is_dir():
        pytest.skip("no deNEST reference output")
    ours = nestling.io.metadata_paths(quickstart)
    assert [p.name for p in ours] == [p.name for p in nestling.io.metadata_paths(reference)]
    for path in ours:
        mine, nest = nestling.io.load(path), nestling.io.load(reference / "data" / path.name)
        if nestling.io.load_yaml(path)["type"] == "weight_recorder":
            # NEST orders a step's weight events by connection storage, nestling by sender and
            # target; deNEST calls the order within a file unspecified.
            mine, nest = (df.sort_values([2, 0, 1], kind="stable").reset_index(drop=True) for df in (mine, nest))
        pd.testing.assert_frame_equal(mine, nest, check_exact=True)


# ---------------------------------------------------------------------------------------------
# HDF5 outputs: the same DataFrames as text


def test_hdf5_metadata_lists_no_text_files(hdf5_out):
    meta = nestling.io.load_yaml(metadata_of(hdf5_out, SPIKES))
    assert meta["filenames"] == [] and meta["hdf5_file"] == f"{SPIKES}.h5"
    # deNEST's reading (text files only) finds nothing; source="text" keeps that behaviour.
    assert nestling.io.load(metadata_of(hdf5_out, SPIKES), source="text").empty


@pytest.mark.parametrize("label", [SPIKES, "spikes_input_parrot_neuron", MULTIMETER, WEIGHTS])
def test_hdf5_loads_like_text(label, text_out, hdf5_out):
    text = nestling.io.load(metadata_of(text_out, label))
    hdf5 = nestling.io.load(metadata_of(hdf5_out, label))
    assert len(text) > 0
    # Same seed, same rows in the same order (both back-ends get the same record batches), so no
    # sort; only the printed decimals of the recorded values differ.
    pd.testing.assert_frame_equal(hdf5, text, check_exact=False, rtol=0, atol=TEXT_ROUNDING)
    # Ids and times are exact in both.
    for column in text.columns[:2]:
        assert (hdf5[column].to_numpy() == text[column].to_numpy()).all()


def test_hdf5_multimeter_skips_unrecorded_session(hdf5_out):
    df = nestling.io.load(metadata_of(hdf5_out, MULTIMETER))
    times = df["time"].to_numpy()
    # 01_rest (150, 200] ran with record: false: the report's NaN rows are not rows of the frame.
    assert not ((times > 150.0) & (times <= 200.0)).any()
    assert (times > 200.0).any() and not df.isna().any().any()


WEIGHT_SETTINGS = {
    "port_and_rport": ["withport=true", "withrport=true"],
    "no_target_no_time": ["withtargetgid=false", "withtime=false"],
}


@pytest.mark.parametrize("case", sorted(WEIGHT_SETTINGS))
def test_hdf5_weight_recorder_follows_the_column_settings(case, tmp_path_factory):
    settings = [f"network/recorder_models/weights/nest_params/{s}" for s in WEIGHT_SETTINGS[case]]
    text = nestling.io.load(metadata_of(recorders_run(tmp_path_factory, "file", *settings), WEIGHTS))
    hdf5 = nestling.io.load(metadata_of(recorders_run(tmp_path_factory, "hdf5", *settings), WEIGHTS))
    expected_columns = 7 if case == "port_and_rport" else 3  # fields plus the trailing NaN column
    assert list(text.columns) == list(range(expected_columns))
    pd.testing.assert_frame_equal(hdf5, text, check_exact=False, rtol=0, atol=TEXT_ROUNDING)


def test_both_back_ends_in_one_run(tmp_path_factory):
    out = recorders_run(tmp_path_factory, "file, hdf5")
    for path in nestling.io.metadata_paths(out):
        meta = nestling.io.load_yaml(path)
        assert meta["filenames"] and meta["hdf5_file"]
        text = nestling.io.load(path)  # text files first, as deNEST reads them
        pd.testing.assert_frame_equal(text, denest_reading(path), check_exact=True)
        pd.testing.assert_frame_equal(nestling.io.load(path, source="hdf5"), text,
                                      check_exact=False, rtol=0, atol=TEXT_ROUNDING)


def test_empty_recorders_load_alike(tmp_path_factory):
    # 1 ms of simulation: no spike, and no multimeter sample (the last min_delay is never collected).
    short = ["simulation/params/sessions=[drive]", "session_models/drive/params/simulation_time=1.0"]
    text_run = recorders_run(tmp_path_factory, "file", *short)
    hdf5_run = recorders_run(tmp_path_factory, "hdf5", *short)
    for label in (SPIKES, MULTIMETER):
        text = nestling.io.load(metadata_of(text_run, label))
        assert text.empty
        pd.testing.assert_frame_equal(nestling.io.load(metadata_of(hdf5_run, label)), text)
    # deNEST cannot read an empty file without column names (pandas' EmptyDataError); the HDF5
    # reader gives the empty frame with the text file's columns.
    with pytest.raises(pd.errors.EmptyDataError):
        nestling.io.load(metadata_of(text_run, WEIGHTS))
    weights = nestling.io.load(metadata_of(hdf5_run, WEIGHTS))
    assert weights.empty and list(weights.columns) == [0, 1, 2, 3, 4]


def test_load_rejects_a_missing_back_end(text_out):
    with pytest.raises(ValueError, match="no HDF5 file"):
        nestling.io.load(metadata_of(text_out, SPIKES), source="hdf5")
    with pytest.raises(ValueError, match="source"):
        nestling.io.load(metadata_of(text_out, SPIKES), source="csv")
