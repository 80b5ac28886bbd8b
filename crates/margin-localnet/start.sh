#!/usr/bin/env bash
# Try Margin as a trader: builds what is missing (the program to SBF, tests/sbf/build.sh; the cluster,
# build.sh here; the `margin` CLI), then `margin localnet start` from the repository root: a local cluster on
# 127.0.0.1:8899 (websocket 8900) with a listed group, keypairs and addresses in .localnet/, prices driven
# until Ctrl-C. Extra arguments go to `margin localnet start` (e.g. --history, --wallet ~/.config/solana/id.json).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
program="$(bash "$root/tests/sbf/build.sh" | tail -n 1)"
cluster="$(bash "$here/build.sh" | tail -n 1)"
cd "$root"
exec cargo run --locked -q -p margin-cli -- localnet start --cluster "$cluster" --program "$program" "$@"
