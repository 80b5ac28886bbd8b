// Everything the app shows, read over JSON-RPC: the group, its banks (getProgramAccounts by discriminator and
// group), their price accounts, pending proposals, the wallet's margin accounts and token balances, and the
// Clock sysvar's time; loaded into the WebAssembly snapshot, whose numbers are the program's own.
import {
  type Address,
  type Base58EncodedBytes,
  type ReadonlyUint8Array,
  type Rpc,
  type SolanaRpcApi,
  address,
  getBase58Decoder,
  getBase64Encoder,
} from '@solana/kit';
import {
  type Bank,
  type Group,
  type MarginAccount,
  type Proposal,
  BANK_DISCRIMINATOR,
  GROUP_DISCRIMINATOR,
  MARGIN_ACCOUNT_DISCRIMINATOR,
  MARGIN_PROGRAM_ADDRESS,
  PROPOSAL_DISCRIMINATOR,
  ProposalState,
  associatedTokenAddress,
  clock,
  decodeEvents,
  getBankDecoder,
  getGroupDecoder,
  getMarginAccountDecoder,
  getProposalDecoder,
  priceAccounts,
  tokenAccountAmount,
} from '@margin/client';
import { MarginSnapshot } from './wasm';
import { symbolOf } from './symbols';

export type Raw = { address: Address; owner: Address; data: Uint8Array };
export type BankRow = { address: Address; bank: Bank; symbol: string; market: Market; priceOwner: Address | null; priceData: Uint8Array | null };
export type AccountRow = { address: Address; account: MarginAccount; data: Uint8Array };
export type ProposalRow = { address: Address; proposal: Proposal };

/** The WASM `market()` JSON (crates/margin-wasm/src/market.rs). */
export type Market = {
  bank: string; mint: string; tokenProgram: string; decimals: number;
  status: 'Active' | 'ReduceOnly' | 'Paused'; pausedUntil: string | null; isolatedOnly: boolean;
  price: { error: string } | {
    price: string; conf: string; emaPrice: string; emaConf: string; publishTime: string; ageSeconds: string; dynamicExtraBps: number;
    onFallback: boolean;
    derived: { unusable: string } | Prices;
  };
  deposits: string; borrows: string; utilizationBps: number; borrowRateBps: number; depositRateBps: number;
  depositCap: string; borrowCap: string; maxUtilizationBps: number; borrowable: string; depositable: string;
  maxAgeSeconds: number; maxConfOpenBps: number;
  dynamic: { divergenceMultiplierBps: number; expansionMultiplierBps: number; maxExtraBps: number };
  weights: { initAsset: number; maintAsset: number; initLiability: number; maintLiability: number };
  /** The bank's fallback price feed (a Switchboard pull feed), when it has one. */
  fallback: { priceAccount: string; maxDivergenceBps: number } | null;
  /** Size-aware Init weights, when on: beyond `depthUsd` of one position, the Init weight loses (or gains) the haircut. */
  size: { depthUsd: string; excessHaircutBps: number } | null;
};
export type Prices = {
  oracle: string; initAsset: string; maintAsset: string; initLiability: string; maintLiability: string; usableToOpen: boolean;
  haircutBps: { initAsset: number; maintAsset: number; initLiability: number; maintLiability: number };
};

/** What the RPC could not do: the endpoint, and why. */
export class RpcUnavailable extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(`The RPC at ${url} does not answer (${cause instanceof Error ? cause.message : String(cause)}).`);
  }
}

const base58 = (bytes: Uint8Array | ReadonlyUint8Array) => getBase58Decoder().decode(bytes) as Base58EncodedBytes;
const bytes = (base64: string) => getBase64Encoder().encode(base64) as Uint8Array;

async function programAccounts(rpc: Rpc<SolanaRpcApi>, discriminator: ReadonlyUint8Array, filters: { offset: bigint; address: Address }[]): Promise<Raw[]> {
  const found = await rpc
    .getProgramAccounts(MARGIN_PROGRAM_ADDRESS, {
      encoding: 'base64',
      commitment: 'confirmed',
      filters: [
        { memcmp: { offset: 0n, bytes: base58(discriminator), encoding: 'base58' } },
        ...filters.map(({ offset, address: value }) => ({ memcmp: { offset, bytes: value as unknown as Base58EncodedBytes, encoding: 'base58' as const } })),
      ],
    })
    .send();
  return found.map((entry) => ({ address: entry.pubkey, owner: entry.account.owner, data: bytes(entry.account.data[0]) }));
}

async function accounts(rpc: Rpc<SolanaRpcApi>, addresses: Address[]): Promise<(Raw | null)[]> {
  if (addresses.length === 0) return [];
  const { value } = await rpc.getMultipleAccounts(addresses, { encoding: 'base64', commitment: 'confirmed' }).send();
  return value.map((account, index) => (account ? { address: addresses[index], owner: account.owner, data: bytes(account.data[0]) } : null));
}

/** Every group of the program on this cluster. */
export async function listGroups(rpc: Rpc<SolanaRpcApi>): Promise<{ address: Address; group: Group }[]> {
  const found = await programAccounts(rpc, GROUP_DISCRIMINATOR, []);
  return found.map((raw) => ({ address: raw.address, group: getGroupDecoder().decode(raw.data) }));
}

export type Loaded = {
  now: bigint;
  group: { address: Address; group: Group };
  banks: BankRow[];
  proposals: ProposalRow[];
  accounts: AccountRow[];
  /** Native units of each bank's mint in the wallet's associated token account (0 when it has none). */
  balances: Map<Address, bigint>;
  /** The owner's associated token account of each bank's mint. */
  tokenAccounts: Map<Address, { address: Address; exists: boolean }>;
  snapshot: MarginSnapshot;
};

/** Loads the group, its banks and prices, pending proposals and `owner`'s accounts and balances. */
export async function loadGroup(rpc: Rpc<SolanaRpcApi>, groupAddress: Address, owner: Address | null): Promise<Loaded> {
  const [groupRaw] = await accounts(rpc, [groupAddress]);
  if (!groupRaw || groupRaw.owner !== MARGIN_PROGRAM_ADDRESS) throw new Error(`No Margin group at ${groupAddress} on this cluster.`);
  const group = getGroupDecoder().decode(groupRaw.data);
  const now = await clock(rpc);
  const bankRaws = await programAccounts(rpc, BANK_DISCRIMINATOR, [{ offset: 8n, address: groupAddress }]);
  const decoded = bankRaws.map((raw) => ({ raw, bank: getBankDecoder().decode(raw.data) }));
  const prices = await accounts(rpc, decoded.flatMap(({ bank }) => priceAccounts(bank)));
  const proposalRaws = await programAccounts(rpc, PROPOSAL_DISCRIMINATOR, [{ offset: 8n, address: groupAddress }]);
  const proposals = proposalRaws
    .map((raw) => ({ address: raw.address, proposal: getProposalDecoder().decode(raw.data) }))
    .filter(({ proposal }) => proposal.state === ProposalState.Pending)
    .sort((a, b) => Number(a.proposal.id - b.proposal.id));
  const accountRaws = owner
    ? await programAccounts(rpc, MARGIN_ACCOUNT_DISCRIMINATOR, [{ offset: 8n, address: groupAddress }, { offset: 40n, address: owner }])
    : [];
  const snapshot = new MarginSnapshot(now);
  for (const { raw } of decoded) snapshot.addBank(raw.address, raw.data);
  prices.forEach((price) => price && snapshot.addPrice(price.address, price.owner, price.data));
  for (const raw of accountRaws) snapshot.addAccount(raw.address, raw.data);
  const banks: BankRow[] = decoded.map(({ raw, bank }, index) => ({
    address: raw.address,
    bank,
    symbol: symbolOf(bank.feedId as Uint8Array, bank.mint),
    market: JSON.parse(snapshot.market(raw.address)) as Market,
    priceOwner: prices[index]?.owner ?? null,
    priceData: prices[index]?.data ?? null,
  }));
  banks.sort((a, b) => a.symbol.localeCompare(b.symbol));
  const balances = new Map<Address, bigint>();
  const tokenAccounts = new Map<Address, { address: Address; exists: boolean }>();
  if (owner) {
    const atas = await Promise.all(banks.map(({ bank }) => associatedTokenAddress(owner, bank.mint, bank.tokenProgram)));
    const fetched = await accounts(rpc, atas);
    banks.forEach(({ address: bank }, index) => {
      balances.set(bank, fetched[index] ? tokenAccountAmount(fetched[index].data) : 0n);
      tokenAccounts.set(bank, { address: atas[index], exists: fetched[index] !== null });
    });
  }
  const accountRows = accountRaws
    .map((raw) => ({ address: raw.address, account: getMarginAccountDecoder().decode(raw.data), data: raw.data }))
    .sort((a, b) => a.account.index - b.account.index);
  return { now, group: { address: groupAddress, group }, banks, proposals, accounts: accountRows, balances, tokenAccounts, snapshot };
}

/** One event of an account's history. */
export type HistoryEntry = { signature: string; time: bigint | null; name: string; fields: Record<string, unknown> };

/** Events of the program in `account`'s latest transactions (newest first), those naming the account. Fetched
 * transactions are kept in `seen` so that a refresh reads only new ones. */
export async function loadHistory(rpc: Rpc<SolanaRpcApi>, account: Address, seen: Map<string, HistoryEntry[]>, limit = 25): Promise<HistoryEntry[]> {
  const signatures = await rpc.getSignaturesForAddress(account, { limit, commitment: 'confirmed' }).send();
  const entries: HistoryEntry[] = [];
  for (const { signature, blockTime, err } of signatures) {
    if (err) continue;
    let events = seen.get(signature);
    if (!events) {
      const transaction = await rpc.getTransaction(signature, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }).send();
      const logs = transaction?.meta?.logMessages ?? [];
      events = decodeEvents(logs)
        .filter((event) => event.fields.account === account)
        .map((event) => ({ signature, time: blockTime ?? null, name: event.name, fields: event.fields }));
      seen.set(signature, events);
    }
    entries.push(...events);
  }
  return entries;
}

export { address };
