#!/usr/bin/env bash
# Flash and RAM that capturemock-core's fakes cost in a thumbv7em-none-eabihf image at
# opt-level "s" with LTO, for a fake with 8 declared calls (issue 4): builds the firmware
# with and without the engine (and with the embedded-hal I2C fake, feature `hal`) and prints
# `cargo size --release` for each and the difference.
#
# Needs the target (rustup target add thumbv7em-none-eabihf), llvm-tools
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

# Bytes main's prologue reserves on the stack (the registry itself lives in .bss; this is
# the engine's working frame, informational, not a high-water mark).
main_frame() {
    local total=0 imm
    for imm in $(cargo objdump --release --quiet "$@" -- -d --no-show-raw-insn |
        awk '/cortex_m_rt_main.*>:$/ { on = 1; next }
             on && /sub(\.w)?[ \t]+sp, (sp, )?#/ { sub(/.*#/, ""); print $1 }
             on && /^$/ { on = 0 }'); do
        total=$((total + imm))
    done
    echo "$total"
}

read -r bt bd bb < <(sizes)
b_frame=$(main_frame)
row() { printf '%-26s %8s %8s %8s %8s %8s %11s\n' "$@"; }

row build text data bss flash ram main-frame
row "without fake" "$bt" "$bd" "$bb" $((bt + bd)) $((bd + bb)) "$b_frame"
for features in engine messages hal; do
    read -r et ed eb < <(sizes --features "$features")
    e_frame=$(main_frame --features "$features")
    case $features in
    engine) label="fake, failure codes" ;;
    messages) label="fake, Fudge's messages" ;;
    hal) label="embedded-hal I2C fake" ;;
    esac
    row "$label" "$et" "$ed" "$eb" $((et + ed)) $((ed + eb)) "$e_frame"
    row "  difference" $((et - bt)) $((ed - bd)) $((eb - bb)) \
        $(((et + ed) - (bt + bd))) $(((ed + eb) - (bd + bb))) $((e_frame - b_frame))
done
