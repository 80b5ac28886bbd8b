#!/usr/bin/env bash
# Compute-unit bench of crates/margin-risk on SBF (see ../../docs/PERFORMANCE.md).
#
# 1. installs what is missing: Debian's rustc-web with a prebuilt core for bpfel-unknown-none, and sbpf-linker;
# 2. builds tests/bench/program to an SBPF v3 .so with upstream LLVM (../shared/TOOLCHAIN.md);
# 3. runs it in litesvm: prints operation, positions, CU; checks every result against the host; fails when a
#    budget in budgets.txt is exceeded. With an argument, also writes the table (markdown) to that file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${MARGIN_CACHE:-$HOME/.cache/margin}"
table_out="${1:-}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/bpfel-unknown-none ]; then
    echo "== installing Debian rustc-web and its bpfel-unknown-none core"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rustc-web cargo-web libstd-rust-web-dev-bpf >/dev/null
fi
if ! command -v sbpf-linker >/dev/null; then
    echo "== installing sbpf-linker 0.2.6"
    cargo install sbpf-linker --version 0.2.6 --locked
fi
# sbpf-linker dlopens the first libLLVM on LD_LIBRARY_PATH: give it a folder holding only Debian's LLVM 22.
llvm="$(ls /usr/lib/*/libLLVM.so.22.1 2>/dev/null | head -n 1)"
[ -n "$llvm" ] || { echo "libLLVM.so.22.1 not found (Debian's rustc-web brings it)" >&2; exit 1; }
mkdir -p "$cache/libllvm"
ln -sf "$llvm" "$cache/libllvm/"

echo "== building the bench program for SBF"
sbf_target="$cache/bench-sbf-target"
(cd "$here/program" && LD_LIBRARY_PATH="$cache/libllvm" CARGO_TARGET_DIR="$sbf_target" cargo build --release --locked -q)
program="$sbf_target/bpfel-unknown-none/release/libmargin_risk_bench.so"
[ -f "$program" ] || { echo "the build wrote no $program" >&2; exit 1; }
echo "   $program ($(stat -c %s "$program") bytes)"

echo "== running it in litesvm"
cd "$here/runner"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target}" cargo run --release --locked -q -- "$program" "$here/budgets.txt" ${table_out:+"$table_out"}
