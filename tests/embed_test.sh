#!/usr/bin/env bash
# Installs the built library into a scratch prefix, builds examples/embed against it with
# find_package(nestling), and runs it.
set -euo pipefail
build_dir="$1"; source_dir="$2"; work="$3"
rm -rf "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/examples/embed" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
single=$("$work/build/embed_example")
echo "$single"
if [ -x "$work/build/embed_mpi_example" ] && command -v mpirun >/dev/null; then
  # The same network handed MPI_COMM_WORLD on two processes records the same number of spikes.
  # Open MPI's plugins leave their allocations to the process exit, which LeakSanitizer would
  # report from modules it cannot name; the single-process run above still checks for leaks.
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  distributed=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
                mpirun --oversubscribe -np 2 "$work/build/embed_mpi_example")
  echo "$distributed"
  [ "$(echo "$single" | grep -o '[0-9]* spikes')" = "$(echo "$distributed" | grep -o '[0-9]* spikes')" ]
fi
"$work/build/embed_tree_example" "$source_dir/examples/quickstart/tree_paths.yml" "$work/output"
test -s "$work/output/session_times.yml"
