#!/usr/bin/env bash
# The end-to-end test on a real local cluster (crates/margin-cli/tests/localnet.rs): builds the program to SBF,
# the cluster binary and the workspace's binaries (margin, margin-liquidator), then runs the test. Bounded:
# 127.0.0.1 only, free ports, every wait with a deadline.
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
