#!/usr/bin/env bash
# Runs trees on 1 process and on R processes x T threads (mpirun) and checks that the merged
# outputs are the same (tests/mpi/compare_runs.py).
#   check_distributed.sh NESTLING SOURCE_DIR WORK_DIR
set -uo pipefail
nestling="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
# CI runs as root, which Open MPI refuses unless told; --oversubscribe: more processes than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpirun_=(mpirun --oversubscribe)
configs=("1 2" "2 1" "2 2" "3 1" "3 2" "4 1" "4 2")
sleep_net="$src/tests/data/mc_sleep/network"
status=0

check() {  # NAME TREE [options...]
  local name="$1" tree="$2"; shift 2
  "$nestling" run "$tree" -o "$work/$name-1x1" --threads 1 -q "$@"
  local others=()
  for c in "${configs[@]}"; do
    local r=${c% *} t=${c#* }
    "${mpirun_[@]}" -np "$r" "$nestling" run "$tree" -o "$work/$name-${r}x$t" --threads "$t" -q "$@"
    others+=("$work/$name-${r}x$t")
  done
  if /usr/bin/python3 "$src/tests/mpi/compare_runs.py" "$work/$name-1x1" "${others[@]}" 2>/dev/null | cut -c1-300; then
    echo "ok: $name on ${configs[*]/ /x} processes x threads"
  else
    echo "FAILED: $name"; status=1
  fi
}

check tutorial "$src/examples/quickstart/tree_paths.yml"
check hdf5 "$src/tests/data/hdf5_tree/tree.yml"
check spatial_rules "$src/tests/data/mpi/spatial_rules.yml"
check benchmark "$src/benchmarks/thalamocortical/tree_paths.yml" \
  --set 'simulation/params/sessions=[warmup, drive]' --set session_models/warmup/params/simulation_time=20 \
  --set session_models/params/simulation_time=30
check sleep_network "$sleep_net/params/tree_paths.yml" -i "$sleep_net/input" \
  --set 'simulation/params/sessions=[noise, grating]' --set session_models/noise/params/simulation_time=10 \
  --set session_models/grating/params/simulation_time=20
# Each of 2 processes holds about half of the nodes and of the connections (validate's table).
memory() { "$@" validate "$src/benchmarks/thalamocortical/tree_paths.yml" --threads 1 2>&1; }
one=$(memory "$nestling")
two=$(memory "${mpirun_[@]}" -np 2 "$nestling")
if /usr/bin/python3 - "$one" "$two" <<'PY'
import re, sys
one, two = sys.argv[1], sys.argv[2]
total = re.search(r"memory: connections ([0-9.]+) MiB .*nodes ([0-9.]+) MiB", one).groups()
rows = re.findall(r"^\s+[01]\s+([0-9.]+) MiB\s+([0-9.]+) MiB$", two, re.M)
assert len(rows) == 2, two
for connections, nodes in rows:
    assert float(nodes) <= 0.52 * float(total[1]), (nodes, total)
    assert float(connections) <= 0.60 * float(total[0]), (connections, total)
print("ok: memory per process on 2 processes (MiB connections, nodes):", rows, "of", total)
PY
then :; else echo "FAILED: memory per process"; status=1; fi
exit $status
