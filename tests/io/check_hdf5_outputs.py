#!/usr/bin/python3
"""Runs a tree whose recorders write both text and HDF5, checks that h5dump reads every .h5 file,
and that h5py reads from each exactly what the text file of the same recorder holds.
usage: check_hdf5_outputs.py NESTLING TREE OUT_DIR"""
import glob
import os
import subprocess
import sys

import h5py
import numpy as np
import yaml


def read_text(data_dir, filenames, columns):
    rows = []
    for name in filenames:
        with open(os.path.join(data_dir, name)) as f:
            rows += [line.rstrip("\n").split("\t")[:-1] for line in f]
    return np.array(rows, dtype=float).reshape(-1, columns)


def main():
    nestling, tree, out = sys.argv[1:4]
    subprocess.run([nestling, "run", "-q", "--force", tree, "-o", out], check=True)
    data = os.path.join(out, "data")
    failures = 0
    checked = 0
    for meta_file in sorted(glob.glob(os.path.join(data, "*.yml"))):
        with open(meta_file) as f:
            meta = yaml.load(f, Loader=yaml.FullLoader)  # deNEST's metadata carry Python tuples
        label = meta["label"]
        if "hdf5_file" not in meta:
            continue
        h5 = os.path.join(data, meta["hdf5_file"])
        subprocess.run(["h5dump", "-H", h5], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(h5, "r") as f:
            if meta["type"] == "spike_detector":
                g = f["spikes/" + label]
                ok = g.attrs["sorting"] in (b"by_time", "by_time")
                h = np.column_stack([g["node_ids"][:], g["timestamps"][:]])
                t = read_text(data, meta["filenames"], 2)
            elif meta["type"] == "multimeter":
                g = f["report/" + label]
                ids = g["mapping/node_ids"][:]
                start, stop, step = g["mapping/time"][:]
                values = g["data"][:]
                nv = len(meta["record_from"])
                times = start + step * np.arange(values.shape[0])
                ok = abs(stop - (times[-1] + step)) < 1e-9 if len(times) else True
                rows = []
                for i, time in enumerate(times):
                    if np.isnan(values[i]).all():
                        continue  # a time the recorder did not record
                    for n, gid in enumerate(ids):
                        rows.append([gid, time] + list(values[i, n * nv:(n + 1) * nv]))
                h = np.array(rows)
                t = read_text(data, meta["filenames"], 2 + nv)
            else:
                g = f["weights/" + label]
                ok = True
                h = np.column_stack([g["senders"][:], g["targets"][:], g["times"][:], g["weights"][:]])
                t = read_text(data, meta["filenames"], 4)
        # text output has 3 decimals
        same = ok and h.shape == t.shape and len(h) > 0 and np.allclose(np.round(h, 3), t, atol=1.01e-3, rtol=0)
        print("%-6s %s: %d rows in HDF5 and text" % ("ok" if same else "FAIL", label, len(t)))
        failures += not same
        checked += 1
    if checked < 3:
        print("FAIL: expected HDF5 output of 3 kinds of recorder, found %d" % checked)
        failures += 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
