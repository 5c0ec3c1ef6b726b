"""Plots of an output directory: a spike raster and mean firing rates per population and session.

    import nestling.plot
    fig = nestling.plot.raster("output", path="raster.png")
    fig = nestling.plot.rates("output", kind="line")

Command line:

    python3 -m nestling.plot OUT -o raster.png [--rates rates.png] [--session NAME]

Spikes come from every spike detector of the directory (text or HDF5 outputs, through
``nestling.io.load``); a population is a (layer, population) pair, its size the number of gids in
the recorder's metadata. A spike at time t belongs to the session with start < t <= end (NEST
stamps a spike with the end of the step it occurred in).
"""

import argparse
import os
import sys
from pathlib import Path
from typing import NamedTuple

import matplotlib

# Without a display (a server, CI, ssh), draw off-screen; a backend the user chose stays.
if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    if "matplotlib.pyplot" not in sys.modules and "MPLBACKEND" not in os.environ:
        matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import io as nestling_io  # noqa: E402
from .io.load import _child, _leaf_data  # noqa: E402

__all__ = ["raster", "rates", "mean_rates", "main"]


class _Population(NamedTuple):
    layer: str
    population: str
    gids: np.ndarray  # recorded node ids, ascending
    spikes: pd.DataFrame  # columns gid, time

    @property
    def name(self):
        return f"{self.layer}/{self.population}"


class _Session(NamedTuple):
    name: str
    start: float
    end: float
    recorded: bool  # false for a `record: false` session: no spikes were collected


# --------------------------------------------------------------------------------------------
# Data


def _check_output_dir(output_dir):
    path = Path(output_dir)
    if not path.exists():
        raise FileNotFoundError(f"{output_dir}: no such directory")
    if not path.is_dir():
        raise NotADirectoryError(f"{output_dir}: not a directory")
    if not (path / "session_times.yml").is_file():
        raise ValueError(f"{output_dir}: not an output directory (no session_times.yml)")
    return path


def _sessions(output_dir):
    """The sessions in run order, with whether their recorders were on (from parameter_tree.yml)."""
    times = nestling_io.load_session_times(output_dir) or {}
    tree_path = Path(output_dir, "parameter_tree.yml")
    tree = nestling_io.load_yaml(tree_path) if tree_path.is_file() else {}
    session_models = _child(tree if isinstance(tree, dict) else {}, "session_models")
    sessions = []
    for name, (start, end) in times.items():
        model = name.split("_", 1)[1] if "_" in name else name  # "01_warmup" runs model "warmup"
        record = _leaf_data(session_models, model, "params").get("record", True)
        sessions.append(_Session(name, float(start), float(end), bool(record)))
    return sorted(sessions, key=lambda s: s.start)


def _select_session(sessions, session, output_dir):
    if session is None:
        return sessions
    chosen = [s for s in sessions if s.name == session]
    if not chosen:
        valid = ", ".join(s.name for s in sessions) or "none"
        raise ValueError(f"{output_dir}: no session {session!r}; sessions: {valid}")
    return chosen


def _spike_populations(output_dir):
    """Every spike detector's data, ordered by layer and population."""
    populations = []
    for path in nestling_io.metadata_paths(output_dir):
        metadata = nestling_io.load_yaml(path)
        if metadata.get("type") != "spike_detector":
            continue
        spikes = nestling_io.load(path)
        if spikes.empty:  # an empty text file loads with no usable dtypes
            spikes = pd.DataFrame({"gid": np.array([], dtype=np.int64), "time": np.array([], dtype=float)})
        gids = np.array(sorted(metadata.get("gids") or []), dtype=np.int64)
        populations.append(_Population(metadata["layer_name"], metadata["population_name"], gids, spikes))
    if not populations:
        raise ValueError(f"{output_dir}: no spike detector outputs in data/")
    return sorted(populations, key=lambda p: (p.layer, p.population))


def mean_rates(output_dir):
    """Mean firing rate of every recorded population in every session.

    Returns:
        pandas.DataFrame with columns session, layer, population, nodes, spikes, rate_hz
        (spikes / nodes / session duration in s), one row per session and population, in run
        order then population order. ``rate_hz`` is NaN for a session run with ``record: false``.
    """
    output_dir = _check_output_dir(output_dir)
    sessions = _sessions(output_dir)
    populations = _spike_populations(output_dir)
    rows = []
    for s in sessions:
        for p in populations:
            times = p.spikes["time"].to_numpy(dtype=float)
            count = int(np.count_nonzero((times > s.start) & (times <= s.end)))
            seconds = (s.end - s.start) / 1000.0
            rate = count / (p.gids.size * seconds) if s.recorded and p.gids.size and seconds > 0 else np.nan
            rows.append((s.name, p.layer, p.population, int(p.gids.size), count, rate))
    return pd.DataFrame(rows, columns=["session", "layer", "population", "nodes", "spikes", "rate_hz"])


# --------------------------------------------------------------------------------------------
# Figures


def _colours():
    return plt.rcParams["axes.prop_cycle"].by_key()["color"]


def _finish(fig, path, dpi):
    if path is not None:
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return fig


def _mark_sessions(ax, sessions):
    """Session boundaries as dashed lines, names above the plot, unrecorded sessions greyed."""
    label_at = ax.get_xaxis_transform()  # x in data units, y in axes units
    for s in sessions:
        if not s.recorded:
            ax.axvspan(s.start, s.end, color="0.9", zorder=0, lw=0)
        ax.text((s.start + s.end) / 2, 1.01, s.name + ("" if s.recorded else " (not recorded)"),
                transform=label_at, ha="center", va="bottom", fontsize="small", clip_on=False)
    bounds = sorted({s.start for s in sessions} | {s.end for s in sessions})
    for x in bounds:
        ax.axvline(x, color="0.4", ls="--", lw=0.8, zorder=1)


def raster(output_dir, *, session=None, path=None, ax=None, marker_size=None, dpi=150):
    """Spike raster of an output directory: one horizontal band per layer/population.

    Args:
        output_dir: the run's output directory.
        session: a session name (e.g. ``"01_3_spikes"``) to show only its time window.
        path: if given, the figure is also saved there (format from the suffix).
        ax: a matplotlib Axes to draw into; by default a new figure is made.
        marker_size: area of a spike mark in points² (matplotlib's scatter ``s``); by default
            about one unit's row tall.
        dpi: resolution of the saved file.

    Returns:
        matplotlib.figure.Figure
    """
    output_dir = _check_output_dir(output_dir)
    sessions = _select_session(_sessions(output_dir), session, output_dir)
    populations = _spike_populations(output_dir)
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, max(3.0, 1.5 + 0.8 * len(populations))))
    fig = ax.figure
    start = min(s.start for s in sessions) if sessions else 0.0
    end = max(s.end for s in sessions) if sessions else None
    colours = _colours()
    total_rows = sum(max(int(p.gids.size), 1) for p in populations)
    if marker_size is None:
        # Marks about one unit's row tall (the "|" marker's size is its height squared, in pt).
        row_pt = ax.get_position().height * fig.get_figheight() * 72 / total_rows
        marker_size = float(np.clip(row_pt, 1.0, 8.0)) ** 2
    offset, ticks = 0, []
    for i, p in enumerate(populations):
        times = p.spikes["time"].to_numpy(dtype=float)
        keep = (times > start) & (times <= end) if end is not None else np.ones(times.size, bool)
        # A unit's row in its band: its rank among the population's recorded gids.
        rows = np.searchsorted(p.gids, p.spikes["gid"].to_numpy()[keep])
        colour = colours[i % len(colours)]
        ax.scatter(times[keep], offset + rows, s=marker_size, marker="|", color=colour, linewidths=0.8, rasterized=True)
        if i % 2:
            ax.axhspan(offset - 0.5, offset + p.gids.size - 0.5, color=colour, alpha=0.06, lw=0, zorder=0)
        ticks.append((offset + (p.gids.size - 1) / 2, p.name))
        offset += max(int(p.gids.size), 1)
    ax.set_yticks([t for t, _ in ticks], [name for _, name in ticks])
    ax.set_ylim(offset - 0.5, -0.5)  # first population on top
    if end is not None:
        ax.set_xlim(start, end)
    _mark_sessions(ax, sessions)
    ax.set_xlabel("time (ms)")
    ax.set_title(f"{Path(output_dir).name}: spikes" + (f", session {session}" if session else ""), pad=18)
    return _finish(fig, path, dpi)


def rates(output_dir, *, kind="bar", session=None, path=None, ax=None, dpi=150):
    """Mean firing rate per population and session (see ``mean_rates``).

    Args:
        output_dir: the run's output directory.
        kind: ``"bar"`` (groups of bars per session) or ``"line"`` (one line per population
            across sessions).
        session: a session name to show only that session.
        path: if given, the figure is also saved there.
        ax: a matplotlib Axes to draw into; by default a new figure is made.
        dpi: resolution of the saved file.

    Returns:
        matplotlib.figure.Figure
    """
    if kind not in ("bar", "line"):
        raise ValueError(f"kind must be 'bar' or 'line', got {kind!r}")
    output_dir = _check_output_dir(output_dir)
    sessions = [s.name for s in _select_session(_sessions(output_dir), session, output_dir)]
    table = mean_rates(output_dir)
    table = table[table["session"].isin(sessions)]
    table = table.assign(name=table["layer"] + "/" + table["population"])
    by_population = table.pivot(index="session", columns="name", values="rate_hz").reindex(sessions)
    names = list(dict.fromkeys(table["name"]))  # population order
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(6.0, 1.5 + 1.2 * len(sessions) * max(1, len(names)) ** 0.5), 4.5))
    fig = ax.figure
    x = np.arange(len(sessions))
    colours = _colours()
    if kind == "bar":
        width = 0.8 / max(len(names), 1)
        for i, name in enumerate(names):
            ax.bar(x - 0.4 + width * (i + 0.5), by_population[name].fillna(0).to_numpy(), width,
                   label=name, color=colours[i % len(colours)])
    else:
        for i, name in enumerate(names):
            ax.plot(x, by_population[name].to_numpy(), marker="o", label=name, color=colours[i % len(colours)])
    unrecorded = by_population.isna().all(axis=1).to_numpy()
    ax.set_xticks(x, [s + ("\n(not recorded)" if off else "") for s, off in zip(sessions, unrecorded)])
    ax.set_ylabel("mean rate (Hz)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{Path(output_dir).name}: mean firing rate per session")
    ax.legend(fontsize="small", frameon=False)
    return _finish(fig, path, dpi)


# --------------------------------------------------------------------------------------------
# Command line


def _parser():
    p = argparse.ArgumentParser(
        prog="python3 -m nestling.plot",
        description="Plot the spikes of a nestling (or deNEST) output directory.",
    )
    p.add_argument("output_dir", metavar="OUT", help="the run's output directory")
    p.add_argument("-o", "--output", metavar="FILE", help="write the spike raster to FILE (e.g. raster.png)")
    p.add_argument("--rates", metavar="FILE", help="write the mean rate per population and session to FILE")
    p.add_argument("--kind", choices=("bar", "line"), default="bar", help="rates plot style (default: bar)")
    p.add_argument("--session", metavar="NAME", help="only this session (e.g. 01_3_spikes)")
    p.add_argument("--dpi", type=int, default=150, help="resolution of the written files (default: 150)")
    return p


def main(argv=None):
    """Run the command line; returns the exit status (0 done, 2 bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.output is None and args.rates is None:
        parser.error("nothing to write: give -o FILE and/or --rates FILE")
    try:
        if args.output is not None:
            plt.close(raster(args.output_dir, session=args.session, path=args.output, dpi=args.dpi))
        if args.rates is not None:
            plt.close(rates(args.output_dir, kind=args.kind, session=args.session, path=args.rates, dpi=args.dpi))
    except OSError as e:
        # Our own messages carry the path; the system's (a file that cannot be written) get one.
        message = f"{e.filename}: {e.strerror}" if e.filename and e.strerror else str(e)
        print(f"nestling.plot: {message}", file=sys.stderr)
        return 2
    except (ValueError, KeyError) as e:
        print(f"nestling.plot: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
