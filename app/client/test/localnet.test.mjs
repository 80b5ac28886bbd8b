// The client against the program on a real local cluster (issue 23's scenario; issue 22's localnet): open,
// deposit, borrow the WebAssembly max (one unit more refused with the program's error by name), a crash, and a
// liquidation sized by the WebAssembly plan, all with @solana/kit over JSON-RPC. Runs when the localnet's
// binaries are given (MARGIN_BIN, MARGIN_LOCALNET_CLUSTER, MARGIN_PROGRAM_SO: crates/margin-localnet/e2e.sh
// sets them); bounded (127.0.0.1, free ports, deadlines; the localnet is stopped at the end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { address, createKeyPairSignerFromBytes, createSolanaRpc } from '@solana/kit';
import * as client from '../dist/index.mjs';
import { startLocalnet, stop, until } from './localnet.mjs';

const { MarginSnapshot } = createRequire(import.meta.url)('../wasm/node/margin_wasm.js');
const { MARGIN_BIN, MARGIN_LOCALNET_CLUSTER, MARGIN_PROGRAM_SO } = process.env;
const skip = MARGIN_BIN && MARGIN_LOCALNET_CLUSTER && MARGIN_PROGRAM_SO ? false : 'needs the localnet: crates/margin-localnet/e2e.sh';

test('a trader borrows the WebAssembly max, +1 is refused by name, a crash, and the client liquidates by the WebAssembly plan', { skip, timeout: 300_000 }, async () => {
  const state = mkdtempSync(join(tmpdir(), 'margin-client-localnet-'));
  const { child, summary } = await startLocalnet(state);
  try {
    const rpc = createSolanaRpc(summary.rpc_url);
    const wallet = (name) => summary.wallets.find((entry) => entry.name === name);
    const signer = async (name) => createKeyPairSignerFromBytes(new Uint8Array(JSON.parse(readFileSync(wallet(name).keypair, 'utf8'))));
    const tokenAccount = (name, bank) => address(wallet(name).token_accounts[bank]);
    const balance = async (tokenAccountAddress) => BigInt((await rpc.getTokenAccountBalance(tokenAccountAddress).send()).value.amount);
    const [trader, liquidator] = [await signer('trader'), await signer('liquidator')];
    const group = address(summary.group);
    const banks = new Map();
    for (const { bank } of summary.banks) banks.set(bank, { address: address(bank), bank: (await client.fetchBank(rpc, address(bank))).data });
    const named = (name) => banks.get(summary.banks.find((bank) => bank.name === name).bank);
    const [sol, usdc] = [named('SOL'), named('USDC')];

    await client.send(rpc, trader, [await client.openAccount(trader, group, 0, client.AccountKind.Cross)]);
    const account = await client.marginAccountAddress(group, trader.address, 0);
    const action = (bank, name) => ({ owner: trader, account, group, bank, userTokenAccount: tokenAccount('trader', name) });
    await client.send(rpc, trader, [client.deposit(action(sol, 'SOL'), 10_000_000_000n)]);

    const snapshotNow = () => client.loadSnapshot(rpc, (now) => new MarginSnapshot(now), [account], [usdc.address]);
    const most = (await snapshotNow()).maxBorrow(account, usdc.address);
    assert.ok(most > 1_130_000_000n && most < 1_145_000_000n, `${most}`);
    let stateNow = (await client.fetchMarginAccount(rpc, account)).data;
    await assert.rejects(
      client.send(rpc, trader, [client.borrow(action(usdc, 'USDC'), most + 1n, stateNow, banks)]),
      (error) => error instanceof client.Refused && error.programError?.name === 'InitHealthNegative' && error.message.startsWith('InitHealthNegative: init health would be negative'),
    );
    const before = await balance(tokenAccount('trader', 'USDC'));
    await client.send(rpc, trader, [client.borrow(action(usdc, 'USDC'), most, stateNow, banks)]);
    assert.equal(await balance(tokenAccount('trader', 'USDC')), before + most);
    assert.equal((await snapshotNow()).isLiquidatable(account), false);

    execFileSync(MARGIN_BIN, ['localnet', 'crash', 'SOL', '15', '--state', state]);
    await until('the crash reaches the price account', async () => (await snapshotNow()).isLiquidatable(account));
    const snapshot = await snapshotNow();
    const plan = JSON.parse(snapshot.liquidationPlan(account, usdc.address, sol.address, 18446744073709551615n));
    assert.ok(BigInt(plan.repay) > 0n && BigInt(plan.seizedToLiquidator) > 0n, JSON.stringify(plan));
    const [paidBefore, seizedBefore] = [await balance(tokenAccount('liquidator', 'USDC')), await balance(tokenAccount('liquidator', 'SOL'))];
    stateNow = (await client.fetchMarginAccount(rpc, account)).data;
    const liquidation = {
      liquidator, account, group, debt: usdc, collateral: sol,
      payFrom: tokenAccount('liquidator', 'USDC'), receiveTo: tokenAccount('liquidator', 'SOL'), receiveAccount: address(summary.liquidator_account),
    };
    const signature = await client.send(rpc, liquidator, [client.liquidate(liquidation, 18446744073709551615n, stateNow, banks)]);
    const paid = paidBefore - (await balance(tokenAccount('liquidator', 'USDC')));
    const seized = (await balance(tokenAccount('liquidator', 'SOL'))) - seizedBefore;
    // The plan was made a moment before the liquidation: interest accrued since moves it by a unit or so.
    const near = (actual, planned) => actual >= planned - planned / 10_000n - 2n && actual <= planned + planned / 10_000n + 2n;
    assert.ok(near(paid, BigInt(plan.repay) + BigInt(plan.insuranceFee)), `paid ${paid}, planned ${plan.repay} + ${plan.insuranceFee}`);
    assert.ok(near(seized, BigInt(plan.seizedToLiquidator)), `seized ${seized}, planned ${plan.seizedToLiquidator}`);
    // The liquidation as the program recorded it: its event, read from the transaction's logs.
    const landed = await rpc.getTransaction(signature, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }).send();
    const [liquidated] = client.decodeEvents(landed.meta.logMessages).filter((event) => event.name === 'Liquidated');
    assert.equal(liquidated.fields.liquidator, liquidator.address);
    assert.equal(liquidated.fields.account, account);
    assert.equal(liquidated.fields.repaid + liquidated.fields.insuranceFee, paid);
    assert.equal(liquidated.fields.seizedToLiquidator, seized);
    const after = await snapshotNow();
    assert.equal(after.isLiquidatable(account), false);
    assert.ok(BigInt(JSON.parse(after.health(account, 'LiqEnd')).health) >= 0n);
  } finally {
    await stop(child);
  }
});
