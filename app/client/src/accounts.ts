// Remaining accounts in the program's order (crates/margin-sdk/src/accounts.rs): a health check reads, for each
// used position in account order, its bank, the bank's price account and, when the bank has one, its fallback
// price account (a Switchboard pull feed), all read-only; resolve_bankruptcy takes the same list with the banks
// writable (forfeit dust is burned in them).
import { AccountRole, type AccountMeta, type Address } from '@solana/kit';
import type { Bank, MarginAccount } from './generated';

/** The program leaves a position's bank at the default address when the slot is free. */
const FREE_SLOT = '11111111111111111111111111111111';

/** A bank's address with its decoded account: what the builders read vaults, mint and token program from. */
export type BankInfo = { address: Address; bank: Bank };

/** The banks of the account's used positions, in account order. */
export function positionBanks(account: MarginAccount): Address[] {
  return account.positions.map((position) => position.bank).filter((bank) => bank !== FREE_SLOT);
}

function bankOf(banks: ReadonlyMap<Address, BankInfo>, address: Address): BankInfo {
  const info = banks.get(address);
  if (!info) throw new Error(`UnknownBank: the account has a position in bank ${address}, which was not given`);
  return info;
}

/** A bank's price accounts: its Pyth account, then its fallback's when it has one. */
export function priceAccounts(bank: Bank): Address[] {
  return bank.fallback.priceAccount === FREE_SLOT ? [bank.priceAccount] : [bank.priceAccount, bank.fallback.priceAccount];
}

/** One bank's part of a health check: the bank, then its price accounts, read-only. */
function bankMetas(info: BankInfo): AccountMeta[] {
  return [info.address, ...priceAccounts(info.bank)].map((address) => ({ address, role: AccountRole.READONLY }));
}

/** Remaining accounts of a health check of `account` as it stands (liquidate). */
export function healthAccounts(account: MarginAccount, banks: ReadonlyMap<Address, BankInfo>): AccountMeta[] {
  return positionBanks(account).flatMap((address) => bankMetas({ address, bank: bankOf(banks, address).bank }));
}

/** Remaining accounts of a health check after an action on `acted` (withdraw, borrow): the bank and its price
 * accounts are appended when the account has no position in it yet (the action opens the next free slot). */
export function healthAccountsAfter(account: MarginAccount, acted: BankInfo, banks: ReadonlyMap<Address, BankInfo>): AccountMeta[] {
  const metas = healthAccounts(account, banks);
  if (!positionBanks(account).includes(acted.address)) metas.push(...bankMetas(acted));
  return metas;
}

/** Remaining accounts of `resolve_bankruptcy`: the health list with every bank writable. */
export function bankruptcyAccounts(account: MarginAccount, banks: ReadonlyMap<Address, BankInfo>): AccountMeta[] {
  const positions = new Set(positionBanks(account));
  return healthAccounts(account, banks).map((meta) => (positions.has(meta.address) ? { ...meta, role: AccountRole.WRITABLE } : meta));
}
