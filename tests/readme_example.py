#!/usr/bin/python3
"""The README's example tree runs: extracts the YAML block of 'Parameter trees by example',
writes the .npy file it names, and runs it. usage: readme_example.py README NESTLING WORK_DIR"""
import os
import re
import shutil
import subprocess
import sys

import numpy as np

readme, nestling, work = sys.argv[1:4]
text = open(readme).read()
block = re.search(r"## Parameter trees by example.*?```yaml\n(.*?)```", text, re.S).group(1)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(os.path.join(work, "input"))
with open(os.path.join(work, "tree.yml"), "w") as f:
    f.write(block)
np.save(os.path.join(work, "input", "vm_40x40x2.npy"), np.full((40, 40, 2), -65.0))
subprocess.run([nestling, "run", "-q", "tree.yml"], cwd=work, check=True)
data = os.listdir(os.path.join(work, "output", "data"))
assert any(f.endswith(".gdf") for f in data) and any(f.endswith(".h5") for f in data), data
print("the README's example tree runs:", ", ".join(sorted(data)))
