"""Reading output directories, with deNEST 1.0.1's loader API (``denest.io.load``).

    import nestling.io
    for path in nestling.io.metadata_paths("output"):
        df = nestling.io.load(path)          # or nestling.io.load.load(path), as in deNEST
    times = nestling.io.load_session_times("output")

Text outputs load exactly as with deNEST; recorders written to HDF5 load into the same DataFrames.
"""
# `load` stays the submodule (deNEST's spelling nestling.io.load.load(...)); it is callable, so
# nestling.io.load(...) loads too.
from . import load
from .load import (
    get_filepaths,
    load_as_df,
    load_session_times,
    load_yaml,
    metadata_paths,
    output_filename,
    output_path,
    output_subdir,
)

__all__ = list(load.__all__)
