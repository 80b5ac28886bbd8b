// The WebAssembly build of the SDK's snapshot answers exactly what the native build does, for every exported
// function, on the same account bytes: random groups of 1–16 banks, accounts of 1–16 positions, prices
// republished from a captured mainnet PriceUpdateV2 (some stale, some too wide). The cases and the native
// answers come from `cargo run -p margin-wasm --example parity_fixtures` (build.sh writes test/parity.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { MarginSnapshot } = require('../wasm/node/margin_wasm.js');
const cases = JSON.parse(readFileSync(new URL('./parity.json', import.meta.url), 'utf8'));
const bytes = (base64) => new Uint8Array(Buffer.from(base64, 'base64'));

/** The snapshot of one case, built from its raw accounts as a client would from RPC answers. */
function snapshotOf(testCase) {
  const snapshot = new MarginSnapshot(BigInt(testCase.now));
  for (const bank of testCase.banks) snapshot.addBank(bank.address, bytes(bank.data));
  for (const price of testCase.prices) snapshot.addPrice(price.address, price.owner, bytes(price.data));
  for (const account of testCase.accounts) snapshot.addAccount(account.address, bytes(account.data));
  return snapshot;
}

/** A query's answer in the fixtures' form: { ok } with amounts as decimal strings, or { error }. */
function ask(snapshot, { call, args }) {
  try {
    switch (call) {
      case 'maxBorrow':
      case 'maxWithdraw':
        return { ok: snapshot[call](...args).toString() };
      case 'liquidationPrice':
        return { ok: snapshot.liquidationPrice(...args) ?? null };
      case 'healthAfter':
        return { ok: snapshot.healthAfter(args[0], args[1], args[2], BigInt(args[3])) };
      case 'liquidationPlan':
        return { ok: snapshot.liquidationPlan(args[0], args[1], args[2], BigInt(args[3])) };
      default:
        return { ok: snapshot[call](...args) };
    }
  } catch (error) {
    return { error: typeof error === 'string' ? error : String(error) };
  }
}

test('every exported function answers in WebAssembly exactly as natively', () => {
  const calls = new Map();
  let compared = 0;
  for (const [index, testCase] of cases.entries()) {
    const snapshot = snapshotOf(testCase);
    for (const query of testCase.queries) {
      assert.deepEqual(ask(snapshot, query), query.answer, `case ${index}: ${query.call}(${query.args.join(', ')})`);
      const kind = 'ok' in query.answer ? 'ok' : 'error';
      calls.set(`${query.call} ${kind}`, (calls.get(`${query.call} ${kind}`) ?? 0) + 1);
      compared += 1;
    }
    snapshot.free();
  }
  // Every exported query was compared on values, not only on refusals.
  for (const call of ['health', 'isLiquidatable', 'positions', 'maxBorrow', 'maxWithdraw', 'liquidationPlan', 'market', 'healthAfter', 'liquidationPrice']) {
    assert.ok((calls.get(`${call} ok`) ?? 0) > 0, `${call} answered at least once: ${[...calls]}`);
  }
  console.log(`${compared} queries over ${cases.length} groups: ${[...calls].map(([k, v]) => `${k} ${v}`).join(', ')}`);
});

test('bad input is refused by name, never a panic', () => {
  const snapshot = new MarginSnapshot(0n);
  assert.throws(() => snapshot.addBank('not-an-address', new Uint8Array(8)), (error) => error.includes('not a base58 address'));
  const someAddress = cases[0].banks[0].address;
  assert.throws(() => snapshot.addBank(someAddress, new Uint8Array(10)), (error) => error.includes('not of the expected type'));
  assert.throws(() => snapshot.addAccount(someAddress, bytes(cases[0].banks[0].data)), (error) => error.includes('not of the expected type'));
  assert.throws(() => snapshot.health(someAddress, 'Init'), (error) => error.includes(someAddress));
  assert.throws(() => snapshot.health(someAddress, 'Sideways'), (error) => error.includes('Init, LiqEnd or Maint'));
});
