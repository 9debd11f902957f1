#!/usr/bin/env bash
# Every check a change must pass. .ci/run installs the prerequisites and then runs this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "Formatting"
cargo fmt --all -- --check

step "Clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "Tests (unit, integration, differential against the reference, doctests)"
cargo test --workspace

step "capturemock-core without std, on microcontroller targets"
for target in thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf; do
  cargo build -p capturemock-core --no-default-features --target "$target"
done

step "Firmware footprint (cargo size, thumbv7em-none-eabihf, opt-level s)"
bash examples/firmware-size-replay/measure.sh --check
bash examples/firmware-size-fakes/measure.sh

step "Docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "Benchmarks compile"
cargo bench --workspace --no-run

step "Fuzz target compiles"
cargo check --manifest-path fuzz/Cargo.toml

step "All checks passed"
