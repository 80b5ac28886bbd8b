#!/usr/bin/env bash
# Rebuilds the program's IDL offline and fails if idl/margin.json is not current. With --write, updates it.
# Installs anchor-cli 1.2.2 from crates.io when missing (about 9 minutes, once per machine).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! anchor --version 2>/dev/null | grep -q "1.2.2"; then
    echo "== installing anchor-cli 1.2.2"
    cargo install anchor-cli --version 1.2.2 --locked
fi
built="$(mktemp)"
anchor idl build -p margin -o "$built" >/dev/null
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
