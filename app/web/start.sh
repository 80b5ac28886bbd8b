#!/usr/bin/env bash
# The web app on the local cluster, in one command: builds what is missing (the TypeScript client and its
# WebAssembly, the program, the cluster: see crates/margin-localnet/start.sh), starts the localnet (state in
# .localnet/, RPC on 127.0.0.1:8899) and the app (built, then served by vite preview), and prints the app's URL with the localnet's
# group. Extra arguments go to `margin localnet start` (e.g. --wallet ~/.config/solana/id.json to fund your
# own wallet). Ctrl-C stops both.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
(cd "$root/app/client" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && bash build.sh >/dev/null)
(cd "$here" && { [ -d node_modules ] || npm ci --no-audit --no-fund; })
marker="$(mktemp)"
bash "$root/crates/margin-localnet/start.sh" "$@" &
localnet=$!
trap 'kill "$localnet" 2>/dev/null || true; wait "$localnet" 2>/dev/null || true; rm -f "$marker"' EXIT INT TERM
summary="$root/.localnet/localnet.json"
until [ "$summary" -nt "$marker" ]; do
    kill -0 "$localnet" 2>/dev/null || { echo "the localnet stopped: see its output above" >&2; exit 1; }
    sleep 1
done
group="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).group)' "$summary")"
cat <<TEXT

The app: http://127.0.0.1:5173/?cluster=localnet&group=$group
A wallet: point Phantom, Solflare or Backpack at http://127.0.0.1:8899 and import the localnet trader
(.localnet/trader.json, a Solana CLI keypair; funded with SOL, USDC and USDT), or start with --wallet <your
keypair file> to fund your own.
TEXT
cd "$here"
# A production build, served: React's development build throws while profiling props that hold bigints
# (every account and bank here does), so `npx vite` (dev) is for working on the app, not for trying it.
npx vite build --logLevel warn
npx vite preview --port 5173 --strictPort
