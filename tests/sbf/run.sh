#!/usr/bin/env bash
# The whole margin program on SBF (../../docs/PERFORMANCE.md, "The whole program on SBF"):
# 1. builds programs/margin to an SBF .so with build.sh (rustup nightly 2026-10-29 + patched std + sbpf-linker);
# 2. runs it in litesvm (runner/): every instruction's success path and a refusal, a 16-position liquidation in
#    one v0 transaction with a lookup table; prints CU per instruction, the deepest stack use and the program's
#    size; fails when an outcome differs or a budget in budgets.txt is exceeded. With an argument, also writes
#    the table (markdown) to that file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
table_out="${1:-}"
program="$(bash "$here/build.sh" | tail -n 1)"
echo "== running $program ($(stat -c %s "$program") bytes) in litesvm"
cd "$here/runner"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${MARGIN_CACHE:-$HOME/.cache/margin}/target}" \
    cargo run --release --locked -q -- "$program" "$here/budgets.txt" ${table_out:+"$table_out"}
