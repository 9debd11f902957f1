#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each one for SECONDS (default 30), one
# after another, then prints a table: executions, corpus size and coverage per target.
# Exits non-zero if any target crashed, hung (a unit over FUZZ_TIMEOUT seconds) or ran out
# of memory; the input that did it is in fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [SECONDS]
#
# Environment:
#   FUZZ_RUNS=N          run each target for N executions instead of SECONDS
#   FUZZ_TARGETS="a b"   only these targets (default: all, from `cargo fuzz list`)
#   FUZZ_SANITIZER=...   none (default) or address: core and std forbid unsafe code, so
#                        AddressSanitizer only watches dependencies, at 3-5x fewer runs
#   FUZZ_TIMEOUT=S       seconds one input may take before it counts as a hang (default 10)
#   FUZZ_PROFILE=dev     build without optimisations: builds in about a third of the time,
#                        runs several times slower; for a short check such as CI's
#                        (default release, with debug assertions)
#
# Installs the nightly toolchain (minimal profile) and cargo-fuzz when they are missing.
# Each target starts from its seeds in fuzz/corpus/<target> (committed, small) and keeps
# what it finds in fuzz/target/corpus/<target> (not committed), so runs build on each other.
# See docs/fuzzing.md.
set -euo pipefail

seconds="${1:-30}"
sanitizer="${FUZZ_SANITIZER:-none}"
timeout="${FUZZ_TIMEOUT:-10}"
profile=()
case "${FUZZ_PROFILE:-release}" in
    release) ;;
    dev) profile=(--dev) ;;
    *) echo "fuzz.sh: FUZZ_PROFILE must be dev or release" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz.sh: installing the nightly toolchain" >&2
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

if [[ -n "${FUZZ_TARGETS:-}" ]]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

start=$(date +%s)
nice -n 10 cargo +nightly fuzz build "${profile[@]}" -s "$sanitizer"
echo "fuzz.sh: built in $(( $(date +%s) - start ))s"

if [[ -n "${FUZZ_RUNS:-}" ]]; then
    limit=("-runs=$FUZZ_RUNS")
else
    limit=("-max_total_time=$seconds")
fi

failed=()
summary=()
for target in "${targets[@]}"; do
    work="target/corpus/$target"
    seeds="corpus/$target"
    mkdir -p "$work" "$seeds" "artifacts/$target"
    extra=()
    [[ -f "$target.dict" ]] && extra+=("-dict=$target.dict")
    log="target/fuzz-$target.log"
    echo "fuzz.sh: running $target (${limit[*]})"
    status=0
    nice -n 10 cargo +nightly fuzz run "${profile[@]}" -s "$sanitizer" "$target" "$work" "$seeds" -- \
        "${limit[@]}" "${extra[@]}" -timeout="$timeout" -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1 || true)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
    corpus=$(find "$work" -type f | wc -l)
    if [[ $status -ne 0 ]]; then
        failed+=("$target")
        grep -E 'panicked at|ERROR: libFuzzer|Test unit written|SUMMARY' "$log" | head -5 >&2 || true
        echo "fuzz.sh: $target FAILED (exit $status), log in fuzz/$log" >&2
    fi
    summary+=("$(printf '%-16s %12s execs %6ss  corpus %6s  %s  %s' "$target" "${execs:-?}" \
        "${secs:-?}" "$corpus" "${cov:-cov: ?}" "$([[ $status -eq 0 ]] && echo ok || echo FAILED)")")
done

echo
echo "fuzz.sh: results (sanitizer $sanitizer, ${limit[*]}, total $(( $(date +%s) - start ))s)"
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz.sh: failed: ${failed[*]}" >&2
    exit 1
fi
