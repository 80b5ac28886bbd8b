#!/usr/bin/env bash
# Line coverage of the program (programs/margin) and the risk engine (crates/margin-risk) by the workspace's
# tests, measured with cargo-llvm-cov, and two checks on what the tests reach:
#   - every instruction handler (`handler` of each file in programs/margin/src/instructions) runs at least once;
#   - every error variant of idl/margin.json is returned by at least one test, except the ones listed in
#     tests/coverage-unreached.txt, each with the reason no test can reach it.
# Needs: rustup's llvm-tools component and cargo-llvm-cov (installed here if missing, from rustup and crates.io).
# Usage: bash tests/coverage.sh            (about 10 minutes on 2 cores; the report is in target/llvm-cov/)
set -euo pipefail
cd "$(dirname "$0")/.."
rustup component list --installed | grep '^llvm-tools' >/dev/null || rustup component add llvm-tools
command -v cargo-llvm-cov >/dev/null || cargo install cargo-llvm-cov --version 0.9.1 --locked

seen="$(mktemp)"
export MARGIN_ERRORS_SEEN="$seen"
ignore='(crates/margin-sdk|crates/margin-cli|/tests/|tests/src|multisig)'
cargo llvm-cov clean --workspace >/dev/null
cargo llvm-cov --locked --no-report -p margin-risk -p margin -p margin-tests -p margin-sdk --features margin-sdk/program-test
cargo llvm-cov report --ignore-filename-regex "$ignore" --summary-only | tee target/coverage-summary.txt
cargo llvm-cov report --ignore-filename-regex "$ignore" --json --output-path target/coverage.json

python3 - "$seen" <<'PY'
import json, re, sys, pathlib
seen = {int(line) for line in open(sys.argv[1]) if line.strip()}
report = json.load(open("target/coverage.json"))
failed = False
# Handlers: the method named after its file (`Deposit::deposit` in deposit.rs), executed at least once.
counts = {}
for function in report["data"][0]["functions"]:
    for filename in function["filenames"]:
        match = re.search(r"programs/margin/src/instructions/(\w+)\.rs$", filename)
        if match:
            name = match.group(1)
            if re.search(rf"{len(name)}{name}(17h[0-9a-f]{{16}}E)?$", function["name"]):
                counts[name] = counts.get(name, 0) + function["count"]
instructions = sorted(p.stem for p in pathlib.Path("programs/margin/src/instructions").glob("*.rs")
                      if p.stem not in ("mod", "token_action"))
for name in instructions:
    if counts.get(name, 0) == 0:
        print(f"handler not reached: {name}"); failed = True
print(f"handlers reached: {sum(1 for n in instructions if counts.get(n, 0) > 0)} of {len(instructions)}")
# Error variants: returned to a program test, or (a risk-engine error) asserted by a margin-risk unit test.
risk_tests = ""
for path in pathlib.Path("crates/margin-risk/src").glob("*.rs"):
    text = path.read_text()
    risk_tests += text[text.find("mod tests {"):] if "mod tests {" in text else ""
errors = json.load(open("idl/margin.json"))["errors"]
excused = {}
for line in open("tests/coverage-unreached.txt"):
    if line.strip() and not line.startswith("#"):
        name, reason = line.split(":", 1)
        excused[name.strip()] = reason.strip()
by_program = [e for e in errors if e["code"] in seen]
by_unit = [e for e in errors if e["code"] not in seen and e["code"] < 6100 and f"Err(RiskError::{e['name']})" in risk_tests]
for error in errors:
    reached = error in by_program or error in by_unit
    if not reached and error["name"] not in excused:
        print(f"error not reached: {error['code']} {error['name']}"); failed = True
    if reached and error["name"] in excused:
        print(f"error listed as unreached but reached: {error['name']}"); failed = True
print(f"error variants: {len(by_program)} returned to program tests, {len(by_unit)} more asserted by margin-risk "
      f"unit tests, {len(excused)} unreachable (tests/coverage-unreached.txt), of {len(errors)}")
for error in by_unit:
    print(f"  by a unit test only: {error['name']}")
sys.exit(1 if failed else 0)
PY
