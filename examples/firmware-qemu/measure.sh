#!/usr/bin/env bash
# Flash and RAM that capturemock-core costs in the QEMU firmware (thumbv7m-none-eabi,
# opt-level "s"): builds the baseline (the same skeleton answering from the raw text, no
# link), then with local replay (room for a 64-entry table: 32 requests, 32 responses) from the
# text form only, the binary form only and both, with the link client (and its demo script),
# and with local replay and the link, and prints `cargo size --release` for each and what it
# adds to the baseline, and whether the single-form local replay builds meet the goal for a
# 64-entry table (at most 16 KiB of flash and 4 KiB of RAM added). With --check, exits 1 when
# the binary-only build misses it (the form to embed when flash is tight).
#
# Needs the target (rustup target add thumbv7m-none-eabi), llvm-tools
# (rustup component add llvm-tools) and cargo-binutils (cargo install cargo-binutils).
set -euo pipefail

# cargo reads .cargo/config.toml (target, linker script) only from the current directory.
cd "$(dirname "$0")"

if ! command -v cargo-size >/dev/null; then
    echo "cargo size not found: cargo install cargo-binutils; rustup component add llvm-tools" >&2
    exit 2
fi

# text data bss of the release image built with the given cargo arguments.
sizes() {
    cargo size --release --quiet "$@" | awk 'NR == 2 { print $1, $2, $3 }'
}

row() { # name, then cargo arguments
    local name=$1 t d b
    shift
    read -r t d b < <(sizes "$@")
    printf '%-28s %8d %8d %8d %10d %10d %12d %10d\n' "$name" "$t" "$d" "$b" $((t + d)) $((d + b)) \
        $((t + d - base_flash)) $((d + b - base_ram))
}

read -r bt bd bb < <(sizes --no-default-features)
base_flash=$((bt + bd))
base_ram=$((bd + bb))
printf '%-28s %8s %8s %8s %10s %10s %12s %10s\n' build text data bss flash ram '+flash' '+ram'
row "baseline (no core)" --no-default-features
row "local replay, text only" --no-default-features --features local-text
row "local replay, binary only" --no-default-features --features local-binary
row "local replay, both forms" --no-default-features --features local
row "link client" --no-default-features --features link
row "local (both) + link" --no-default-features --features local,link

status=0
for features in local-text local-binary; do
    read -r t d b < <(sizes --no-default-features --features "$features")
    flash=$((t + d - base_flash)) ram=$((d + b - base_ram))
    if [ "$flash" -le 16384 ] && [ "$ram" -le 4096 ]; then
        echo "goal met:    $features adds $flash bytes of flash, $ram of RAM (goal: 16384, 4096)"
    else
        echo "goal missed: $features adds $flash bytes of flash, $ram of RAM (goal: 16384, 4096)"
        if [ "$features" = local-binary ]; then status=1; fi
    fi
done
if [ "${1:-}" = "--check" ]; then
    exit "$status"
fi
