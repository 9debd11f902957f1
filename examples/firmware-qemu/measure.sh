#!/usr/bin/env bash
# Flash and RAM that capturemock-core costs in the QEMU firmware (thumbv7m-none-eabi,
# opt-level "s"): builds the baseline (the same skeleton answering from the raw text, no
# link), then with local replay (room for a 64-entry table: 32 requests, 32 responses), with the
# link client (and its demo script), and with both, and prints `cargo size --release` for each
# and what it adds to the baseline.
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
    printf '%-26s %8d %8d %8d %10d %10d %12d %10d\n' "$name" "$t" "$d" "$b" $((t + d)) $((d + b)) \
        $((t + d - base_flash)) $((d + b - base_ram))
}

read -r bt bd bb < <(sizes --no-default-features)
base_flash=$((bt + bd))
base_ram=$((bd + bb))
printf '%-26s %8s %8s %8s %10s %10s %12s %10s\n' build text data bss flash ram '+flash' '+ram'
row "baseline (no core)" --no-default-features
row "local replay" --no-default-features --features local
row "link client" --no-default-features --features link
row "both (default)"
