"""Reading an output directory: the API of deNEST 1.0.1's ``denest.io.load``.

An output directory (nestling's or deNEST's) holds ``session_times.yml``, ``parameter_tree.yml``
and, in ``data/``, one metadata file ``<label>.yml`` per recorder next to the recorder's data.
``load(metadata_path)`` turns one recorder's data into a ``pandas.DataFrame``:

* text files (``record_to: [file]``) are read exactly as deNEST reads them, so the DataFrame has
  deNEST's columns, dtypes, index and row order;
* an HDF5 file (``record_to: [hdf5]``, named by the metadata key ``hdf5_file``) is read into the
  DataFrame the text files of the same recorder would have given.

This module is also callable: ``nestling.io.load(path)`` is ``nestling.io.load.load(path)``, so
both deNEST's spelling (``import denest.io.load; denest.io.load.load(path)``) and the shorter
package-level one work.
"""

import io
import logging
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = [
    "load",
    "load_as_df",
    "get_filepaths",
    "metadata_paths",
    "load_session_times",
    "load_yaml",
    "output_path",
    "output_subdir",
    "output_filename",
]

log = logging.getLogger(__name__)

# Output locations, relative to the output directory, by the keywords deNEST uses.
_SUBDIRS = {
    "tree": (),
    "versions": (),
    "session_times": (),
    "raw_data": ("data",),
    "recorders_metadata": ("data",),
    "projection_recorders_metadata": ("data",),
}
_FILENAMES = {
    "tree": lambda: "parameter_tree.yml",
    "versions": lambda: "versions.txt",
    "session_times": lambda: "session_times.yml",
    "session_metadata": lambda: "session_metadata.yml",
    # deNEST saves metadata through Path.with_suffix(".yml"): the bare label is the "filename".
    "recorders_metadata": lambda label: label,
}

# nestling's kernel counts time in tics of 1/1000 ms (tics_per_ms is read-only), so every
# recorded time is a whole number of tics; HDF5 times are snapped to that grid to remove the
# rounding of the tic -> ms conversion.
_TICS_PER_MS = 1000.0

# NEST 2.20's recorder defaults for the settings that change the text columns.
_RECORDER_DEFAULTS = {
    "withgid": True,
    "withtime": True,
    "time_in_steps": False,
    "withport": False,
    "withrport": False,
}
_WEIGHT_RECORDER_DEFAULTS = dict(_RECORDER_DEFAULTS, withtargetgid=True, withweight=True)


# --------------------------------------------------------------------------------------------
# Paths


def output_subdir(output_dir, data_keyword, create_dir=True):
    """Return the directory of ``output_dir`` holding outputs of kind ``data_keyword``.

    Keywords: ``tree``, ``versions``, ``session_times`` (the output directory itself) and
    ``raw_data``, ``recorders_metadata``, ``projection_recorders_metadata`` (``data/``).
    The directory is created unless ``create_dir`` is false (as deNEST does).
    """
    if data_keyword not in _SUBDIRS:
        raise KeyError(f"unknown output keyword {data_keyword!r}; valid: {', '.join(_SUBDIRS)}")
    path = Path(output_dir, *_SUBDIRS[data_keyword])
    if create_dir:
        path.mkdir(parents=True, exist_ok=True)
    return path


def output_filename(data_keyword, *args, **kwargs):
    """Return the file name of outputs of kind ``data_keyword``.

    ``recorders_metadata`` takes the recorder label and returns it unchanged (no ``.yml``).
    """
    if data_keyword not in _FILENAMES:
        raise KeyError(f"no file name for output keyword {data_keyword!r}; valid: {', '.join(_FILENAMES)}")
    return _FILENAMES[data_keyword](*args, **kwargs)


def output_path(output_dir, data_keyword, *args, **kwargs):
    """Return the path of an output: ``output_subdir(...) / output_filename(...)``.

    As in deNEST, the subdirectory is created if missing. Example:
    ``output_path(out, "tree")`` is ``out/parameter_tree.yml``.
    """
    return Path(output_subdir(output_dir, data_keyword), output_filename(data_keyword, *args, **kwargs))


def load_yaml(*args):
    """Load the YAML file at ``Path(*args)``.

    The full loader is needed: deNEST's outputs carry ``!!python/tuple`` tags.
    """
    with Path(*args).open("rt") as f:
        return yaml.load(f, Loader=yaml.FullLoader)


def load_session_times(output_dir):
    """Return ``{session_name: (start_ms, end_ms)}`` from ``output_dir/session_times.yml``."""
    # Unlike deNEST (via output_path), a missing output directory is not created here.
    path = Path(output_subdir(output_dir, "session_times", create_dir=False), output_filename("session_times"))
    return load_yaml(path)


def metadata_paths(output_dir):
    """Return the sorted list of recorder metadata files, ``output_dir/data/*.yml``."""
    return sorted(output_subdir(output_dir, "recorders_metadata", create_dir=False).glob("*.yml"))


def get_filepaths(metadata_path):
    """Return the paths of a recorder's text data files, resolved next to its metadata file."""
    metadata_path = Path(metadata_path)
    metadata = load_yaml(metadata_path)
    if "filenames" not in metadata:
        raise ValueError(f"{metadata_path}: recorder metadata without 'filenames'")
    return [metadata_path.parent / name for name in metadata["filenames"]]


# --------------------------------------------------------------------------------------------
# Loading


def load_as_df(colnames, *paths, sep="\t", index_col=False, header=None, **kwargs):
    """Read tab-separated files without header into one DataFrame.

    Args:
        colnames: column names, or None for integer column labels.
        *paths: files (or buffers) to read, concatenated in this order; the index is not reset.
        sep, index_col, header, **kwargs: passed to ``pandas.read_csv``. ``index_col=False``
            absorbs the tab NEST writes after the last field.

    Returns:
        pandas.DataFrame; an empty one (no columns) when no path is given.
    """
    if not paths:
        return pd.DataFrame()
    frames = [pd.read_csv(p, names=colnames, sep=sep, index_col=index_col, header=header, **kwargs) for p in paths]
    return pd.concat(frames)


def load(metadata_path, *, source=None):
    """Load one recorder's data as a DataFrame, from its metadata file ``data/<label>.yml``.

    Args:
        metadata_path: path of the metadata file; data files are looked up in its directory.
        source: ``"text"`` reads the text files listed under ``filenames`` exactly as deNEST
            does; ``"hdf5"`` reads the file named by ``hdf5_file``; None (default) reads the text
            files if any are listed, else the HDF5 file, else returns an empty DataFrame.

    Returns:
        pandas.DataFrame. Spike detectors: columns ``gid``, ``time``; multimeters: ``gid``,
        ``time`` and one column per ``record_from`` variable; weight recorders (``colnames:
        null``): integer column labels, in the order of the text file, with a last all-NaN column
        (the text files' trailing tab), e.g. sender, target, time, weight, NaN.
    """
    if source not in (None, "text", "hdf5"):
        raise ValueError(f"source must be None, 'text' or 'hdf5', got {source!r}")
    metadata_path = Path(metadata_path)
    log.info("Loading recorder data described by %s", metadata_path)
    metadata = load_yaml(metadata_path)
    h5_name = metadata.get("hdf5_file")
    if source == "hdf5" or (source is None and not metadata.get("filenames") and h5_name):
        if not h5_name:
            raise ValueError(f"{metadata_path}: this recorder wrote no HDF5 file (no 'hdf5_file' key)")
        # A run on several MPI processes wrote one file per process, all listed under hdf5_files.
        names = metadata.get("hdf5_files") or [h5_name]
        frames = [_load_hdf5(metadata_path, metadata, metadata_path.parent / name) for name in names]
        return frames[0] if len(frames) == 1 else pd.concat(frames)
    return load_as_df(metadata["colnames"], *get_filepaths(metadata_path))


# --------------------------------------------------------------------------------------------
# HDF5


def _load_hdf5(metadata_path, metadata, h5_path):
    import h5py  # needed only for HDF5 outputs

    settings = _recorder_settings(metadata_path, metadata)
    kind = metadata["type"]
    with h5py.File(h5_path, "r") as f:
        if kind == "spike_detector":
            return _spikes_frame(_recorder_group(f, "spikes", metadata, h5_path), metadata, settings)
        if kind == "multimeter":
            return _samples_frame(_recorder_group(f, "report", metadata, h5_path), metadata, settings)
        if kind == "weight_recorder":
            return _weights_frame(_recorder_group(f, "weights", metadata, h5_path), metadata, settings)
    raise ValueError(f"{metadata_path}: unknown recorder type {kind!r}")


def _recorder_group(h5_file, top, metadata, h5_path):
    """The group ``/<top>/<label>`` (or the only group under ``/<top>``)."""
    if top not in h5_file:
        raise ValueError(f"{h5_path}: no /{top} group for a {metadata['type']}")
    groups = h5_file[top]
    label = metadata.get("label")
    if label in groups:
        return groups[label]
    if len(groups) == 1:
        return next(iter(groups.values()))
    raise ValueError(f"{h5_path}: no group /{top}/{label}")


def _times(ms, settings):
    """Recorded times as the text file has them: ms on the tic grid, or integer steps."""
    ms = np.rint(np.asarray(ms, dtype=np.float64) * _TICS_PER_MS) / _TICS_PER_MS
    if settings["time_in_steps"]:
        return np.rint(ms / settings["resolution"]).astype(np.int64)
    return ms


def _empty_frame(colnames):
    """What deNEST's loader gives for an empty text file with these column names."""
    return load_as_df(list(colnames), io.StringIO(""))


def _spikes_frame(group, metadata, settings):
    colnames = metadata["colnames"]
    gids = group["node_ids"][:].astype(np.int64)
    if gids.size == 0:
        return _empty_frame(colnames)
    return pd.DataFrame({colnames[0]: gids, colnames[1]: _times(group["timestamps"][:], settings)})


def _samples_frame(group, metadata, settings):
    """A multimeter report (one row per time, one column per node and variable) in text rows."""
    colnames = metadata["colnames"]
    if "data" not in group or group["data"].shape[0] == 0:
        return _empty_frame(colnames)
    data = group["data"][:]
    node_ids = group["mapping/node_ids"][:].astype(np.int64)
    start, _stop, step = group["mapping/time"][:]
    variables = [v.decode() if isinstance(v, bytes) else str(v) for v in group["data"].attrs["variables"]]
    n_times, n_nodes, n_vars = data.shape[0], node_ids.size, len(variables)
    # Columns are node-major: node i holds columns i*n_vars ... (i+1)*n_vars - 1.
    values = data.reshape(n_times * n_nodes, n_vars)
    gids = np.tile(node_ids, n_times)
    times = np.repeat(start + step * np.arange(n_times), n_nodes)
    # Rows of times the recorder did not record (a record: false session) are NaN fill values;
    # the text file has no lines for them.
    recorded = ~np.isnan(values).all(axis=1)
    frame = {colnames[0]: gids[recorded], colnames[1]: _times(times[recorded], settings)}
    for name in colnames[2:]:
        frame[name] = values[recorded, variables.index(name)]
    return pd.DataFrame(frame)


def _weights_frame(group, metadata, settings):
    """Weight-recorder rows with the text file's columns: [sender] [target] [port] [rport] [time]
    [weight], by the recorder's with* settings, then (unnamed columns) the trailing NaN column."""
    senders = group["senders"][:].astype(np.int64)
    columns = []
    if settings["withgid"]:
        columns.append(senders)
    if settings["withtargetgid"]:
        columns.append(group["targets"][:].astype(np.int64))
    if settings["withport"]:
        columns.append(np.zeros(senders.size, dtype=np.int64))  # nestling's text files write port 0
    if settings["withrport"]:
        columns.append(group["receptors"][:].astype(np.int64))
    if settings["withtime"]:
        columns.append(_times(group["times"][:], settings))
    if settings["withweight"]:
        columns.append(group["weights"][:].astype(np.float64))
    names = metadata.get("colnames")
    if names is None:
        # read_csv without names turns the trailing tab into a last, all-NaN column.
        columns.append(np.full(senders.size, np.nan))
        names = list(range(len(columns)))
    if senders.size == 0:
        return _empty_frame(names)
    return pd.DataFrame(dict(zip(names, columns)))


# --------------------------------------------------------------------------------------------
# The run's parameter tree: recorder settings the metadata does not record


def _recorder_settings(metadata_path, metadata):
    """The recorder's column-shaping settings and the kernel resolution, from
    ``parameter_tree.yml`` next to ``data/`` (NEST defaults where the tree is silent or missing)."""
    tree_path = Path(metadata_path).parent.parent / "parameter_tree.yml"
    tree = load_yaml(tree_path) if tree_path.is_file() else {}
    tree = tree if isinstance(tree, dict) else {}
    is_weights = metadata.get("type") == "weight_recorder"
    settings = dict(_WEIGHT_RECORDER_DEFAULTS if is_weights else _RECORDER_DEFAULTS)
    model_params = _leaf_data(_child(tree, "network", "recorder_models"), _recorder_model(metadata), "nest_params")
    settings.update({k: bool(v) for k, v in model_params.items() if k in settings})
    kernel = _child(tree, "kernel").get("nest_params") or {}
    settings["resolution"] = float(kernel.get("resolution", 0.1))
    return settings


def _recorder_model(metadata):
    """The recorder model name: the label without the ``_<layer>_<population>`` or
    ``_<projection>`` suffix deNEST appends."""
    label = metadata.get("label") or ""
    if "projection_name" in metadata:
        suffix = f"_{metadata['projection_name']}"
    else:
        suffix = f"_{metadata.get('layer_name')}_{metadata.get('population_name')}"
    return label[: -len(suffix)] if label.endswith(suffix) else label


def _child(node, *names):
    """The mapping at ``node[names[0]][names[1]]...``, {} where missing."""
    for name in names:
        node = node.get(name) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _leaf_data(subtree, leaf_name, data_key):
    """The ``data_key`` mapping (``params`` or ``nest_params``) of the node named ``leaf_name``
    under ``subtree``, with what it inherits from its ancestors (the nearest wins); {} if absent."""

    def search(node, inherited):
        merged = dict(inherited)
        merged.update(node.get(data_key) or {})
        for name, child in node.items():
            if name in ("params", "nest_params") or not (child is None or isinstance(child, dict)):
                continue
            if name == leaf_name:
                return dict(merged, **((child or {}).get(data_key) or {}))
            found = search(child or {}, merged)
            if found is not None:
                return found
        return None

    return (search(subtree, {}) or {}) if isinstance(subtree, dict) else {}


# --------------------------------------------------------------------------------------------


class _CallableModule(types.ModuleType):
    # deNEST users write denest.io.load.load(path): this module must stay the package attribute
    # `load`; calling it lets nestling.io.load(path) work as well.
    def __call__(self, *args, **kwargs):
        return load(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
