// The largest account (16 positions) is liquidated in one transaction only as v0 with a lookup table: the
// remaining accounts (a bank and a price account per position) do not fit the packet as plain addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { address, createNoopSigner, getAddressDecoder } from '@solana/kit';
import * as client from '../dist/index.mjs';

const key = (seed) => getAddressDecoder().decode(new Uint8Array(32).fill(seed));

/** A bank without a fallback price source (the zero address). */
const noFallback = { maxDivergenceBps: 0, priceAccount: address('11111111111111111111111111111111') };

test('a 16-position liquidation fits the packet only as v0 with a lookup table', () => {
  const banks = new Map();
  const positions = [];
  for (let index = 0; index < 16; index += 1) {
    const bank = key(10 + index);
    banks.set(bank, {
      address: bank,
      bank: { vault: key(40 + index), insuranceVault: key(70 + index), mint: key(100 + index), tokenProgram: address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'), priceAccount: key(130 + index), fallback: noFallback },
    });
    positions.push({ bank, depositShares: index < 8 ? 1n : 0n, borrowShares: index < 8 ? 0n : 1n });
  }
  const state = { positions };
  const [debt, collateral] = [banks.get(key(18)), banks.get(key(10))];
  const liquidator = createNoopSigner(key(1));
  const instruction = client.liquidate(
    { liquidator, account: key(2), group: key(3), debt, collateral, payFrom: key(4), receiveTo: key(5), receiveAccount: key(6) },
    1000n, state, banks,
  );
  assert.equal(instruction.accounts.length, 15 + 32, 'the 15 named accounts and 2 per position');
  const plain = client.transactionSize(liquidator, [instruction]);
  assert.ok(plain > client.PACKET_DATA_SIZE, `${plain} bytes without a lookup table`);
  const table = { [key(200)]: [...banks.values()].flatMap(({ address: bank, bank: decoded }) => [bank, decoded.priceAccount]) };
  const compressed = client.transactionSize(liquidator, [instruction], table);
  assert.ok(compressed <= client.PACKET_DATA_SIZE, `${compressed} bytes with one`);
  console.log(`16 positions: ${plain} bytes plain, ${compressed} with a lookup table (limit ${client.PACKET_DATA_SIZE})`);
});
