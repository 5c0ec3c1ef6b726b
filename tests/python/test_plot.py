"""nestling.plot: raster and rate figures of an output directory, and its command line."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # tests draw off-screen whatever the display

import matplotlib.pyplot as plt  # noqa: E402

import nestling.io  # noqa: E402
import nestling.plot  # noqa: E402

NESTLING = REPO / "build" / "nestling"
TREES = REPO / "tests" / "data" / "python"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_nestling(tree, out, *extra):
    if not os.access(NESTLING, os.X_OK):
        pytest.skip(f"{NESTLING} is not built")
    subprocess.run([str(NESTLING), "run", str(tree), "-o", str(out), "--force", "-q", *extra], check=True)
    return out


def assert_png(path):
    data = Path(path).read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 5000


def plot_cli(*args):
    env = dict(os.environ,
               MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "nestling.plot", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    return run_nestling(TREES / "quickstart_tree.yml", tmp_path_factory.mktemp("quickstart"))


@pytest.fixture(scope="module")
def recorders(tmp_path_factory):
    """Two spiking populations, text and HDF5 outputs, and nestling's own rate report (--stats)."""
    out = tmp_path_factory.mktemp("recorders")
    stats = out.parent / "recorders_stats.yml"
    run_nestling(TREES / "recorders_tree.yml", out, "--stats", str(stats))
    return out, yaml.safe_load(stats.read_text())


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_raster_of_quickstart(quickstart, tmp_path):
    png = tmp_path / "raster.png"
    fig = nestling.plot.raster(quickstart, path=png)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert_png(png)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["input_layer/parrot_neuron"]
    # Every recorded spike is drawn: 25 parrots, 3 + 2 + 3 spikes each.
    spikes = sum(len(c.get_offsets()) for c in ax.collections)
    assert spikes == 200
    # The session boundaries are marked, the unrecorded warm-up named as such.
    boundaries = {line.get_xdata()[0] for line in ax.lines}
    assert boundaries == {0.0, 100.0, 200.0, 300.0, 400.0}
    assert "00_warmup (not recorded)" in [t.get_text() for t in ax.texts]


def test_raster_bands_per_population_and_session_window(recorders):
    out, _ = recorders
    fig = nestling.plot.raster(out, session="02_drive")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cells/cell", "input/parrot_neuron"]
    assert ax.get_xlim() == (200.0, 350.0)
    points = np.concatenate([c.get_offsets() for c in ax.collections])
    assert ((points[:, 0] > 200.0) & (points[:, 0] <= 350.0)).all()
    # cells has 72 units (rows 0-71), the 36 parrots follow (rows 72-107).
    assert points[:, 1].min() >= 0 and points[:, 1].max() <= 107


def test_rates_of_quickstart(quickstart, tmp_path):
    png = tmp_path / "rates.png"
    fig = nestling.plot.rates(quickstart, path=png)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert_png(png)
    heights = [bar.get_height() for bar in fig.axes[0].patches]
    # 3, 2 and 3 spikes per parrot in 100 ms; the warm-up was not recorded (drawn as 0).
    np.testing.assert_allclose(heights, [0.0, 30.0, 20.0, 30.0])
    line_png = tmp_path / "rates_line.png"
    nestling.plot.rates(quickstart, kind="line", path=line_png)
    assert_png(line_png)


def test_mean_rates_match_nestling_run_report(recorders):
    out, stats = recorders
    table = nestling.plot.mean_rates(out)
    assert list(table.columns) == ["session", "layer", "population", "nodes", "spikes", "rate_hz"]
    for row in table.itertuples():
        reported = stats["activity"][row.session][f"{row.layer}/{row.population}"]
        assert row.nodes == reported["nodes"]
        if row.session == "01_rest":  # record: false: nothing recorded, no rate
            assert row.spikes == 0 and np.isnan(row.rate_hz)
        else:
            assert row.spikes == reported["spikes"]
            assert row.rate_hz == pytest.approx(reported["rate_hz"], rel=1e-12)


def test_rates_from_hdf5_output_equal_text(tmp_path):
    text = run_nestling(TREES / "recorders_tree.yml", tmp_path / "text",
                        "--set", "network/recorder_models/nest_params/record_to=[file]")
    hdf5 = run_nestling(TREES / "recorders_tree.yml", tmp_path / "hdf5",
                        "--set", "network/recorder_models/nest_params/record_to=[hdf5]")
    assert not list((hdf5 / "data").glob("*.gdf"))
    assert nestling.plot.mean_rates(hdf5).equals(nestling.plot.mean_rates(text))


def test_unknown_session_is_refused(quickstart):
    with pytest.raises(ValueError, match="no session 'nope'"):
        nestling.plot.raster(quickstart, session="nope")


def test_cli_writes_both_figures(quickstart, tmp_path):
    raster_png, rates_png = tmp_path / "raster.png", tmp_path / "rates.png"
    result = plot_cli(quickstart, "-o", raster_png, "--rates", rates_png, "--session", "01_3_spikes")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert_png(raster_png)
    assert_png(rates_png)


@pytest.mark.parametrize("case", ["missing", "not_output_dir", "file", "unknown_session"])
def test_cli_bad_output_dir_is_one_line_and_status_2(case, quickstart, tmp_path):
    target = {
        "missing": tmp_path / "no_such_dir",
        "not_output_dir": tmp_path,
        "file": quickstart / "versions.txt",
        "unknown_session": quickstart,
    }[case]
    extra = ["--session", "99_nope"] if case == "unknown_session" else []
    result = plot_cli(target, "-o", tmp_path / "raster.png", *extra)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nestling.plot: ") and str(target) in lines[0]
    assert not (tmp_path / "raster.png").exists()
