// Every builder of the client makes, to the byte, the instruction the Rust SDK makes for the same accounts:
// program, accounts (address and role, remaining accounts included) and data. The cases and the SDK's
// instructions come from `cargo run -p margin-sdk --example client_fixtures` (build.sh writes
// test/instructions.json); the client decodes the same bank and margin account bytes with its generated decoders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { address, createNoopSigner } from '@solana/kit';
import * as client from '../dist/index.mjs';

const fixture = JSON.parse(readFileSync(new URL('./instructions.json', import.meta.url), 'utf8'));
const bytes = (base64) => new Uint8Array(Buffer.from(base64, 'base64'));
const hexBytes = (hex) => new Uint8Array(hex.match(/../g).map((pair) => parseInt(pair, 16)));

const banks = new Map(
  fixture.banks.map(({ address: bankAddress, data }) => [bankAddress, { address: bankAddress, bank: client.getBankDecoder().decode(bytes(data)) }]),
);
const bankNamed = (name) => banks.get(fixture.banks.find((bank) => bank.name === name).address);
const state = client.getMarginAccountDecoder().decode(bytes(fixture.account.data));
const [owner, liquidator, guardian] = [fixture.owner, fixture.liquidator, fixture.guardian].map((key) => createNoopSigner(address(key)));
const account = address(fixture.account.address);
const group = address(fixture.group);
const proposal = address(fixture.proposal);
const action = (name) => ({ owner, account, group, bank: bankNamed(name), userTokenAccount: address(fixture.wallets[name]) });
const liquidation = (receiveAccount) => ({
  liquidator, account, group, debt: bankNamed('USDT'), collateral: bankNamed('SOL'),
  payFrom: address(fixture.wallets.USDT), receiveTo: address(fixture.wallets.SOL), receiveAccount,
});

/** The client's instruction for each case, from the case's inputs. */
const builders = {
  openAccount: ({ index, kind }) => client.openAccount(owner, group, index, client.AccountKind[kind]),
  closeAccount: () => client.getCloseAccountInstruction({ owner, account }),
  deposit: ({ bank, amount }) => client.deposit(action(bank), BigInt(amount)),
  withdraw: ({ bank, amount }) => client.withdraw(action(bank), BigInt(amount), state, banks),
  borrow: ({ bank, amount }) => client.borrow(action(bank), BigInt(amount), state, banks),
  borrowNewBank: ({ bank, amount }) => client.borrow(action(bank), BigInt(amount), state, banks),
  repay: ({ bank, amount }) => client.repay(action(bank), BigInt(amount)),
  repayAll: ({ bank }) => client.repay(action(bank), 0n, true),
  liquidate: ({ maxRepay }) => client.liquidate(liquidation(address(fixture.liquidatorAccount)), BigInt(maxRepay), state, banks),
  liquidateToTokensOnly: ({ maxRepay }) => client.liquidate(liquidation(undefined), BigInt(maxRepay), state, banks),
  resolveBankruptcy: ({ bank }) => client.resolveBankruptcy(account, group, bankNamed(bank), state, banks),
  accrueInterest: ({ bank }) => client.getAccrueInterestInstruction({ bank: bankNamed(bank).address }),
  sweepFees: ({ bank }) => {
    const { address: bankAddress, bank: decoded } = bankNamed(bank);
    return client.getSweepFeesInstruction({ bank: bankAddress, vault: decoded.vault, insuranceVault: decoded.insuranceVault, mint: decoded.mint, tokenProgram: decoded.tokenProgram });
  },
  addBank: async ({ bank }) => {
    const { address: bankAddress, bank: decoded } = bankNamed(bank);
    return client.getAddBankInstruction({
      payer: guardian, group, proposal, mint: decoded.mint, bank: bankAddress, vault: decoded.vault,
      insuranceVault: decoded.insuranceVault, priceAccount: decoded.priceAccount, tokenProgram: decoded.tokenProgram,
    });
  },
  pauseGroup: ({ seconds }) => client.getPauseGroupInstruction({ guardian, group, durationSeconds: seconds }),
  unpauseGroup: () => client.getUnpauseGroupInstruction({ admin: owner, group }),
  cancelProposal: () => client.getCancelProposalInstruction({ authority: guardian, group, proposal }),
  executeBankChange: ({ bank }) => client.getExecuteBankChangeInstruction({ executor: guardian, group, bank: bankNamed(bank).address, proposal }),
  executeGroupChange: () => client.getExecuteGroupChangeInstruction({ executor: guardian, group, proposal }),
  // Arguments decoded from the SDK's data by the generated codecs; the accounts and PDAs are the client's own.
  initGroup: async (_, data) => {
    const args = client.getInitGroupInstructionDataDecoder().decode(data);
    return client.getInitGroupInstruction({ payer: owner, admin: owner, group: await client.groupAddress(args.groupId), ...args });
  },
  proposeListing: async ({ bank, proposalId }, data) => {
    const { config } = client.getProposeListingInstructionDataDecoder().decode(data);
    const { mint, priceAccount } = bankNamed(bank).bank;
    const listed = await client.proposalAddress(group, BigInt(proposalId));
    return client.getProposeListingInstruction({ payer: owner, admin: owner, group, mint, priceAccount, proposal: listed, config });
  },
  proposeBankChange: async ({ bank, proposalId }, data) => {
    const { params } = client.getProposeBankChangeInstructionDataDecoder().decode(data);
    const changed = await client.proposalAddress(group, BigInt(proposalId));
    return client.getProposeBankChangeInstruction({ payer: owner, admin: owner, group, bank: bankNamed(bank).address, proposal: changed, params });
  },
  proposeGroupChange: async ({ proposalId }, data) => {
    const { admin, guardian: newGuardian, settings } = client.getProposeGroupChangeInstructionDataDecoder().decode(data);
    const changed = await client.proposalAddress(group, BigInt(proposalId));
    return client.getProposeGroupChangeInstruction({ payer: owner, admin: owner, group, proposal: changed, adminArg: admin, guardian: newGuardian, settings });
  },
  proposeCorrelationGroup: ({ banks: names, proposalId }, data) => {
    const { initScaleBps, movesBps } = client.getProposeCorrelationGroupInstructionDataDecoder().decode(data);
    const banks = names.map((name) => bankNamed(name).address);
    return client.proposeCorrelationGroup(owner, group, BigInt(proposalId), { banks, initScaleBps, movesBps });
  },
  executeCorrelationGroup: ({ banks: names }) =>
    client.executeCorrelationGroup(guardian, group, proposal, names.map((name) => bankNamed(name).address)),
  tightenBank: ({ bank }, data) => {
    const { params } = client.getTightenBankInstructionDataDecoder().decode(data);
    return client.getTightenBankInstruction({ authority: guardian, group, bank: bankNamed(bank).address, params });
  },
};

const plain = (instruction) => ({
  programAddress: instruction.programAddress,
  accounts: instruction.accounts.map(({ address: key, role }) => ({ address: key, role })),
  data: Buffer.from(instruction.data).toString('base64'),
});

for (const testCase of fixture.cases) {
  test(`${testCase.name} is the Rust SDK's instruction to the byte`, async () => {
    const build = builders[testCase.name];
    assert.ok(build, `a builder for ${testCase.name}`);
    const built = plain(await build(testCase.inputs, bytes(testCase.data)));
    assert.deepEqual(built, { programAddress: testCase.programAddress, accounts: testCase.accounts, data: testCase.data });
  });
}

test('the PDAs with argument seeds and the push feed are the program\'s', async () => {
  assert.equal(await client.groupAddress(BigInt(fixture.groupId)), fixture.group);
  assert.equal(await client.marginAccountAddress(group, owner.address, 0), fixture.account.address);
  assert.equal(await client.marginAccountAddress(group, liquidator.address, 0), fixture.liquidatorAccount);
  assert.equal(await client.proposalAddress(group, 4n), fixture.proposal);
  for (const bank of fixture.banks) {
    const decoded = banks.get(bank.address).bank;
    assert.equal(await client.bankAddress(group, decoded.mint), bank.address);
    assert.equal(await client.pushFeedAddress(hexBytes(fixture.feeds[bank.name])), decoded.priceAccount);
  }
});

test('associated token accounts are derived with each mint\'s own token program (Token-2022 too)', async () => {
  assert.equal(fixture.associated.length, 3);
  assert.ok(fixture.associated.some((entry) => entry.tokenProgram === client.TOKEN_2022_PROGRAM_ADDRESS));
  for (const { mint, tokenProgram, address } of fixture.associated) {
    assert.equal(await client.associatedTokenAddress(owner.address, mint, tokenProgram), address);
  }
  const create = client.createAssociatedTokenIdempotent(owner, owner.address, fixture.associated[1].mint, fixture.associated[1].tokenProgram, fixture.associated[1].address);
  assert.deepEqual([...create.data], [1]);
  assert.deepEqual(create.accounts.map((meta) => meta.address), [owner.address, fixture.associated[1].address, owner.address, fixture.associated[1].mint, '11111111111111111111111111111111', client.TOKEN_2022_PROGRAM_ADDRESS]);
  const account = new Uint8Array(165);
  new DataView(account.buffer).setBigUint64(64, 1_234_567n, true);
  assert.equal(client.tokenAccountAmount(account), 1_234_567n);
  assert.throws(() => client.tokenAccountAmount(new Uint8Array(40)), /WrongAccountType/);
});

test('a position in a bank the caller did not give is refused by name', () => {
  const onlySol = new Map([...banks].filter(([, info]) => info === bankNamed('SOL')));
  assert.throws(() => client.healthAccounts(state, onlySol), /UnknownBank/);
});

test('every error is named and described as the Rust SDK names it', () => {
  assert.ok(fixture.errors.length > 70, `${fixture.errors.length} errors`);
  for (const expected of fixture.errors) assert.deepEqual(client.programError(expected.code), expected);
  const known = new Set(fixture.errors.map((error) => error.code));
  for (let code = 0; code < 10_000; code += 1) if (!known.has(code)) assert.equal(client.programError(code), undefined, `code ${code}`);
  const refusal = { InstructionError: [0, { Custom: client.MARGIN_ERROR__INIT_HEALTH_NEGATIVE }] };
  assert.equal(client.programErrorOf(refusal).name, 'InitHealthNegative');
  assert.equal(client.programErrorOf({ InstructionError: [0, 'InvalidAccountData'] }), undefined);
  assert.equal(client.programErrorOf('BlockhashNotFound'), undefined);
});

/** `actual` holds every field of `expected` (nested objects too), bigints compared as decimal strings. */
function holds(actual, expected, path) {
  for (const [field, value] of Object.entries(expected)) {
    const got = actual?.[field];
    if (value !== null && typeof value === 'object') holds(got, value, `${path}.${field}`);
    else assert.equal(typeof got === 'bigint' ? got.toString() : got, value, `${path}.${field}`);
  }
}

test('events decode from the logs as the program wrote them, other lines skipped', () => {
  const events = client.decodeEvents(fixture.events.map((entry) => entry.log));
  const expected = fixture.events.filter((entry) => entry.name);
  assert.deepEqual(events.map((event) => event.name), expected.map((entry) => entry.name));
  events.forEach((event, index) => holds(event.fields, expected[index].fields, event.name));
  assert.deepEqual(client.decodeEvents(['Program data: AAAAAAAAAAA=', 'Program log: event']), []);
});
