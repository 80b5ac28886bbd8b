// The app's pure helpers (src/format.ts, src/config.ts), compiled by vite's own TypeScript transform: amounts
// are exact both ways (random native amounts round-trip through the text a trader sees), hostile typed text is
// refused by name, and the cluster and group come from the URL only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { transformWithOxc } from 'vite';

async function load(file) {
  const path = new URL(`../src/${file}`, import.meta.url);
  const { code } = await transformWithOxc(readFileSync(path, 'utf8'), path.pathname);
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
const format = await load('format.ts');
const config = await load('config.ts');

test('native units survive formatting and parsing exactly, for any amount and decimals', () => {
  let state = 0x2545f4914f6cdd1dn;
  const next = () => (state = (state * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n);
  for (let i = 0; i < 2_000; i += 1) {
    const decimals = Number(next() % 19n);
    const amount = 1n + (next() % 18446744073709551615n);
    const text = format.formatUnits(amount, decimals);
    assert.equal(format.parseUnits(text, decimals, 'T'), amount, `${amount} at ${decimals}: ${text}`);
  }
  assert.equal(format.formatUnits(1_234_500_000_000n, 9), '1,234.5');
  assert.equal(format.formatUnits(-5n, 6), '-0.000005');
  assert.equal(format.parseUnits('1,000.000001', 6, 'USDC'), 1_000_000_001n);
});

test('hostile typed amounts are refused with a named reason, never rounded', () => {
  const refused = (text, decimals, pattern) => assert.throws(() => format.parseUnits(text, decimals, 'USDC'), (error) => error instanceof format.AmountError && pattern.test(error.message), text);
  refused('', 6, /Enter an amount/);
  refused('0', 6, /above 0/);
  refused('1.0000001', 6, /USDC has 6 decimals: "1.0000001" has 7/);
  refused('-1', 6, /is not an amount/);
  refused('1e6', 6, /is not an amount/);
  refused('.', 6, /is not an amount/);
  refused('0x10', 6, /is not an amount/);
  refused('18446744073709.551616', 6, /beyond what a token account can hold/);
  assert.equal(format.parseUnits('18446744073709.551615', 6, 'USDC'), 18446744073709551615n);
});

test('quote units, prices and bps read as people read them', () => {
  assert.equal(format.formatQuote('1198800000'), '$1,198.80');
  assert.equal(format.formatQuote(-1_234_567n), '-$1.23');
  assert.equal(format.formatUsd('113.3446660000'), '$113.344');
  assert.equal(format.formatUsd('0.0000345526000'), '$0.0000345526');
  assert.equal(format.formatBps(-5), '-0.05 %');
  assert.equal(format.formatBps(12_345), '123.45 %');
  assert.equal(format.formatCompact(4_611_686_018_427_387_903n, 9), '4.61 B');
  assert.equal(format.formatCompact(1_000_000_000_000n, 6), '1 M');
  assert.equal(format.formatCompact(9_999_500_000n, 6), '9,999.5');
  assert.equal(format.formatDuration(172_799n), '1 d 23 h');
  assert.equal(format.formatDuration(3_600), '1 h');
  assert.equal(format.formatDuration(302), '5 min 2 s');
  assert.equal(format.formatDuration(45), '45 s');
  assert.equal(format.formatDuration(0), '0 s');
});

test('the cluster and group come from the URL, and bad values are reported, not guessed', () => {
  const local = config.readConfig('?group=H55hiGrJzTA99PKJYHTdHievMsS6wDkmmLygJgRYLrvD');
  assert.deepEqual(local, { cluster: { name: 'localnet', chain: 'solana:localnet', rpcUrl: 'http://127.0.0.1:8899' }, group: 'H55hiGrJzTA99PKJYHTdHievMsS6wDkmmLygJgRYLrvD', problems: [] });
  assert.equal(config.readConfig('?cluster=devnet').cluster.chain, 'solana:devnet');
  assert.equal(config.readConfig('?cluster=mainnet&rpc=https://rpc.example.org').cluster.rpcUrl, 'https://rpc.example.org');
  assert.match(config.readConfig('?cluster=moon').problems[0], /Unknown cluster "moon"/);
  assert.match(config.readConfig('?rpc=javascript:alert(1)').problems[0], /not an http\(s\) URL/);
  const bad = config.readConfig('?group=not-an-address');
  assert.equal(bad.group, null);
  assert.match(bad.problems[0], /not a base58 address/);
  assert.equal(config.withQuery('?cluster=devnet', { group: 'abc' }), '?cluster=devnet&group=abc');
});
