#!/usr/bin/env bash
# Fuzzes the input parsers with libFuzzer + AddressSanitizer (issue 9).
#
#   Scripts/fuzz.sh [SECONDS] [HARNESS...]     default 20 s each, every harness
#   FUZZ_RUNS=1000000 Scripts/fuzz.sh 600 zip  stop at a number of executions (or the time, whichever is first)
#   FUZZ_SEED=1 Scripts/fuzz.sh                 a fixed libFuzzer seed (CI), else a random one
#   FUZZ_TIMEOUT=30 Scripts/fuzz.sh 3600 cli   per-input limit in seconds (default 10; raise it for long runs
#                                               beside other work, where a starved input can pass 10 s)
#
# Harnesses: zip pickle checkpoint safetensors model-yaml data-yaml labels image cli (Fuzz/YOLOFuzz/Harness.swift).
# Seeds come from Fuzz/corpus/<harness> (Scripts/fuzz/make_seeds.py); what the fuzzer finds goes to a work corpus
# under .build-fuzz/corpus, crash reproducers to .build-fuzz/crashes (replay one with
# `.build/release/yolo-fuzz <harness> <file>`). Each input is limited to 10 s and the process to 1 GB RSS.
# Prints one line per harness: executions, speed, peak RSS, and fails when any harness crashed.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"; shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(zip pickle checkpoint safetensors model-yaml data-yaml labels image cli)

swift build -c release --scratch-path .build-fuzz --product yolo-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 | grep -E "error|warning: unre|Compiling YOLOFuzz|Build complete" || true
bin=.build-fuzz/release/yolo-fuzz
[ -x "$bin" ] || { echo "fuzz build failed"; exit 1; }

failed=0
mkdir -p .build-fuzz/crashes
for h in "${harnesses[@]}"; do
    work=.build-fuzz/corpus/$h
    mkdir -p "$work"
    limits=(-rss_limit_mb=1024 "-timeout=${FUZZ_TIMEOUT:-10}" -max_len=262144 -print_final_stats=1
            "-artifact_prefix=.build-fuzz/crashes/$h-")
    limits+=("-max_total_time=$seconds" "-seed=${FUZZ_SEED:-0}")
    [ -z "${FUZZ_RUNS:-}" ] || limits+=("-runs=$FUZZ_RUNS")
    log=.build-fuzz/$h.log
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 YOLO_FUZZ_TARGET=$h \
        "$bin" "${limits[@]}" "$work" "Fuzz/corpus/$h" > "$log" 2>&1
    status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
    rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$')
    if [ $status -ne 0 ]; then
        failed=1
        echo "$h: FAILED (exit $status) after ${runs:-?} executions — $(grep -m1 -E 'ERROR|SUMMARY|==[0-9]+==' "$log")"
        echo "    log: $log; reproducer: $(ls -t .build-fuzz/crashes/$h-* 2>/dev/null | head -1)"
    else
        echo "$h: ${runs:-?} executions, ${speed:-?}/s, peak RSS ${rss:-?} MB, no crash"
    fi
done
exit $failed
