#!/usr/bin/env bash
# The reference and our engine on the same workload, one after the other in one run, so the
# ratios in BENCHMARKS.md come from the same machine state. Takes about 5 minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=target/bench-data
[ -f "$dir/big.mock" ] || python3 benches/workload.py generate "$dir"

echo "== reference (CaptureMock 2.10.0)"
python3 benches/workload.py reference "$dir"

echo "== ours: memory after loading"
cargo build --quiet --release --example replay_file
for file in big.mock replay_100000.mock; do
  /usr/bin/time -f "ours: load of $file, peak RSS %M KB, %e s" \
    target/release/examples/replay_file "$dir/$file" '<-CAL:nothing matches this' >/dev/null
done

echo "== ours (criterion)"
cargo bench --bench replay -- --noplot 2>&1 | grep -E "^(best_match|parse)|time:|thrpt:"
