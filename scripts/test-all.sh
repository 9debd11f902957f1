#!/usr/bin/env bash
# Every check a change must pass. .ci/run installs the prerequisites and then runs this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

# With CAPTUREMOCK_CI_TIDY=1 (.ci/run sets it), a build directory that no later step reads is
# removed when its step is over, and the disk in use is printed: CI machines have little to spare.
# Locally the directories stay, so that the next run builds less.
tidy() {
  if [ "${CAPTUREMOCK_CI_TIDY:-}" = 1 ]; then
    rm -rf "$@"
    echo "disk in use by the build: $(du -sh target fuzz/target examples/*/target 2>/dev/null | awk '{print $1}' | paste -sd' ')"
  fi
}

# Here nothing is optional: a test that needs python3, the reference or QEMU fails when it is
# missing instead of skipping (.ci/run installs them).
export CAPTUREMOCK_REQUIRE_REFERENCE=1
unset CAPTUREMOCK_SKIP_QEMU

step "Formatting"
cargo fmt --all -- --check

step "Clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "Tests (unit, integration, differential against the reference, doctests)"
# A temporary directory of this run's own, where the tests write their files (scanned below:
# CAPTUREMOCK_KEEP_SCRATCH keeps the directories that passing tests would remove).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
TMPDIR="$scratch" CAPTUREMOCK_KEEP_SCRATCH=1 cargo test --workspace

step "No secret in any record file the tests wrote"
# The HTTP tests send credentials that all contain S3CR3T (tests/http/secrets.rs); by default
# none may reach a .mock file. The scan must have seen their record, or it proves nothing.
if grep -rl --include='*.mock' S3CR3T "$scratch"; then
  echo "secrets reached the record files above" >&2
  exit 1
fi
grep -rlq --include='*.mock' '<secret>' "$scratch"

step "The HTTP benchmark runs (on the dev builds above: a check, not a measurement; BENCHMARKS.md)"
cargo test --bench http -- --quick --dev-build
tidy target/tests/trybuild examples/firmware-qemu/target target/debug/incremental

msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
step "Minimum supported Rust version: the crates and the command build with Rust $msrv"
# Its own target directory: artifacts of two compilers do not share one.
CARGO_TARGET_DIR=target/msrv cargo "+$msrv" check --workspace --lib --bins
tidy target/msrv

step "The library with each feature set: none (the default), server, serial, http, amqp, embedded-hal"
# The workspace build turns every feature on; a dependent gets only what it asks for.
for features in "" server serial http amqp embedded-hal; do
  cargo clippy -p capturemock --no-default-features --features "$features" -- -D warnings
done

step "capturemock-core without std, on microcontroller targets"
for target in thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf; do
  cargo build -p capturemock-core --no-default-features --target "$target"
  cargo build -p capturemock-core --no-default-features --features embedded-hal --target "$target"
done
# The workspace's clippy sees the core with `std` (the tests turn it on); this is the device's.
cargo clippy -p capturemock-core --no-default-features --features embedded-hal --target thumbv7em-none-eabihf -- -D warnings

step "Firmware footprint (cargo size, thumbv7em-none-eabihf, opt-level s)"
bash examples/firmware-size-replay/measure.sh --check
# The embedded-hal I2C replay of 64 transactions (issue 15, item 5; docs/embedded-hal.md),
# and a run of the measured image under QEMU against the host's replay of the same recording.
bash examples/firmware-size-replay/measure.sh --i2c --check
bash examples/firmware-size-fakes/measure.sh

step "The README's first command (what a newcomer types first) works"
first=$(sed -n '/^```sh/{n;p;q}' README.md)
echo "$first"
bash -c "$first" >/dev/null

step "Docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "Every crate packages, and builds from its package (cargo package --workspace)"
# The crates depend on each other at versions not yet published: cargo packages them
# together and builds each against the others' packages (a registry of its own in
# target/package). The workspace's examples, tests and benchmarks stay out of the root
# package, as the warnings say. --allow-dirty: the script runs before a change is committed.
# cargo extracts the packages of that registry under $CARGO_HOME/registry/src/-<hash>/ and
# reuses an extraction that exists: one left by an earlier run from the same directory would
# stand in for today's sources (and fail the build, or pass it on yesterday's code). The
# directories of local registries start with "-"; only our crates' are removed.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/capturemock*-[0-9]*
cargo package --workspace --locked --allow-dirty
tidy target/package

step "Paths cited in the documents exist"
bash scripts/check-doc-paths.sh

tidy target
step "Fuzz targets: each runs for a few seconds, so that none can rot (docs/fuzzing.md)"
FUZZ_PROFILE=dev bash scripts/fuzz.sh 2

step "All checks passed"
