#!/bin/bash
# run.sh TARGET-BINARY SEEDS-DIR WORK-DIR: one libFuzzer run for FUZZ_SECONDS (default 12). New
# inputs go to WORK-DIR (the build tree), never into the seed corpus in the source tree.
# Passes when the run ends with no crash, no sanitizer report, no timeout (exit 0); any finding
# exits 1 (libFuzzer's default, 77, would read as "skipped" to meson).
set -u
exe=$1 seeds=$2 work=$3
mkdir -p "$work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
exec "$exe" -max_total_time="${FUZZ_SECONDS:-12}" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -error_exitcode=1 -print_final_stats=1 -artifact_prefix="$work/" "$work" "$seeds"
