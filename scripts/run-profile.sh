#!/usr/bin/env bash
# Runs a whole profile: the scenarios of its `suite` (src/config/profiles.ts, docs/configuration.md)
# one after another, each judged by the profile's criteria and, when a baseline for it is given,
# compared with it by `bindy-loadtest analyze`. The load-tests workflow runs this; so can you.
#
#   scripts/run-profile.sh --profile quick --out results
#   scripts/run-profile.sh --profile standard --out results --baselines baselines/standard
#   scripts/run-profile.sh --profile quick --out results --global '--target cluster --context kind-x' \
#       --scenario-flags '--format markdown,html,prometheus --pushgateway http://127.0.0.1:9091'
#
# --baselines DIR: per scenario, DIR/<scenario>.json (a baseline document) or DIR/<scenario>-*/result.json
#   (runs, merged here: the kind job's window of green runs); a scenario with neither is judged by
#   its criteria alone, and the summary says so.
# --scenarios a,b: run only these of the suite.
# --criteria gate|report: gate (default) fails the profile when a scenario fails a criterion; report
#   only says so in the summary, and the profile fails on a regression against a baseline alone (the
#   sandbox job: its twin's figures are compared with the twin's own history, docs/cluster.md).
# Writes OUT/<scenario>/<run-id>/… (each run's result and reports), OUT/<scenario>/analysis.md (its
# comparison), OUT/summary.md (every scenario's summary and comparison, for a CI job summary).
# Exit: 0 every scenario passed (and no regression); 1 a criterion failed (with --criteria gate) or a
# regression was found;
# any other code is the first scenario's or analyze's error (2 bad input, 3 target, 130 interrupted),
# after the scenarios before it were kept.
set -uo pipefail
cd "$(dirname "$0")/.."
usage() { echo "run-profile: $1 (usage: scripts/run-profile.sh --profile NAME --out DIR [--baselines DIR] [--scenarios a,b] [--criteria gate|report] [--global FLAGS] [--scenario-flags FLAGS])" >&2; exit 2; }
profile='' out='' baselines='' only='' global='' scenario_flags='' criteria='gate'
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) [ $# -ge 2 ] || usage "--profile needs a value"; profile="$2"; shift 2 ;;
    --out) [ $# -ge 2 ] || usage "--out needs a value"; out="$2"; shift 2 ;;
    --baselines) [ $# -ge 2 ] || usage "--baselines needs a value"; baselines="$2"; shift 2 ;;
    --scenarios) [ $# -ge 2 ] || usage "--scenarios needs a value"; only="$2"; shift 2 ;;
    --criteria) [ $# -ge 2 ] || usage "--criteria needs a value"; criteria="$2"; shift 2 ;;
    --global) [ $# -ge 2 ] || usage "--global needs a value"; global="$2"; shift 2 ;;
    --scenario-flags) [ $# -ge 2 ] || usage "--scenario-flags needs a value"; scenario_flags="$2"; shift 2 ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
[ -n "$profile" ] || usage "--profile is required"
[ -n "$out" ] || usage "--out is required"
case "$criteria" in gate | report) ;; *) usage "--criteria must be gate or report, got '$criteria'" ;; esac
if [ -n "$baselines" ] && [ ! -d "$baselines" ]; then echo "run-profile: --baselines $baselines: no such folder" >&2; exit 2; fi
cli=(node bin/bindy-loadtest.js)
# shellcheck disable=SC2206  # the flags are words, as on a command line
globals=($global)
# shellcheck disable=SC2206
per_scenario=($scenario_flags)

# The suite, as the configuration resolves it (a --config in --global can change it).
suite_json="$("${cli[@]}" "${globals[@]}" --profile "$profile" config show --json)" || exit $?
suite="$(printf '%s' "$suite_json" | node -e '
  let t = ""; process.stdin.on("data", (d) => (t += d)).on("end", () => {
    const s = JSON.parse(t).config.suite;
    process.stdout.write((Array.isArray(s) ? s : String(s).split(",")).join(" "));
  });')" || exit 2
if [ -n "$only" ]; then
  for s in ${only//,/ }; do
    case " $suite " in *" $s "*) ;; *) echo "run-profile: --scenarios: '$s' is not in the ${profile} profile's suite ($suite)" >&2; exit 2 ;; esac
  done
  suite="${only//,/ }"
fi

mkdir -p "$out"
summary="$out/summary.md"
: > "$summary"
worst=0
# Only 0 and 1 reach here (any other code stops the script): the profile fails if any scenario did.
note() { if [ "$1" -eq 1 ]; then worst=1; fi; }
for scenario in $suite; do
  dir="$out/$scenario"
  mkdir -p "$dir"
  echo "run-profile: ${profile}: ${scenario}" >&2
  "${cli[@]}" "${globals[@]}" --profile "$profile" -o "$dir" "$scenario" "${per_scenario[@]}"
  code=$?
  result="$(ls -t "$dir"/*/result.json 2>/dev/null | head -n 1)"
  { echo "## ${scenario}"; echo; } >> "$summary"
  if [ -n "$result" ] && [ -f "$(dirname "$result")/summary.md" ]; then cat "$(dirname "$result")/summary.md" >> "$summary"; fi
  if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
    echo "run-profile: ${scenario} ended with exit ${code}; stopping" | tee -a "$summary" >&2
    exit "$code"
  fi
  if [ "$code" -eq 1 ] && [ "$criteria" = report ]; then
    { echo; echo "(${scenario} failed a criterion: reported, not gating this profile: --criteria report)"; echo; } >> "$summary"
  else
    note "$code"
  fi
  [ -n "$result" ] || { echo "run-profile: ${scenario} wrote no result" >&2; exit 2; }
  baseline=''
  if [ -n "$baselines" ] && [ -f "$baselines/${scenario}.json" ]; then
    baseline="$baselines/${scenario}.json"
  elif [ -n "$baselines" ]; then
    mapfile -t runs < <(find "$baselines" -path "*/${scenario}-*/result.json" 2>/dev/null | sort)
    if [ "${#runs[@]}" -gt 0 ]; then
      "${cli[@]}" -o "$dir/baseline.json" baseline --input "${runs[@]}" || exit $?
      baseline="$dir/baseline.json"
    fi
  fi
  if [ -z "$baseline" ]; then
    { echo; echo "No baseline for ${scenario} in the ${profile} profile: judged by its criteria only."; echo; } >> "$summary"
    continue
  fi
  "${cli[@]}" -o "$dir/analysis.md" analyze --baseline "$baseline" --current "$result" --threshold 10%
  code=$?
  if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then exit "$code"; fi
  note "$code"
  { echo; echo "### ${scenario} against ${baseline}"; echo; cat "$dir/analysis.md"; echo; } >> "$summary"
done
exit "$worst"
