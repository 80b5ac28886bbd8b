// The program's health in WebAssembly (crates/margin-wasm, built by app/client/build.sh): initialised once.
import init, { MarginSnapshot } from '@margin/wasm';

let ready: Promise<unknown> | null = null;

/** Loads and instantiates the WebAssembly module (once). */
export function loadWasm(): Promise<unknown> {
  if (!ready) ready = init();
  return ready;
}

export { MarginSnapshot };
