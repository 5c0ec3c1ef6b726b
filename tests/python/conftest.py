"""The tests import the package the build assembled (build/python: sources plus the compiled
engine) unless NESTLING_PYTHON_DIR names another one, e.g. an installed copy."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE_DIR = os.environ.get("NESTLING_PYTHON_DIR", os.path.join(ROOT, "build", "python"))
sys.path.insert(0, PACKAGE_DIR)
# Subprocesses (python3 -m nestling, python3 -m nestling.plot) import the same package.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_DIR, os.environ.get("PYTHONPATH")]))
