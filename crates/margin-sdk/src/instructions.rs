//! Typed builders of every margin instruction: accounts from PDAs and a bank's [`BankAddresses`], data from the
//! program's own argument types. Health-reading instructions (withdraw, borrow, liquidate) take their remaining
//! accounts from [`crate::accounts::health_accounts`]; `resolve_bankruptcy` from
//! [`crate::accounts::bankruptcy_accounts`].
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use margin::instructions::{GroupChangeArgs, InitGroupArgs, LiquidateArgs, OpenAccountArgs, RepayArgs};
use margin::state::{BankConfig, BankParams, FallbackOracle, GovernanceSettings};

use crate::addresses::{self, BankAddresses};

fn build(accounts: impl ToAccountMetas, data: impl InstructionData, remaining: Vec<AccountMeta>) -> Instruction {
    let mut metas = accounts.to_account_metas(None);
    metas.extend(remaining);
    Instruction { program_id: margin::ID, accounts: metas, data: data.data() }
}

pub use margin::state::{AccountKind, BankStatus};

/// `init_group`: creates group `group_id` (its PDA) with `admin` and `guardian`. Signers: payer, admin.
pub fn init_group(
    payer: &Pubkey,
    admin: &Pubkey,
    group_id: u64,
    guardian: &Pubkey,
    governance: GovernanceSettings,
) -> Instruction {
    let accounts = margin::accounts::InitGroup {
        payer: *payer,
        admin: *admin,
        group: addresses::group(group_id),
        system_program: system_program::ID,
    };
    let args = InitGroupArgs { group_id, guardian: *guardian, governance };
    build(accounts, margin::instruction::InitGroup { args }, vec![])
}

/// `propose_listing`: proposal `proposal_id` (the group's `proposal_count`) to list `mint` on
/// `price_account` with `config`. Signers: payer, admin.
pub fn propose_listing(
    payer: &Pubkey,
    admin: &Pubkey,
    group: &Pubkey,
    proposal_id: u64,
    (mint, price_account): (&Pubkey, &Pubkey),
    config: BankConfig,
) -> Instruction {
    let accounts = margin::accounts::ProposeListing {
        payer: *payer,
        admin: *admin,
        group: *group,
        mint: *mint,
        price_account: *price_account,
        proposal: addresses::proposal(group, proposal_id),
        system_program: system_program::ID,
    };
    build(accounts, margin::instruction::ProposeListing { config }, vec![])
}

/// `add_bank`: executes listing `proposal`, creating the bank at `bank.bank` and its vaults. Signer: payer.
pub fn add_bank(payer: &Pubkey, group: &Pubkey, proposal: &Pubkey, bank: &BankAddresses) -> Instruction {
    let accounts = margin::accounts::AddBank {
        payer: *payer,
        group: *group,
        proposal: *proposal,
        mint: bank.mint,
        bank: bank.bank,
        vault: bank.vault,
        insurance_vault: bank.insurance_vault,
        price_account: bank.price_account,
        token_program: bank.token_program,
        system_program: system_program::ID,
    };
    build(accounts, margin::instruction::AddBank {}, vec![])
}

/// `propose_bank_change`: proposal `proposal_id` to set `bank`'s parameters to `params`. Signers: payer, admin.
pub fn propose_bank_change(
    payer: &Pubkey,
    admin: &Pubkey,
    group: &Pubkey,
    proposal_id: u64,
    bank: &Pubkey,
    params: BankParams,
) -> Instruction {
    let accounts = margin::accounts::ProposeBankChange {
        payer: *payer,
        admin: *admin,
        group: *group,
        bank: *bank,
        proposal: addresses::proposal(group, proposal_id),
        system_program: system_program::ID,
    };
    build(accounts, margin::instruction::ProposeBankChange { params }, vec![])
}

/// `execute_bank_change`: applies bank `proposal` to `bank` after its eta. Signer: executor (anyone).
pub fn execute_bank_change(executor: &Pubkey, group: &Pubkey, bank: &Pubkey, proposal: &Pubkey) -> Instruction {
    let accounts =
        margin::accounts::ExecuteBankChange { executor: *executor, group: *group, bank: *bank, proposal: *proposal };
    build(accounts, margin::instruction::ExecuteBankChange {}, vec![])
}

/// `propose_fallback_oracle`: proposal `proposal_id` to set `bank`'s fallback price source (the zero address
/// removes it; the system program is then passed as the account). Signers: payer, admin.
pub fn propose_fallback_oracle(
    payer: &Pubkey,
    admin: &Pubkey,
    group: &Pubkey,
    proposal_id: u64,
    bank: &Pubkey,
    fallback: FallbackOracle,
) -> Instruction {
    let accounts = margin::accounts::ProposeFallbackOracle {
        payer: *payer,
        admin: *admin,
        group: *group,
        bank: *bank,
        fallback_price_account: fallback.price_account,
        proposal: addresses::proposal(group, proposal_id),
        system_program: system_program::ID,
    };
    build(accounts, margin::instruction::ProposeFallbackOracle { fallback }, vec![])
}

/// `execute_fallback_oracle`: applies fallback `proposal` to `bank` after its eta. Signer: executor (anyone).
pub fn execute_fallback_oracle(executor: &Pubkey, group: &Pubkey, bank: &Pubkey, proposal: &Pubkey) -> Instruction {
    let accounts = margin::accounts::ExecuteFallbackOracle {
        executor: *executor,
        group: *group,
        bank: *bank,
        proposal: *proposal,
    };
    build(accounts, margin::instruction::ExecuteFallbackOracle {}, vec![])
}

/// `propose_correlation_group`: proposal `proposal_id` forming a correlation group of `banks`, `args.moves_bps[i]`
/// the moves of `banks[i]` (or, with an Init scale of 0 and no moves, taking them out of their groups).
/// Signers: payer, admin.
pub fn propose_correlation_group(
    payer: &Pubkey,
    admin: &Pubkey,
    group: &Pubkey,
    proposal_id: u64,
    banks: &[Pubkey],
    args: margin::instructions::CorrelationGroupArgs,
) -> Instruction {
    let accounts = margin::accounts::ProposeCorrelationGroup {
        payer: *payer,
        admin: *admin,
        group: *group,
        proposal: addresses::proposal(group, proposal_id),
        system_program: system_program::ID,
    };
    let remaining = banks.iter().map(|bank| AccountMeta::new_readonly(*bank, false)).collect();
    build(accounts, margin::instruction::ProposeCorrelationGroup { args }, remaining)
}

/// `execute_correlation_group`: applies correlation-group `proposal` to its `banks` (writable, in its order)
/// after its eta. Signer: executor (anyone).
pub fn execute_correlation_group(
    executor: &Pubkey,
    group: &Pubkey,
    proposal: &Pubkey,
    banks: &[Pubkey],
) -> Instruction {
    let accounts =
        margin::accounts::ExecuteCorrelationGroup { executor: *executor, group: *group, proposal: *proposal };
    let remaining = banks.iter().map(|bank| AccountMeta::new(*bank, false)).collect();
    build(accounts, margin::instruction::ExecuteCorrelationGroup {}, remaining)
}

/// `propose_group_change`: proposal `proposal_id` of new roles and settings. Signers: payer, admin.
pub fn propose_group_change(
    payer: &Pubkey,
    admin: &Pubkey,
    group: &Pubkey,
    proposal_id: u64,
    args: GroupChangeArgs,
) -> Instruction {
    let accounts = margin::accounts::ProposeGroupChange {
        payer: *payer,
        admin: *admin,
        group: *group,
        proposal: addresses::proposal(group, proposal_id),
        system_program: system_program::ID,
    };
    build(accounts, margin::instruction::ProposeGroupChange { args }, vec![])
}

/// `execute_group_change`: applies group `proposal` after its eta. Signer: executor (anyone).
pub fn execute_group_change(executor: &Pubkey, group: &Pubkey, proposal: &Pubkey) -> Instruction {
    let accounts = margin::accounts::ExecuteGroupChange { executor: *executor, group: *group, proposal: *proposal };
    build(accounts, margin::instruction::ExecuteGroupChange {}, vec![])
}

/// `cancel_proposal`. Signer: the admin or the guardian.
pub fn cancel_proposal(authority: &Pubkey, group: &Pubkey, proposal: &Pubkey) -> Instruction {
    let accounts = margin::accounts::CancelProposal { authority: *authority, group: *group, proposal: *proposal };
    build(accounts, margin::instruction::CancelProposal {}, vec![])
}

/// `tighten_bank`: a risk-reducing change at once. Signer: the admin or the guardian.
pub fn tighten_bank(authority: &Pubkey, group: &Pubkey, bank: &Pubkey, params: BankParams) -> Instruction {
    let accounts = margin::accounts::TightenBank { authority: *authority, group: *group, bank: *bank };
    build(accounts, margin::instruction::TightenBank { params }, vec![])
}

/// `pause_group` for `duration_seconds`. Signer: the guardian.
pub fn pause_group(guardian: &Pubkey, group: &Pubkey, duration_seconds: u32) -> Instruction {
    let accounts = margin::accounts::PauseGroup { guardian: *guardian, group: *group };
    build(accounts, margin::instruction::PauseGroup { duration_seconds }, vec![])
}

/// `unpause_group`. Signer: the admin.
pub fn unpause_group(admin: &Pubkey, group: &Pubkey) -> Instruction {
    let accounts = margin::accounts::UnpauseGroup { admin: *admin, group: *group };
    build(accounts, margin::instruction::UnpauseGroup {}, vec![])
}

/// `open_account`: `owner`'s account `index` of `kind` (its PDA). Signer: owner (pays the rent).
pub fn open_account(owner: &Pubkey, group: &Pubkey, index: u16, kind: AccountKind) -> Instruction {
    let accounts = margin::accounts::OpenAccount {
        owner: *owner,
        group: *group,
        account: addresses::margin_account(group, owner, index),
        system_program: system_program::ID,
    };
    let args = OpenAccountArgs { index, kind };
    build(accounts, margin::instruction::OpenAccount { args }, vec![])
}

/// `close_account`: an empty account, rent back to the owner. Signer: owner.
pub fn close_account(owner: &Pubkey, account: &Pubkey) -> Instruction {
    let accounts = margin::accounts::CloseAccount { owner: *owner, account: *account };
    build(accounts, margin::instruction::CloseAccount {}, vec![])
}

/// The accounts every token action (deposit, withdraw, borrow, repay) names.
#[derive(Clone, Copy, Debug)]
pub struct TokenActionAccounts<'a> {
    /// The account's owner (signer).
    pub owner: &'a Pubkey,
    /// The margin account.
    pub account: &'a Pubkey,
    /// Its group.
    pub group: &'a Pubkey,
    /// The bank acted on.
    pub bank: &'a BankAddresses,
    /// The owner's token account of the bank's mint (source or destination).
    pub user_token_account: &'a Pubkey,
}

fn token_action(
    accounts: &TokenActionAccounts,
    data: impl InstructionData,
    health_accounts: Vec<AccountMeta>,
) -> Instruction {
    let metas = margin::accounts::TokenAction {
        owner: *accounts.owner,
        account: *accounts.account,
        group: *accounts.group,
        bank: accounts.bank.bank,
        vault: accounts.bank.vault,
        mint: accounts.bank.mint,
        user_token_account: *accounts.user_token_account,
        token_program: accounts.bank.token_program,
    };
    build(metas, data, health_accounts)
}

/// `deposit` of `amount` native units (no health accounts: a deposit only adds collateral).
pub fn deposit(accounts: &TokenActionAccounts, amount: u64) -> Instruction {
    token_action(accounts, margin::instruction::Deposit { amount }, vec![])
}

/// `repay` of `amount` native units, or of the whole debt with `repay_all` (no health accounts).
pub fn repay(accounts: &TokenActionAccounts, amount: u64, repay_all: bool) -> Instruction {
    token_action(accounts, margin::instruction::Repay { args: RepayArgs { amount, repay_all } }, vec![])
}

/// `withdraw` of `amount` native units; `health_accounts` as the account stands after the withdrawal.
pub fn withdraw(accounts: &TokenActionAccounts, amount: u64, health_accounts: Vec<AccountMeta>) -> Instruction {
    token_action(accounts, margin::instruction::Withdraw { amount }, health_accounts)
}

/// `borrow` of `amount` native units; `health_accounts` as the account stands after the borrow (the bank's
/// position included when new).
pub fn borrow(accounts: &TokenActionAccounts, amount: u64, health_accounts: Vec<AccountMeta>) -> Instruction {
    token_action(accounts, margin::instruction::Borrow { amount }, health_accounts)
}

/// The accounts of `liquidate`.
#[derive(Clone, Copy, Debug)]
pub struct LiquidateAccounts<'a> {
    /// The liquidator (signer; anyone).
    pub liquidator: &'a Pubkey,
    /// The account liquidated.
    pub account: &'a Pubkey,
    /// Its group.
    pub group: &'a Pubkey,
    /// The bank whose debt is repaid.
    pub debt: &'a BankAddresses,
    /// The bank whose deposit is seized.
    pub collateral: &'a BankAddresses,
    /// The liquidator's token account of the debt mint (pays the repay and the insurance fee).
    pub pay_from: &'a Pubkey,
    /// The liquidator's token account of the collateral mint (receives the seized collateral).
    pub receive_to: &'a Pubkey,
    /// The liquidator's own margin account in the group, credited with the collateral as a deposit when the
    /// collateral vault cannot pay it out; without one such a liquidation fails (`CollateralVaultShort`).
    pub receive_account: Option<&'a Pubkey>,
}

/// `liquidate`, repaying at most `max_repay` native units of debt; `health_accounts` as the account stands.
pub fn liquidate(accounts: &LiquidateAccounts, max_repay: u64, health_accounts: Vec<AccountMeta>) -> Instruction {
    let metas = margin::accounts::Liquidate {
        liquidator: *accounts.liquidator,
        account: *accounts.account,
        group: *accounts.group,
        debt_bank: accounts.debt.bank,
        collateral_bank: accounts.collateral.bank,
        debt_vault: accounts.debt.vault,
        collateral_vault: accounts.collateral.vault,
        debt_insurance_vault: accounts.debt.insurance_vault,
        debt_mint: accounts.debt.mint,
        collateral_mint: accounts.collateral.mint,
        liquidator_debt_account: *accounts.pay_from,
        liquidator_collateral_account: *accounts.receive_to,
        debt_token_program: accounts.debt.token_program,
        collateral_token_program: accounts.collateral.token_program,
        liquidator_account: accounts.receive_account.copied(),
    };
    build(metas, margin::instruction::Liquidate { args: LiquidateArgs { max_repay } }, health_accounts)
}

/// `resolve_bankruptcy` of the debt in `bank`; `position_banks` from [`crate::accounts::bankruptcy_accounts`].
pub fn resolve_bankruptcy(
    account: &Pubkey,
    group: &Pubkey,
    bank: &BankAddresses,
    position_banks: Vec<AccountMeta>,
) -> Instruction {
    let metas = margin::accounts::ResolveBankruptcy {
        account: *account,
        group: *group,
        bank: bank.bank,
        vault: bank.vault,
        insurance_vault: bank.insurance_vault,
        mint: bank.mint,
        token_program: bank.token_program,
    };
    build(metas, margin::instruction::ResolveBankruptcy {}, position_banks)
}

/// `accrue_interest` of `bank` up to now (anyone).
pub fn accrue_interest(bank: &Pubkey) -> Instruction {
    build(margin::accounts::AccrueInterest { bank: *bank }, margin::instruction::AccrueInterest {}, vec![])
}

/// `sweep_fees`: a bank's protocol fees to its insurance vault (anyone).
pub fn sweep_fees(bank: &BankAddresses) -> Instruction {
    let accounts = margin::accounts::SweepFees {
        bank: bank.bank,
        vault: bank.vault,
        insurance_vault: bank.insurance_vault,
        mint: bank.mint,
        token_program: bank.token_program,
    };
    build(accounts, margin::instruction::SweepFees {}, vec![])
}
