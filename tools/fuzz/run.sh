#!/usr/bin/env bash
# Runs one coverage-guided fuzz target of fuzz/ with cargo-afl (AFL++) on the stable toolchain
# for a bounded time, then prints AFL++'s figures (execs, corpus, crashes).
#
#   tools/fuzz/run.sh loader|query|body MINUTES
#
# Installs cargo-afl if missing (`cargo install cargo-afl`: it builds the AFL++ it bundles).
# Findings go to fuzz/out/TARGET (git-ignored); a crash's input is copied to fuzz/crashes/.
set -euo pipefail
target=${1:?usage: tools/fuzz/run.sh loader|query|body MINUTES}
minutes=${2:?usage: tools/fuzz/run.sh loader|query|body MINUTES}
case $target in loader|query|body) ;; *) echo "unknown target $target" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root/fuzz"

command -v cargo-afl >/dev/null || cargo install cargo-afl
# AFL++ is built once per cargo-afl version, into ~/.local/share/afl.rs.
cargo afl config --build >/dev/null 2>&1 || true
cargo afl build --release --bin "$target"

out="$root/fuzz/out/$target"
rm -rf "$out"
mkdir -p "$out"
# This VM has no CPU frequency governor and its core_pattern pipes to a helper: AFL++ would
# refuse to start over both. No UI on a non-terminal, and no CPU binding: other builds share
# the two cores.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=60000
seconds=$((minutes * 60))
# -V bounds the run; timeout is a second bound in case AFL++ does not stop by itself.
timeout --signal=INT $((seconds + 120)) \
    cargo afl fuzz -i "$root/fuzz/corpus/$target" -o "$out" -V "$seconds" -t 2000 \
    "$root/fuzz/target/release/$target" || true

stats="$out/default/fuzzer_stats"
if [[ ! -f $stats ]]; then echo "no fuzzer_stats: the run did not start" >&2; exit 1; fi
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|edges_found|total_edges|bitmap_cvg|saved_crashes|saved_hangs|stability) ' "$stats"
crashes=$(find "$out/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
if ((crashes > 0)); then
    mkdir -p "$root/fuzz/crashes/$target"
    cp "$out"/default/crashes/id:* "$root/fuzz/crashes/$target/"
    echo "$crashes crash(es): inputs copied to fuzz/crashes/$target/" >&2
    exit 1
fi
echo "$target: 0 crashes in $minutes min"
