// Builders over the generated ones for what generation leaves out: the token program, vaults and mint come from
// the decoded bank (a Token-2022 bank gets Token-2022), the margin account and proposal PDAs are derived, and
// health-reading instructions carry their remaining accounts in the program's order.
import { AccountRole, type AccountMeta, type Address, type Instruction, type TransactionSigner } from '@solana/kit';
import {
  getBorrowInstruction,
  getExecuteCorrelationGroupInstruction,
  getProposeCorrelationGroupInstruction,
  getDepositInstruction,
  getLiquidateInstruction,
  getOpenAccountInstruction,
  getRepayInstruction,
  getResolveBankruptcyInstruction,
  getWithdrawInstruction,
  type AccountKind,
  type MarginAccount,
} from './generated';
import { type BankInfo, bankruptcyAccounts, healthAccounts, healthAccountsAfter } from './accounts';
import { marginAccountAddress, proposalAddress } from './pdas';

function withRemaining<T extends Instruction>(instruction: T, remaining: AccountMeta[]): T {
  return { ...instruction, accounts: [...(instruction.accounts ?? []), ...remaining] };
}

/** open_account: `owner`'s account `index` of `kind` in `group` (its PDA). */
export async function openAccount(owner: TransactionSigner, group: Address, index: number, kind: AccountKind) {
  const account = await marginAccountAddress(group, owner.address, index);
  return getOpenAccountInstruction({ owner, group, account, index, kind });
}

/** What every token action names: the owner, the margin account (address and decoded), its group, the bank
 * acted on and the owner's token account of the bank's mint. */
export type TokenAction = {
  owner: TransactionSigner;
  account: Address;
  group: Address;
  bank: BankInfo;
  userTokenAccount: Address;
};

function tokenAccounts({ owner, account, group, bank, userTokenAccount }: TokenAction) {
  const { vault, mint, tokenProgram } = bank.bank;
  return { owner, account, group, bank: bank.address, vault, mint, userTokenAccount, tokenProgram };
}

/** deposit of `amount` native units (no price read). */
export const deposit = (action: TokenAction, amount: bigint) => getDepositInstruction({ ...tokenAccounts(action), amount });

/** repay of `amount` native units, or of the whole debt with `repayAll` (no price read). */
export const repay = (action: TokenAction, amount: bigint, repayAll = false) =>
  getRepayInstruction({ ...tokenAccounts(action), amount, repayAll });

/** withdraw of `amount`; the health accounts as the account stands after it. */
export const withdraw = (action: TokenAction, amount: bigint, state: MarginAccount, banks: ReadonlyMap<Address, BankInfo>) =>
  withRemaining(getWithdrawInstruction({ ...tokenAccounts(action), amount }), healthAccountsAfter(state, action.bank, banks));

/** borrow of `amount`; the health accounts after it (the bank's position appended when new). */
export const borrow = (action: TokenAction, amount: bigint, state: MarginAccount, banks: ReadonlyMap<Address, BankInfo>) =>
  withRemaining(getBorrowInstruction({ ...tokenAccounts(action), amount }), healthAccountsAfter(state, action.bank, banks));

/** What liquidate names. */
export type Liquidation = {
  liquidator: TransactionSigner;
  account: Address;
  group: Address;
  debt: BankInfo;
  collateral: BankInfo;
  /** The liquidator's token account of the debt mint (pays the repay and the insurance fee). */
  payFrom: Address;
  /** The liquidator's token account of the collateral mint. */
  receiveTo: Address;
  /** The liquidator's own margin account: credited with the collateral when the vault cannot pay it out. */
  receiveAccount?: Address;
};

/** liquidate, repaying at most `maxRepay`; the health accounts as the account stands. */
export function liquidate(liquidation: Liquidation, maxRepay: bigint, state: MarginAccount, banks: ReadonlyMap<Address, BankInfo>) {
  const { liquidator, account, group, debt, collateral, payFrom, receiveTo, receiveAccount } = liquidation;
  const instruction = getLiquidateInstruction({
    liquidator,
    account,
    group,
    debtBank: debt.address,
    collateralBank: collateral.address,
    debtVault: debt.bank.vault,
    collateralVault: collateral.bank.vault,
    debtInsuranceVault: debt.bank.insuranceVault,
    debtMint: debt.bank.mint,
    collateralMint: collateral.bank.mint,
    liquidatorDebtAccount: payFrom,
    liquidatorCollateralAccount: receiveTo,
    debtTokenProgram: debt.bank.tokenProgram,
    collateralTokenProgram: collateral.bank.tokenProgram,
    liquidatorAccount: receiveAccount,
    maxRepay,
  });
  return withRemaining(instruction, healthAccounts(state, banks));
}

/** resolve_bankruptcy of the debt in `bank` (anyone); every position's bank and price account follow. */
export function resolveBankruptcy(account: Address, group: Address, bank: BankInfo, state: MarginAccount, banks: ReadonlyMap<Address, BankInfo>) {
  const { vault, insuranceVault, mint, tokenProgram } = bank.bank;
  const instruction = getResolveBankruptcyInstruction({ account, group, bank: bank.address, vault, insuranceVault, mint, tokenProgram });
  return withRemaining(instruction, bankruptcyAccounts(state, banks));
}

/** A correlation group's scenario moves: one list of 16 signed bps per bank, in the banks' order. */
export type CorrelationGroup = { banks: Address[]; initScaleBps: number; movesBps: number[][] };

/** propose_correlation_group: proposal `proposalId` forming `group`'s correlation group of `banks` (an Init
 * scale of 0 and no moves dissolves); the banks follow as read-only remaining accounts. */
export async function proposeCorrelationGroup(admin: TransactionSigner, group: Address, proposalId: bigint, correlation: CorrelationGroup) {
  const proposal = await proposalAddress(group, proposalId);
  const { banks, initScaleBps, movesBps } = correlation;
  const instruction = getProposeCorrelationGroupInstruction({ payer: admin, admin, group, proposal, initScaleBps, movesBps });
  return withRemaining(instruction, banks.map((address) => ({ address, role: AccountRole.READONLY })));
}

/** execute_correlation_group (anyone, after the eta): the proposal's banks follow, writable, in its order. */
export function executeCorrelationGroup(executor: TransactionSigner, group: Address, proposal: Address, banks: Address[]) {
  const instruction = getExecuteCorrelationGroupInstruction({ executor, group, proposal });
  return withRemaining(instruction, banks.map((address) => ({ address, role: AccountRole.WRITABLE })));
}
