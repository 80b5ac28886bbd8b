// Fetching what the WebAssembly snapshot computes on (crates/margin-wasm): margin accounts, their banks, the
// banks' price accounts (with owners: the program checks them) and the Clock sysvar's time, over JSON-RPC.
import { type Address, type Rpc, type SolanaRpcApi, address, getBase64Encoder } from '@solana/kit';
import { getBankDecoder, getMarginAccountDecoder } from './generated';
import { positionBanks, priceAccounts } from './accounts';

const CLOCK = address('SysvarC1ock11111111111111111111111111111111');

/** What the loader fills: the WASM build's `MarginSnapshot` (wasm/web or wasm/node). */
export interface SnapshotSink {
  addBank(address: string, data: Uint8Array): void;
  addPrice(address: string, owner: string, data: Uint8Array): void;
  addAccount(address: string, data: Uint8Array): void;
}

async function fetchRaw(rpc: Rpc<SolanaRpcApi>, addresses: Address[]) {
  const { value } = await rpc.getMultipleAccounts(addresses, { encoding: 'base64', commitment: 'confirmed' }).send();
  return value.map((account, index) => {
    if (!account) throw new Error(`UnknownAccount: ${addresses[index]} does not exist`);
    return { address: addresses[index], owner: account.owner, data: getBase64Encoder().encode(account.data[0]) as Uint8Array };
  });
}

/** The cluster clock the program reads, unix seconds. */
export async function clock(rpc: Rpc<SolanaRpcApi>): Promise<bigint> {
  const [sysvar] = await fetchRaw(rpc, [CLOCK]);
  return new DataView(sysvar.data.buffer, sysvar.data.byteOffset).getBigInt64(32, true);
}

/** A snapshot (made by `create(now)`) of `accounts`, their banks and `moreBanks`, with every price account (fallbacks too). */
export async function loadSnapshot<T extends SnapshotSink>(
  rpc: Rpc<SolanaRpcApi>,
  create: (now: bigint) => T,
  accounts: Address[],
  moreBanks: Address[] = [],
): Promise<T> {
  const snapshot = create(await clock(rpc));
  const banks = new Set<Address>(moreBanks);
  for (const account of await fetchRaw(rpc, accounts)) {
    snapshot.addAccount(account.address, account.data);
    for (const bank of positionBanks(getMarginAccountDecoder().decode(account.data))) banks.add(bank);
  }
  const fetchedBanks = await fetchRaw(rpc, [...banks]);
  const priceAddresses: Address[] = [];
  for (const bank of fetchedBanks) {
    snapshot.addBank(bank.address, bank.data);
    priceAddresses.push(...priceAccounts(getBankDecoder().decode(bank.data)));
  }
  for (const price of await fetchRaw(rpc, priceAddresses)) snapshot.addPrice(price.address, price.owner, price.data);
  return snapshot;
}
