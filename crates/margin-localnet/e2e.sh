#!/usr/bin/env bash
# The end-to-end tests on a real local cluster: crates/margin-cli/tests/localnet.rs (the CLI, governance, the
# bot) and app/client/test/localnet.test.mjs (the TypeScript client with the WebAssembly health). Builds the
# program to SBF, the cluster binary, the workspace's binaries (margin, margin-liquidator) and, when missing,
# the TypeScript client. Bounded: 127.0.0.1 only, free ports, every wait with a deadline.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
program="$(bash "$root/tests/sbf/build.sh" | tail -n 1)"
cluster="$(bash "$here/build.sh" | tail -n 1)"
# The cluster crate's own lint and unit tests (its workspace; release, so the build above is reused).
(cd "$here" && CARGO_TARGET_DIR="${MARGIN_CACHE:-$HOME/.cache/margin}/localnet-target" \
    cargo clippy --release --locked --all-targets -q -- -D warnings &&
    CARGO_TARGET_DIR="${MARGIN_CACHE:-$HOME/.cache/margin}/localnet-target" cargo test --release --locked -q)
cd "$root"
cargo build --locked -q -p margin-liquidator --bin margin-liquidator
MARGIN_LOCALNET_CLUSTER="$cluster" MARGIN_PROGRAM_SO="$program" \
    cargo test --locked -q -p margin-cli --test localnet -- --ignored --nocapture
if [ ! -f app/client/dist/index.mjs ] || [ ! -f app/client/wasm/node/margin_wasm.js ]; then
    (cd app/client && npm ci --no-audit --no-fund && bash build.sh && npm run bundle)
fi
(cd app/client && MARGIN_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/margin" MARGIN_LOCALNET_CLUSTER="$cluster" \
    MARGIN_PROGRAM_SO="$program" node --test test/localnet.test.mjs)
