#!/usr/bin/env bash
# Flash and RAM that capturemock-core's replay engine costs in a thumbv7em-none-eabihf image
# at opt-level "s" (issue 2, item 7): builds the firmware with and without the engine and
# prints `cargo size --release` for both and the difference.
#
#   ./measure.sh           print the numbers
#   ./measure.sh --check   also exit 1 when a goal is missed
#   ./measure.sh --i2c [--check]
#                          the same for the embedded-hal I2C replay of the 64-transaction
#                          i2c.mock (issue 15, item 5: binary `i2c`, feature `i2c-replay`,
#                          against the same driver on an I2C controller's registers); with
#                          --check it also runs the measured replay image under QEMU and
#                          compares what it writes to UART0 with i2c.expected, the bytes the
#                          host's replay of the same recording gives (tests/hal_replay/footprint.rs)
#
# Needs the target (rustup target add thumbv7em-none-eabihf), llvm-tools
# (rustup component add llvm-tools) and cargo-binutils (cargo install cargo-binutils); the
# QEMU run needs qemu-system-arm (CAPTUREMOCK_SKIP_QEMU=1 skips it when it is missing).
set -euo pipefail

# cargo reads .cargo/config.toml (target, linker script) only from the current directory.
cd "$(dirname "$0")"

FLASH_GOAL=16384 # bytes of text + data
RAM_GOAL=4096    # bytes of data + bss
BIN=firmware-size-replay
FEATURE=engine
WHAT="engine"
if [ "${1:-}" = "--i2c" ]; then
    shift
    FLASH_GOAL=8192
    RAM_GOAL=1024
    BIN=i2c
    FEATURE=i2c-replay
    WHAT="I2C replay"
fi

if ! command -v cargo-size >/dev/null; then
    echo "cargo size not found: cargo install cargo-binutils; rustup component add llvm-tools" >&2
    exit 2
fi

# text data bss of the release image built with the given cargo arguments.
sizes() {
    cargo size --release --quiet --bin "$BIN" "$@" | awk 'NR == 2 { print $1, $2, $3 }'
}

# The stack frame main's prologue reserves (the engine's start-up moves its storage around
# by value); informational only, not a high-water mark.
main_frame() {
    local total=0 imm
    for imm in $(cargo objdump --release --quiet --bin "$BIN" "$@" -- -d --no-show-raw-insn |
        awk '/cortex_m_rt_main.*>:$/ { on = 1; next }
             on && /sub(\.w)?[ \t]+sp, (sp, )?#/ { sub(/.*#/, ""); print $1 }
             on && /^$/ { on = 0 }'); do
        total=$((total + imm))
    done
    echo "$total"
}

read -r bt bd bb < <(sizes)
b_frame=$(main_frame)
read -r et ed eb < <(sizes --features "$FEATURE")
e_frame=$(main_frame --features "$FEATURE")

flash=$(((et + ed) - (bt + bd)))
ram=$(((ed + eb) - (bd + bb)))

printf '%-22s %8s %8s %8s %10s %10s %12s\n' build text data bss flash ram main-frame
printf '%-22s %8d %8d %8d %10d %10d %12d\n' "without $WHAT" "$bt" "$bd" "$bb" $((bt + bd)) $((bd + bb)) "$b_frame"
printf '%-22s %8d %8d %8d %10d %10d %12d\n' "with $WHAT" "$et" "$ed" "$eb" $((et + ed)) $((ed + eb)) "$e_frame"
printf '%-22s %8d %8d %8d %10d %10d %12d\n' "difference" $((et - bt)) $((ed - bd)) $((eb - bb)) "$flash" "$ram" $((e_frame - b_frame))
echo
verdict() { if [ "$1" -le "$2" ]; then echo "met"; else echo "MISSED"; fi; }
flash_verdict=$(verdict "$flash" "$FLASH_GOAL")
ram_verdict=$(verdict "$ram" "$RAM_GOAL")
echo "$WHAT flash (text+data): $flash bytes, goal <= $FLASH_GOAL: $flash_verdict"
echo "$WHAT RAM   (data+bss):  $ram bytes, goal <= $RAM_GOAL: $ram_verdict"

if [ "${1:-}" = "--check" ] && [ "$flash_verdict$ram_verdict" != "metmet" ]; then
    exit 1
fi

# The measured I2C replay image, run: its first two passes of the driver must write what the
# host's replay of i2c.mock writes (the recorded answers, then each one's first answer again).
if [ "${1:-}" = "--check" ] && [ "$BIN" = i2c ]; then
    if ! command -v qemu-system-arm >/dev/null; then
        if [ "${CAPTUREMOCK_SKIP_QEMU:-}" = 1 ]; then
            echo "qemu-system-arm not found: the run of the image is skipped (CAPTUREMOCK_SKIP_QEMU=1)"
            exit 0
        fi
        echo "qemu-system-arm not found: the run of the image needs it" >&2
        exit 1
    fi
    cargo build --release --quiet --bin i2c --features "$FEATURE"
    elf="${CARGO_TARGET_DIR:-target}/thumbv7em-none-eabihf/release/i2c"
    expected=$(tr -s ' \n' '\n\n' <i2c.expected | grep -v '^$')
    want=$(echo "$expected" | wc -l)
    uart=$(mktemp)
    # The lm3s6965evb's UART0 is where the firmware writes; a Cortex-M4 core for the
    # thumbv7em image. The firmware never stops: QEMU is stopped once the bytes are there.
    qemu-system-arm -cpu cortex-m4 -machine lm3s6965evb -nographic -monitor none \
        -kernel "$elf" -serial "file:$uart" </dev/null >/dev/null 2>&1 &
    qemu=$!
    for _ in $(seq 200); do
        [ "$(stat -c %s "$uart")" -ge "$want" ] && break
        sleep 0.1
    done
    kill "$qemu" 2>/dev/null || true
    wait "$qemu" 2>/dev/null || true
    got=$(head -c "$want" "$uart" | od -An -tx1 -v | tr -s ' \n' '\n\n' | grep -v '^$' || true)
    rm -f "$uart"
    if [ "$got" != "$expected" ]; then
        echo "the I2C replay image under QEMU wrote other bytes than i2c.expected:" >&2
        diff <(echo "$expected") <(echo "$got") | head -n 20 >&2
        exit 1
    fi
    echo "I2C replay image under QEMU: its $want bytes are i2c.expected's"
fi
