// Shared by the tests that run on the real local cluster (this folder's localnet.test.mjs, app/web's browser
// test): free ports, `margin localnet start --steady` until ready, bounded waits, a clean stop.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A port free on 127.0.0.1 now. */
export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** `margin localnet start --steady --tick 1` (binaries from `env`: MARGIN_BIN, MARGIN_LOCALNET_CLUSTER,
 * MARGIN_PROGRAM_SO) on free ports with its state in `state`; resolves once ready with the process, its RPC
 * port and its summary (localnet.json). */
export async function startLocalnet(state, env = process.env) {
  const ports = [await freePort(), await freePort(), await freePort()];
  const plan = new URL('../../../migrations/localnet.toml', import.meta.url).pathname;
  const child = spawn(env.MARGIN_BIN, [
    'localnet', 'start', '--steady', '--tick', '1', '--state', state, '--plan', plan,
    '--rpc-port', `${ports[0]}`, '--ws-port', `${ports[1]}`, '--metrics-port', `${ports[2]}`,
    '--cluster', env.MARGIN_LOCALNET_CLUSTER, '--program', env.MARGIN_PROGRAM_SO,
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the localnet was not ready within 180 s')), 180_000);
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('localnet ready')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the localnet exited (${code})`)); });
  });
  return { child, rpcPort: ports[0], summary: JSON.parse(readFileSync(join(state, 'localnet.json'), 'utf8')) };
}

/** Polls `check` until it gives a truthy value (returned), or fails after `ms`. */
export async function until(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Stops a child process (SIGTERM) and waits for it. */
export async function stop(child) {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
}
