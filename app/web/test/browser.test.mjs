// The web app in real Chromium (Debian's, driven by playwright-core) against the real local cluster (issue 22's
// localnet: the program's SBF build in surfpool), with a Wallet Standard test wallet registered in the page that
// signs with the localnet trader's keypair. No mock of the chain: every number checked is read back over
// JSON-RPC or computed by the WebAssembly build in node. A trader connects, opens an account, deposits, borrows
// the max (one unit more is refused with the program's message), a wallet refusal, an RPC outage and a stale
// price each send nothing; SOL crashes, the health bar turns red, and the liquidator bot's liquidation appears
// in the history. Screenshots are kept in test/artifacts (or $MARGIN_WEB_ARTIFACTS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { address, createSolanaRpc } from '@solana/kit';
import * as client from '../../client/dist/index.mjs';
import { installTestWallet } from './wallet.mjs';
import { freePort, startLocalnet, stop, until } from '../../client/test/localnet.mjs';

const { MarginSnapshot } = createRequire(import.meta.url)('../../client/wasm/node/margin_wasm.js');
const { MARGIN_BIN, MARGIN_LIQUIDATOR, MARGIN_LOCALNET_CLUSTER, MARGIN_PROGRAM_SO } = process.env;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const skip = MARGIN_BIN && MARGIN_LIQUIDATOR && MARGIN_LOCALNET_CLUSTER && MARGIN_PROGRAM_SO ? false : 'needs the localnet: app/web/test/run.sh';
const artifacts = process.env.MARGIN_WEB_ARTIFACTS ?? new URL('./artifacts', import.meta.url).pathname;

test('a trader in Chromium: connect, open, deposit, borrow to max, +1 refused, refusals send nothing, a crash turns the bar red, the bot liquidates', { skip, timeout: 600_000 }, async () => {
  mkdirSync(artifacts, { recursive: true });
  const state = mkdtempSync(join(tmpdir(), 'margin-web-'));
  // Whatever has started is stopped in `finally`, whichever step fails (a missing browser included).
  let net = null;
  let server = null;
  let browser = null;
  let bot = null;
  try {
    net = await startLocalnet(state);
    const { summary } = net;
    server = await preview({ root: new URL('..', import.meta.url).pathname, preview: { port: await freePort(), strictPort: true, host: '127.0.0.1' }, logLevel: 'warn' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const rpc = createSolanaRpc(summary.rpc_url);
    const wallet = (name) => summary.wallets.find((entry) => entry.name === name);
    const bankOf = (name) => summary.banks.find((bank) => bank.name === name);
    const balance = async (name, bank) => BigInt((await rpc.getTokenAccountBalance(address(wallet(name).token_accounts[bank])).send()).value.amount);
    const margin = (...args) => execFileSync(MARGIN_BIN, ['localnet', ...args], { encoding: 'utf8' });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const trader = await installTestWallet(page, JSON.parse(readFileSync(wallet('trader').keypair, 'utf8')));
    assert.equal(trader.address, wallet('trader').pubkey);
    const appUrl = `${server.resolvedUrls.local[0]}?cluster=localnet&rpc=${encodeURIComponent(summary.rpc_url)}&group=${summary.group}`;

    // Markets: every bank with its price and haircuts, the Token-2022 bank marked.
    await page.goto(`${appUrl}#markets`);
    const solRow = page.locator('tr[data-bank="SOL"]');
    await solRow.waitFor();
    assert.match(await solRow.innerText(), /\$150 ± \$0\.075/);
    assert.match(await solRow.innerText(), /assets -0\.10 % \/ -0\.05 %/);
    assert.match(await page.locator('tr[data-bank="USDT"]').innerText(), /Token-2022/);
    assert.equal(await page.locator('tr[data-bank]').count(), summary.banks.length);
    // A governance change proposed by the admin shows as pending, with what it changes and its eta.
    execFileSync(MARGIN_BIN, ['gov', 'propose-bank-change', bankOf('SOL').bank, 'init_asset_weight_bps=8100', '--url', summary.rpc_url, '--keypair', wallet('admin').keypair]);
    const proposal = page.locator('tr[data-proposal]');
    await proposal.waitFor({ timeout: 30_000 });
    assert.match(await proposal.innerText(), /bank SOL\s+risk\.initAssetWeightBps: 8000 → 8100\s+.*\(in (1 d 23 h|2 d)\)/);
    await page.screenshot({ path: join(artifacts, 'markets.png'), fullPage: true });

    // Connect and open a cross account.
    await page.getByRole('button', { name: 'Connect Test Wallet' }).click();
    await page.locator(`[data-connected="${trader.address}"]`).waitFor();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Open account #0' }).click();
    const account = await client.marginAccountAddress(address(summary.group), address(trader.address), 0);
    await page.locator(`article[data-account="${account}"]`).waitFor({ timeout: 30_000 });
    const signatures = async () => (await rpc.getSignaturesForAddress(account).send()).length;

    const form = page.locator('form.action');
    const act = async (action, token, amount) => {
      await form.getByRole('radio', { name: action }).check();
      await form.getByLabel('Token').selectOption({ label: token });
      if (amount === 'max') await form.getByRole('button', { name: 'Max' }).click();
      else await form.getByLabel(/^Amount/).fill(amount);
    };
    const submit = async () => {
      await form.locator('button[type=submit]').click();
      const outcome = form.locator('[data-outcome]');
      await outcome.waitFor({ timeout: 60_000 });
      return { kind: await outcome.getAttribute('data-outcome'), text: await outcome.innerText() };
    };

    // Deposit 10 SOL: the wallet's SOL leaves, the position shows it.
    const solBefore = await balance('trader', 'SOL');
    await act('deposit', 'SOL', '10');
    assert.match(await form.locator('[data-preview]').innerText(), /After: Init \$1,198\.80/);
    assert.deepEqual(await submit(), { kind: 'ok', text: await form.locator('[data-outcome]').innerText() });
    assert.equal(await balance('trader', 'SOL'), solBefore - 10_000_000_000n);
    await until('the SOL position', async () => (await page.locator('tr[data-position="SOL"]').count()) === 1);

    // Borrow USDC: Max is the WebAssembly max computed here in node, to the unit.
    const snapshotNow = () => client.loadSnapshot(rpc, (now) => new MarginSnapshot(now), [account], [address(bankOf('USDC').bank)]);
    const most = (await snapshotNow()).maxBorrow(account, bankOf('USDC').bank);
    await act('borrow', 'USDC', 'max');
    const shown = await form.getByLabel(/^Amount/).inputValue();
    assert.equal(BigInt(shown.replace('.', '').padEnd(shown.includes('.') ? shown.indexOf('.') + 6 : shown.length + 6, '0')), most, `Max showed ${shown}`);
    // One native unit more: the form warns, and the program refuses by name; nothing moves.
    const plusOne = (most + 1n).toString().padStart(7, '0');
    await form.getByLabel(/^Amount/).fill(`${plusOne.slice(0, -6)}.${plusOne.slice(-6)}`);
    assert.match(await form.locator('[data-preview]').innerText(), /Init would be negative/);
    const usdcBefore = await balance('trader', 'USDC');
    const sentBefore = await signatures();
    const refused = await submit();
    assert.equal(refused.kind, 'refused');
    assert.match(refused.text, /The program refused: InitHealthNegative: init health would be negative.*Nothing was sent\./);
    assert.equal(await balance('trader', 'USDC'), usdcBefore);
    await page.screenshot({ path: join(artifacts, 'account-refused.png'), fullPage: true });
    // The max itself goes through: exactly that much arrives.
    await act('borrow', 'USDC', 'max');
    assert.equal((await submit()).kind, 'ok');
    assert.equal(await balance('trader', 'USDC'), usdcBefore + most);
    assert.equal(await signatures(), sentBefore + 1);
    await until('the USDC debt', async () => (await page.locator('tr[data-position="USDC"]').count()) === 1);
    assert.match(await page.locator('tr[data-position="SOL"] [data-liquidation-price]').innerText(), /^\$1\d\d\./);
    // At the max, a second of interest can take Init just below 0 (amber); far from liquidatable.
    assert.match(await page.locator('[data-health]').getAttribute('data-health'), /^(healthy|at-risk)$/);
    await page.screenshot({ path: join(artifacts, 'account.png'), fullPage: true });

    // A Token-2022 bank: USDT moves through the Token-2022 program.
    const usdtBefore = await balance('trader', 'USDT');
    await act('deposit', 'USDT', '5');
    assert.equal((await submit()).kind, 'ok');
    assert.equal(await balance('trader', 'USDT'), usdtBefore - 5_000_000n);
    const sentAfterDeposits = await signatures();

    // An isolated account beside the cross one.
    await page.getByLabel('New account').selectOption({ label: 'Isolated (one ring-fenced position)' });
    await page.getByRole('button', { name: 'Open account #1' }).click();
    await page.getByRole('button', { name: 'Isolated #1' }).waitFor({ timeout: 30_000 });
    const isolated = client.fetchMarginAccount(rpc, await client.marginAccountAddress(address(summary.group), address(trader.address), 1));
    assert.equal((await isolated).data.kind, client.AccountKind.Isolated);
    assert.equal(await page.getByRole('button', { name: 'Cross #0' }).getAttribute('aria-pressed'), 'true');

    // The wallet rejects the signature: a clear message, nothing sent.
    trader.state.rejectNext = true;
    await act('deposit', 'SOL', '1');
    const declined = await submit();
    assert.equal(trader.state.rejected, 1);
    assert.match(declined.text, /The wallet declined to sign: .*User rejected the request.*Nothing was sent\./);
    assert.equal(await signatures(), sentAfterDeposits);

    // The RPC is down: a clear message, nothing sent.
    const rpcDown = (url) => new URL(url).port === String(net.rpcPort);
    await page.route(rpcDown, (route) => route.abort('connectionrefused'));
    await act('deposit', 'SOL', '1');
    const down = await submit();
    assert.match(down.text, new RegExp(`The RPC at ${summary.rpc_url.replace(/\./g, '\\.')} does not answer.*Nothing was sent\\.`));
    await page.locator('[data-load-error]').waitFor();
    await page.unroute(rpcDown);
    await until('the page reads the chain again', async () => (await page.locator('[data-load-error]').count()) === 0);
    assert.equal(await signatures(), sentAfterDeposits);
    assert.equal(await balance('trader', 'SOL'), solBefore - 10_000_000_000n);

    // SOL's feed stops and the clock passes its max age: the stale price is named and the action cannot be sent.
    margin('outage', 'SOL', 'on', '--state', state);
    margin('warp', '120', '--url', summary.rpc_url);
    await act('withdraw', 'SOL', '1');
    const problem = form.locator('[data-problem]');
    await until('the stale price is shown', async () => /StalePrice/.test((await problem.allInnerTexts()).join(' ')));
    assert.equal(await form.locator('button[type=submit]').isDisabled(), true);
    await page.screenshot({ path: join(artifacts, 'stale-price.png'), fullPage: true });
    margin('outage', 'SOL', 'off', '--state', state);
    await until('a fresh price again', async () => (await problem.count()) === 0, 30_000);
    assert.equal(await signatures(), sentAfterDeposits);

    // Keyboard and labels: every field has a name; Tab from the amount reaches Max, Enter fills it.
    assert.equal(await page.locator('input:not([type=radio]), select').evaluateAll((fields) => fields.filter((field) => field.labels.length === 0 && !field.getAttribute('aria-label')).length), 0);
    await act('deposit', 'SOL', '');
    await form.getByLabel(/^Amount/).focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Max');
    await page.keyboard.press('Enter');
    assert.notEqual(await form.getByLabel(/^Amount/).inputValue(), '');

    // Phone width: nothing overflows the page (tables scroll inside their box).
    await page.setViewportSize({ width: 390, height: 844 });
    const overflowing = () => page.evaluate(() => [...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > 391 && !element.closest('.scroll')).map((element) => `${element.tagName}.${element.className}: ${element.textContent.slice(0, 40)}`));
    await until('the layout fits 390 px', async () => (await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 5_000).catch(async (error) => {
      throw new Error(`${error.message}: ${(await overflowing()).join(' | ')}`);
    });
    await page.screenshot({ path: join(artifacts, 'account-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // SOL crashes 15 %: the health bar turns red (liquidatable by the program's code).
    margin('crash', 'SOL', '15', '--state', state);
    await until('the account is shown liquidatable', async () => (await page.locator('[data-health="liquidatable"]').count()) === 1);
    assert.equal((await snapshotNow()).isLiquidatable(account), true);
    await page.screenshot({ path: join(artifacts, 'liquidatable.png'), fullPage: true });

    // The liquidator bot acts; its liquidation appears in the history, named with the bot's wallet.
    bot = spawn(MARGIN_LIQUIDATOR, ['--config', join(state, 'liquidator.toml')], { stdio: 'ignore' });
    await page.getByRole('link', { name: 'History' }).click();
    const liquidated = page.locator('li[data-event="Liquidated"]').first();
    await liquidated.waitFor({ timeout: 120_000 });
    const liquidator = wallet('liquidator').pubkey;
    assert.match(await liquidated.innerText(), new RegExp(`Liquidated by ${liquidator.slice(0, 4)}…${liquidator.slice(-4)}: repaid [\\d,.]+ USDC, seized [\\d,.]+ SOL`));
    assert.ok((await page.locator('li[data-event="Borrowed"]').count()) >= 1);
    await page.screenshot({ path: join(artifacts, 'history.png'), fullPage: true });
    // SOL falls 90 % from its path: the bot takes the rest of the collateral and the debt left is written off,
    // the USDC insurance paying; the history says so in words.
    margin('crash', 'SOL', '90', '--state', state);
    const writtenOff = page.locator('li[data-event="BankruptcyResolved"]').first();
    await writtenOff.waitFor({ timeout: 120_000 });
    assert.match(await writtenOff.innerText(), /Bad debt written off: [\d,.]+ USDC; insurance paid [\d,.]+ USDC, depositors bore 0 USDC\./);
    await page.screenshot({ path: join(artifacts, 'history-bankruptcy.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  } finally {
    await stop(bot);
    await browser?.close();
    if (server) await new Promise((resolve) => server.httpServer.close(resolve));
    await stop(net?.child);
  }
});
