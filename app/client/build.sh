#!/usr/bin/env bash
# Builds crates/margin-wasm to WebAssembly (profile `wasm`: release, optimised for size) and its JS bindings with
# wasm-bindgen-cli 0.2.130 (the version crates/margin-wasm pins; installed from crates.io when missing, about
# 11 minutes), into wasm/node (CommonJS, for node) and wasm/web (ES module, for bundlers and browsers); then
# writes the parity test's cases (test/parity.json) from the native build of the same crate, and the instruction
# cases (test/instructions.json) from the Rust SDK's builders.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
rustup target list --installed --toolchain 1.95.0 | grep -qx wasm32-unknown-unknown ||
    rustup target add wasm32-unknown-unknown --toolchain 1.95.0
command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q ' 0.2.130' ||
    cargo install wasm-bindgen-cli --version 0.2.130
cd "$root"
cargo build --locked -q -p margin-wasm --target wasm32-unknown-unknown --profile wasm
wasm="$target/wasm32-unknown-unknown/wasm/margin_wasm.wasm"
wasm-bindgen --target nodejs --out-dir "$here/wasm/node" "$wasm"
echo '{ "type": "commonjs" }' > "$here/wasm/node/package.json"   # the nodejs glue is CommonJS
wasm-bindgen --target web --out-dir "$here/wasm/web" "$wasm"
cargo run --locked -q -p margin-wasm --example parity_fixtures -- "$here/test/parity.json" "${PARITY_CASES:-100}"
cargo run --locked -q -p margin-sdk --example client_fixtures -- "$here/test/instructions.json"
echo "wasm: $(stat -c %s "$here/wasm/web/margin_wasm_bg.wasm") bytes (web), $(stat -c %s "$here/wasm/node/margin_wasm_bg.wasm") bytes (node)"
