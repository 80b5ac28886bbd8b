#!/usr/bin/env bash
# The web app's tests (`npm test`): type-check and build the app, its unit tests, then the browser test in
# Debian's Chromium against the real local cluster. Builds what is missing: Chromium (apt), the TypeScript
# client and its WebAssembly (app/client/build.sh), the program to SBF (tests/sbf/build.sh), the cluster
# (crates/margin-localnet/build.sh, 12-20 min the first time) and the `margin` and `margin-liquidator` binaries.
# Screenshots go to test/artifacts (MARGIN_WEB_ARTIFACTS to change).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if ! command -v "${CHROMIUM:-chromium}" >/dev/null; then
    sudo_if_needed=""; [ "$(id -u)" = 0 ] || sudo_if_needed="sudo"
    $sudo_if_needed apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq chromium >/dev/null
fi
(cd "$root/app/client" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && bash build.sh >/dev/null && npm run -s bundle >/dev/null)
program="$(bash "$root/tests/sbf/build.sh" | tail -n 1)"
cluster="$(bash "$root/crates/margin-localnet/build.sh" | tail -n 1)"
(cd "$root" && cargo build --locked -q -p margin-cli -p margin-liquidator --bins)
cd "$here"
npx tsc --noEmit -p .
npx vite build --logLevel warn
MARGIN_BIN="$CARGO_TARGET_DIR/debug/margin" MARGIN_LIQUIDATOR="$CARGO_TARGET_DIR/debug/margin-liquidator" \
    MARGIN_LOCALNET_CLUSTER="$cluster" MARGIN_PROGRAM_SO="$program" CHROMIUM="$(command -v "${CHROMIUM:-chromium}")" \
    node --test --test-concurrency=1 test/
