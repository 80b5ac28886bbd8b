#!/usr/bin/env bash
# Builds the local cluster binary (surfpool-core 1.6.0 on agave 4.2, its own workspace and Cargo.lock) in
# release, into a cache outside the clone; prints its path on the last line. 12 minutes the first time on 2
# cores (up to 20 with other builds running), seconds after that.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${MARGIN_CACHE:-$HOME/.cache/margin}/localnet-target"
CARGO_TARGET_DIR="$target" cargo build --release --locked --manifest-path "$here/Cargo.toml" >&2
echo "$target/release/margin-localnet"
