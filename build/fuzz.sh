#!/usr/bin/env bash
# Coverage-guided fuzzing with afl-fuzz (Debian's afl++) and SharpFuzz, of the targets in tests/DBus.Fuzz.Tests:
# message (Message.TryRead/Parse and a body walk), sasl-server, sasl-client (scripted peers) and xml (the
# generator's parser and emitter). The suite runs the same targets over their seeds and a bounded mutation loop;
# this script is for longer runs. Figures and findings go into docs/reliability.md.
#
# usage: build/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s each, every target)
# Work files (instrumented build, seeds, findings) go under ${FUZZ_WORK:-/tmp/dbusgen-fuzz}. A crash is reported with
# the input's path and the exception escaping the target; make each one a test in tests/DBus.Fuzz.Tests.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(message sasl-server sasl-client xml)
work=${FUZZ_WORK:-/tmp/dbusgen-fuzz}

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "Installing afl++"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
dotnet tool restore >/dev/null

# Two copies of the build: a plain one writes the seeds and replays crashes; in the other, SharpFuzz rewrites the
# assemblies under test to report edge coverage to afl-fuzz (they only run inside its fork server).
rm -rf "$work/plain" "$work/bin"
dotnet publish tests/DBus.Fuzz.Tests -c Release -o "$work/plain" >/dev/null
cp -r "$work/plain" "$work/bin"
for assembly in DBus.Runtime.dll DBus.Generator.dll; do
  dotnet sharpfuzz "$work/bin/$assembly" >/dev/null
done
plain=("dotnet" "$work/plain/DBus.Fuzz.Tests.dll")
harness=("dotnet" "$work/bin/DBus.Fuzz.Tests.dll")

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
status=0
for target in "${targets[@]}"; do
  dir="$work/$target"
  rm -rf "$dir"
  "${plain[@]}" seeds "$target" "$dir/in" >/dev/null
  # -t: a .NET start and the first run of a target take a while; -m none: the runtime reserves lots of address space.
  afl-fuzz -i "$dir/in" -o "$dir/findings" -x "$dir/in.dict" -t 5000 -m none -V "$seconds" -- "${harness[@]}" afl "$target" \
    >"$dir/afl.log" 2>&1 || { echo "$target: afl-fuzz failed, see $dir/afl.log"; tail -20 "$dir/afl.log"; status=1; continue; }
  stats="$dir/findings/default/fuzzer_stats"
  get() { sed -nE "s/^$1[[:space:]]*: (.*)/\1/p" "$stats"; }
  echo "$target: $(get execs_done) execs in $(get run_time) s ($(get execs_per_sec)/s), $(get corpus_count) paths" \
    "($(get corpus_found) found), $(get saved_crashes) crashes, $(get saved_hangs) hangs, $(get bitmap_cvg) map coverage"
  crashes=("$dir"/findings/default/crashes/id:*)
  if [ -e "${crashes[0]}" ]; then
    "${plain[@]}" run "$target" "${crashes[@]}" || true
    status=1
  fi
done
exit $status
