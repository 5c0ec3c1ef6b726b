#!/usr/bin/env bash
# Executes the tutorial notebook as a user would, in a scratch copy of examples/ (it writes its
# outputs next to itself), with the package the build assembled.
#   notebook_test.sh SOURCE_DIR PYTHON_PACKAGE_DIR WORK_DIR
set -euo pipefail
source_dir="$1"; package_dir="$2"; work="$3"
rm -rf "$work"
mkdir -p "$work"
cp -r "$source_dir/examples/quickstart" "$source_dir/examples/notebooks" "$work/"
cd "$work/notebooks"
PYTHONPATH="$package_dir${PYTHONPATH:+:$PYTHONPATH}" PYDEVD_DISABLE_FILE_VALIDATION=1 \
  jupyter nbconvert --to notebook --execute tutorial.ipynb --output executed.ipynb \
  --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3
test -s tutorial_output/session_times.yml
echo "tutorial notebook executed: $work/notebooks/executed.ipynb"
