#!/usr/bin/python3
"""Compares the outputs of nestling runs split over different numbers of processes and threads.

    compare_runs.py REFERENCE_DIR OTHER_DIR...

Every recorder's rows (all the files its metadata lists, text and HDF5) must be the same
multiset in each run: a run on R processes writes R files per recorder that together hold what a
single process writes in one. Metadata must agree except for the file names, and
session_times.yml must be identical. Prints one line per difference; exit status 1 if any.
HDF5 files are turned into rows too (a multimeter's report: one row per node and time it holds).
"""
import sys
from pathlib import Path

import yaml


class _Loader(yaml.SafeLoader):
    """Reads deNEST's metadata, which holds Python tuples."""


_Loader.add_constructor("tag:yaml.org,2002:python/tuple", lambda loader, node: tuple(loader.construct_sequence(node)))


def hdf5_rows(path, meta):
    """A recorder's HDF5 file as text rows: one per spike, weight event, or node and time sampled."""
    import h5py
    import numpy as np

    rows = []
    with h5py.File(path, "r") as f:
        label = meta["label"]
        if meta["type"] == "spike_detector":
            g = f["spikes/" + label]
            rows = [f"s {n} {t!r}" for n, t in zip(g["node_ids"][:].tolist(), g["timestamps"][:].tolist())]
        elif meta["type"] == "multimeter":
            g = f["report/" + label]
            ids = g["mapping/node_ids"][:].tolist()
            start, _, step = g["mapping/time"][:].tolist()
            values = g["data"][:]
            nv = len(meta["record_from"])
            for i in range(values.shape[0]):
                for n, gid in enumerate(ids):
                    v = values[i, n * nv:(n + 1) * nv]
                    if not np.isnan(v).all():
                        rows.append(f"m {gid} {start + step * i!r} {v.tolist()!r}")
        else:
            g = f["weights/" + label]
            columns = [g[c][:].tolist() for c in ("senders", "targets", "times", "weights", "receptors")]
            rows = ["w " + " ".join(repr(x) for x in row) for row in zip(*columns)]
    return rows


def recorder_rows(meta_path):
    meta = yaml.load(meta_path.read_text(), Loader=_Loader)
    rows = []
    for name in meta.get("filenames") or []:
        rows.extend(line for line in (meta_path.parent / name).read_text().splitlines() if line.strip())
    h5 = meta.get("hdf5_files") or ([meta["hdf5_file"]] if meta.get("hdf5_file") else [])
    for name in h5:
        rows.extend(hdf5_rows(meta_path.parent / name, meta))
    rows.sort()
    for key in ("filenames", "hdf5_file", "hdf5_files"):
        meta.pop(key, None)
    return meta, rows


def compare(reference, other):
    problems = []
    if (reference / "session_times.yml").read_text() != (other / "session_times.yml").read_text():
        problems.append(f"{other}: session_times.yml differs")
    ref_meta = sorted(p.name for p in (reference / "data").glob("*.yml"))
    other_meta = sorted(p.name for p in (other / "data").glob("*.yml"))
    if ref_meta != other_meta:
        problems.append(f"{other}: recorders {other_meta} differ from {ref_meta}")
    for name in ref_meta:
        if name not in other_meta:
            continue
        m1, r1 = recorder_rows(reference / "data" / name)
        m2, r2 = recorder_rows(other / "data" / name)
        if m1 != m2:
            problems.append(f"{other}/data/{name}: metadata differs")
        if r1 != r2:
            extra = sorted(set(r2) - set(r1))[:3]
            missing = sorted(set(r1) - set(r2))[:3]
            problems.append(f"{other}/data/{name}: {len(r2)} rows against {len(r1)}; "
                            f"e.g. extra {extra}, missing {missing}")
        elif not r1:
            print(f"note: {name} recorded nothing", file=sys.stderr)
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    reference = Path(argv[1])
    problems = []
    for other in argv[2:]:
        problems += compare(reference, Path(other))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
