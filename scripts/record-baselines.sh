#!/usr/bin/env bash
# Records the committed sandbox baselines (baselines/<profile>/<scenario>.json) that the load-tests
# workflow's sandbox job (scripts/run-profile.sh) judges its runs against: for each profile, RUNS
# runs of SCENARIOS (default burst; any of the profile's suite), each on a sandbox of its own (the tool starts one when none is up and removes
# it after), merged by `bindy-loadtest baseline` (histograms added, per-run figures kept with their
# spread). A fresh sandbox per run: back to back on one sandbox, bindy 0.6.2's retried cleanups of
# the previous run's zones share bindcar's rate limit with the next run (docs/fixtures.md).
#
#   bash scripts/record-baselines.sh                 # burst of quick and standard, 3 runs each
#   RUNS=5 bash scripts/record-baselines.sh quick    # one profile, 5 runs
#   SCENARIOS='burst sustained' bash scripts/record-baselines.sh standard   # ~70 min: 3 × 20-min sustained
#
# Needs what the README's first command installs (scripts/setup.sh, npm ci). Refuses to start when
# a sandbox is already up (its tunables would be measured, not the defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-3}"
scenarios="${SCENARIOS:-burst}"
profiles=("$@")
[ "${#profiles[@]}" -eq 0 ] && profiles=(quick standard)
case "$runs" in '' | *[!0-9]*) echo "record-baselines: RUNS must be a whole number ≥ 3, got '$runs'" >&2; exit 2 ;; esac
if [ "$runs" -lt 3 ]; then echo "record-baselines: RUNS must be ≥ 3 (fewer runs have no spread to test against), got $runs" >&2; exit 2; fi
cli=(node bin/bindy-loadtest.js)
if "${cli[@]}" sandbox status >/dev/null 2>&1; then
  echo "record-baselines: a sandbox is already up; stop it first (bindy-loadtest sandbox down)" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for profile in "${profiles[@]}"; do
  mkdir -p "baselines/$profile"
  for scenario in $scenarios; do
    inputs=()
    for i in $(seq 1 "$runs"); do
      echo "record-baselines: ${profile} ${scenario} run ${i}/${runs}" >&2
      # Exit 1 (a criterion failed) still gives a result; the baseline records it as it was.
      code=0
      run_id="${scenario}-baseline-${profile}-$(date -u +%Y%m%d-%H%M%S)-${i}"
      "${cli[@]}" --profile "$profile" -o "$work/$profile" "$scenario" --run-id "$run_id" --format json || code=$?
      if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then echo "record-baselines: ${profile} ${scenario} run ${i} ended with exit ${code}" >&2; exit "$code"; fi
      inputs+=("$work/$profile/$run_id/result.json")
    done
    "${cli[@]}" -o "baselines/${profile}/${scenario}.json" baseline --input "${inputs[@]}"
    echo "record-baselines: wrote baselines/${profile}/${scenario}.json from ${runs} runs" >&2
  done
done
