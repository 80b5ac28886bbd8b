#!/usr/bin/env bash
# Builds programs/margin (Anchor 1.2.2, which needs std) to an SBF .so without Solana's platform-tools, which
# cannot be downloaded here (../../docs/PERFORMANCE.md, "The whole program on SBF"). The route:
#   - rustup's nightly 1.101.0 (2026-10-29, LLVM 23.1.4) with rust-src: std built from source (-Zbuild-std) for
#     a custom target, bpfel-unknown-solana.json (bpfel-unknown-none with os=solana, atomic-cas, min atomic 8);
#   - std patched (std-solana.patch): Solana joins std's no-threads paths, a null System allocator (the
#     entrypoint's bump allocator serves), panics and aborts call the `abort` syscall;
#   - atomics lowered to plain loads and stores (-C passes=lower-atomic: one thread);
#   - sbpf-linker 0.2.6 (crates.io) links to SBPF v3, with the nightly's own libLLVM.
# Installs what is missing (rustup nightly + rust-src, cargo install sbpf-linker); nothing from GitHub.
# Output: the .so path on the last line. Usage: bash tests/sbf/build.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${MARGIN_CACHE:-$HOME/.cache/margin}/sbf"
pinned_date="2026-10-29"
mkdir -p "$cache"

rustup toolchain list | grep '^nightly' >/dev/null || rustup toolchain install nightly --profile minimal --component rust-src
# A machine may come with an older nightly (this kind ships 1.97.0-nightly of 2026-05-19, LLVM 22, on which the
# link fails): update it when it predates the pinned one or its LLVM is older than 23.
llvm_major="$(rustc +nightly -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')"
current_date="$(rustc +nightly -vV | sed -n 's/^commit-date: //p')"
if [ "${llvm_major:-0}" -lt 23 ] || [[ "$current_date" < "$pinned_date" ]]; then
    echo "updating rustup's nightly ($current_date, LLVM $llvm_major): the route needs $pinned_date, LLVM 23" >&2
    rustup update nightly >&2
fi
nightly="$(rustup +nightly which rustc | xargs dirname | xargs dirname)"
[ -d "$nightly/lib/rustlib/src/rust/library" ] || rustup component add rust-src --toolchain nightly
date="$(rustc +nightly -vV | sed -n 's/^commit-date: //p')"
if [ "$date" != "$pinned_date" ]; then
    echo "warning: nightly is $date, the route was made with $pinned_date (rustup offers no dated nightlies here);" >&2
    echo "         std-solana.patch may not apply" >&2
fi
command -v sbpf-linker >/dev/null || cargo install sbpf-linker --version 0.2.6 --locked
sbpf-linker --version | grep '0.2.6' >/dev/null || echo "warning: sbpf-linker is not 0.2.6" >&2

# std's sources, patched once per nightly.
library="$cache/rust-src-$date/library"
if [ ! -d "$library" ]; then
    rm -rf "$cache/rust-src-$date.partial" && mkdir -p "$cache/rust-src-$date.partial"
    cp -r "$nightly/lib/rustlib/src/rust/library" "$cache/rust-src-$date.partial/"
    (cd "$cache/rust-src-$date.partial/library" && patch -s -p1 < "$here/std-solana.patch")
    mv "$cache/rust-src-$date.partial" "$cache/rust-src-$date"
fi
# sbpf-linker loads the first libLLVM on LD_LIBRARY_PATH: a folder holding only the nightly's.
mkdir -p "$cache/llvm23" && ln -sf "$nightly"/lib/libLLVM.so.23.1-rust-* "$cache/llvm23/"
sed "s#ROUTE_DIR#$here#g; s#NIGHTLY_RUSTC#$nightly/bin/rustc#g" "$here/sbf-config.toml" > "$cache/config.toml"

export LD_LIBRARY_PATH="$cache/llvm23" RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1 \
    CARGO_TARGET_DIR="$cache/target" __CARGO_TESTS_ONLY_SRC_ROOT="$library"
cd "$root"
built="$cache/target/bpfel-unknown-solana/release/libmargin.so"
# A failed link leaves the previous .so in place: remove it, and fail on cargo's own status.
rm -f "$built"
build_status=0
"$nightly/bin/cargo" --config "$cache/config.toml" build --release -p margin >"$cache/build.log" 2>&1 || build_status=$?
if [ "$build_status" -ne 0 ] || [ ! -f "$built" ]; then
    grep -E "^error|ERROR|Error" "$cache/build.log" | sort | uniq -c | sort -rn | head -20 >&2 || true
    echo "no .so (cargo exit $build_status): see $cache/build.log" >&2
    exit 1
fi
# program-test loads `<name>.so` from SBF_OUT_DIR (see crates/margin-sdk's margin_program_test).
cp "$built" "$cache/margin.so"
echo "$cache/margin.so"
