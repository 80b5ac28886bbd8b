#!/usr/bin/env bash
# Rebuilds the program's IDL offline and fails if idl/margin.json is not current. With --write, updates it.
# The IDL is built by idl/builder (crate margin-idl): anchor-lang-idl's IdlBuilder with Anchor.toml's settings,
# the same code and output as `anchor idl build -p margin` of anchor-cli 1.2.2, without installing anchor-cli.
set -euo pipefail
cd "$(dirname "$0")/.."
built="$(mktemp)"
cargo run --locked -q -p margin-idl -- "$built"
if [ "${1:-}" = "--write" ]; then
    mv "$built" idl/margin.json
    echo "idl/margin.json written"
elif diff -u idl/margin.json "$built"; then
    echo "idl/margin.json is current"
    rm -f "$built"
else
    echo "idl/margin.json is stale: run bash idl/check.sh --write and commit it" >&2
    exit 1
fi
