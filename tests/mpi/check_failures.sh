#!/usr/bin/env bash
# Failures of a run on several MPI processes:
#  - a bad tree: one line of nestling's on stderr (from process 0), exit status 2, nothing written;
#  - SIGINT to mpirun while running: every process stops at the same slice, the outputs of what
#    ran are moved into place and session_times.yml ends where the run stopped;
#  - a process killed: the job ends (no hang), the output directory is not created.
#   check_failures.sh NESTLING SOURCE_DIR WORK_DIR
set -uo pipefail
nestling="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"; cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tree="$src/benchmarks/thalamocortical/tree_paths.yml"
# The signal and the kill must find the run running: two sessions of 2 s of biological time
# (half a minute and more) instead of 0.2 s each, which a fast build ran in about a second.
long=(--set session_models/params/simulation_time=2000)
status=0
fail() { echo "FAILED: $*"; status=1; }

# A bad tree.
timeout 120 mpirun --oversubscribe -np 2 "$nestling" run "$tree" -o bad \
  --set network/layers/grid/nest_params/rows=-3 >/dev/null 2>bad.err
rc=$?
[ "$rc" -eq 2 ] || fail "bad tree: exit status $rc, expected 2"
[ "$(grep -c '^nestling:' bad.err)" -eq 1 ] || fail "bad tree: expected one line, got: $(grep '^nestling:' bad.err)"
grep -q 'network/layers/grid/nest_params/rows' bad.err || fail "bad tree: the line does not name the tree path"
[ ! -e bad ] || fail "bad tree: an output directory was created"

# Waits until a run's staging directory holds recorder files (the sessions are running).
wait_for_run() {
  for _ in $(seq 1 600); do
    compgen -G "$1.nestling-partial-*/data/*.gdf" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# SIGINT to mpirun.
timeout 300 mpirun --oversubscribe -np 2 "$nestling" run "$tree" -o stopped "${long[@]}" --threads 1 -q 2>stopped.err &
job=$!
wait_for_run stopped || fail "SIGINT: the run did not start"
sleep 1
kill -INT "$job"
wait "$job"
[ -f stopped/session_times.yml ] || fail "SIGINT: no outputs in place"
ended=$(/usr/bin/python3 -c "
import yaml, sys
class L(yaml.SafeLoader): pass
L.add_constructor('tag:yaml.org,2002:python/tuple', lambda l, n: tuple(l.construct_sequence(n)))
t = yaml.load(open('stopped/session_times.yml'), Loader=L)
print(max(e for _, e in t.values()))" 2>/dev/null)
[ -n "$ended" ] && /usr/bin/python3 -c "import sys; sys.exit(0 if 0 < float('$ended') < 4100 else 1)" ||
  fail "SIGINT: session_times.yml does not end inside the run (got '$ended')"
[ "$(ls stopped/data/*.gdf 2>/dev/null | wc -l)" -ge 2 ] || fail "SIGINT: recorder files of both processes missing"

# A process killed.
timeout 120 mpirun --oversubscribe -np 2 "$nestling" run "$tree" -o killed --threads 1 -q "${long[@]}" >/dev/null 2>&1 &
job=$!
wait_for_run killed || fail "kill: the run did not start"
pkill -9 -f -n "killed --threads 1 -q"
wait "$job"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "kill: exit status $rc (124: the job hung)"
[ ! -e killed ] || fail "kill: the output directory was created"

[ "$status" -eq 0 ] && echo "ok: bad tree, SIGINT and a killed process under mpirun"
exit $status
