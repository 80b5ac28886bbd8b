//! Margin: cross and isolated margin accounts over SPL token banks, priced by Pyth with confidence-scaled
//! haircuts. A thin shell over `margin-risk`: account checks, token CPIs and events here; every number there.
use anchor_lang::prelude::*;

pub mod errors;
pub mod events;
pub mod governance;
pub mod health_accounts;
pub mod instructions;
pub mod oracle;
pub mod seeds;
pub mod state;
pub mod switchboard;
pub mod token;
pub mod write_off;

/// The sbpf-linker route's builtins (memcpy on syscalls, 128-bit arithmetic): see tests/sbf/build.sh.
#[cfg(margin_sbpf_linker)]
use solana_compiler_builtins as _;

use instructions::*;
use state::{BankConfig, BankParams, FallbackOracle};

declare_id!("FXtCumWauYfw5ve37BBrAwtqPMdu5X6FmCTjZruxRz4w");

#[program]
pub mod margin {
    use super::*;

    /// Creates a group (one market) with its admin, guardian and governance settings. Called by governance.
    pub fn init_group<'info>(ctx: Context<'info, InitGroup<'info>>, args: InitGroupArgs) -> Result<()> {
        InitGroup::init_group(ctx, args)
    }

    /// Proposes listing a mint with its pinned Pyth price and first parameters. Called by the admin.
    pub fn propose_listing<'info>(ctx: Context<'info, ProposeListing<'info>>, config: BankConfig) -> Result<()> {
        ProposeListing::propose_listing(ctx, config)
    }

    /// Executes a listing proposal after its eta: creates the bank and its vaults. Called by anyone.
    pub fn add_bank<'info>(ctx: Context<'info, AddBank<'info>>) -> Result<()> {
        AddBank::add_bank(ctx)
    }

    /// Proposes new parameters for a bank, within the group's step bounds. Called by the admin.
    pub fn propose_bank_change<'info>(ctx: Context<'info, ProposeBankChange<'info>>, params: BankParams) -> Result<()> {
        ProposeBankChange::propose_bank_change(ctx, params)
    }

    /// Executes a bank proposal after its eta, bounds checked again. Called by anyone.
    pub fn execute_bank_change<'info>(ctx: Context<'info, ExecuteBankChange<'info>>) -> Result<()> {
        ExecuteBankChange::execute_bank_change(ctx)
    }

    /// Proposes setting or removing a bank's fallback price source (a Switchboard pull feed). Called by the admin.
    pub fn propose_fallback_oracle<'info>(
        ctx: Context<'info, ProposeFallbackOracle<'info>>,
        fallback: FallbackOracle,
    ) -> Result<()> {
        ProposeFallbackOracle::propose_fallback_oracle(ctx, fallback)
    }

    /// Executes a fallback-oracle proposal after its eta. Called by anyone.
    pub fn execute_fallback_oracle<'info>(ctx: Context<'info, ExecuteFallbackOracle<'info>>) -> Result<()> {
        ExecuteFallbackOracle::execute_fallback_oracle(ctx)
    }

    /// Proposes a correlation group of banks (scenario moves, a de-peg for every pair) or its dissolution.
    /// Called by the admin.
    pub fn propose_correlation_group<'info>(
        ctx: Context<'info, ProposeCorrelationGroup<'info>>,
        args: CorrelationGroupArgs,
    ) -> Result<()> {
        ProposeCorrelationGroup::propose_correlation_group(ctx, args)
    }

    /// Executes a correlation-group proposal after its eta on the banks it names. Called by anyone.
    pub fn execute_correlation_group<'info>(ctx: Context<'info, ExecuteCorrelationGroup<'info>>) -> Result<()> {
        ExecuteCorrelationGroup::execute_correlation_group(ctx)
    }

    /// Proposes a new admin, guardian or governance settings. Called by the admin.
    pub fn propose_group_change<'info>(
        ctx: Context<'info, ProposeGroupChange<'info>>,
        args: GroupChangeArgs,
    ) -> Result<()> {
        ProposeGroupChange::propose_group_change(ctx, args)
    }

    /// Executes a group proposal after its eta. Called by anyone.
    pub fn execute_group_change<'info>(ctx: Context<'info, ExecuteGroupChange<'info>>) -> Result<()> {
        ExecuteGroupChange::execute_group_change(ctx)
    }

    /// Cancels a pending proposal. Called by the admin or the guardian.
    pub fn cancel_proposal<'info>(ctx: Context<'info, CancelProposal<'info>>) -> Result<()> {
        CancelProposal::cancel_proposal(ctx)
    }

    /// Applies a risk-reducing change to a bank at once. Called by the admin or the guardian.
    pub fn tighten_bank<'info>(ctx: Context<'info, TightenBank<'info>>, params: BankParams) -> Result<()> {
        TightenBank::tighten_bank(ctx, params)
    }

    /// Pauses the group for a bounded time. Called by the guardian.
    pub fn pause_group<'info>(ctx: Context<'info, PauseGroup<'info>>, duration_seconds: u32) -> Result<()> {
        PauseGroup::pause_group(ctx, duration_seconds)
    }

    /// Lifts the guardian's pause early. Called by the admin.
    pub fn unpause_group<'info>(ctx: Context<'info, UnpauseGroup<'info>>) -> Result<()> {
        UnpauseGroup::unpause_group(ctx)
    }

    /// Opens a cross or isolated margin account. Called by a trader.
    pub fn open_account<'info>(ctx: Context<'info, OpenAccount<'info>>, args: OpenAccountArgs) -> Result<()> {
        OpenAccount::open_account(ctx, args)
    }

    /// Closes an empty margin account, rent back to the owner. Called by its owner.
    pub fn close_account<'info>(ctx: Context<'info, CloseAccount<'info>>) -> Result<()> {
        CloseAccount::close_account(ctx)
    }

    /// Deposits tokens into a bank for deposit shares; no oracle. Called by the owner (traders, lenders).
    pub fn deposit<'info>(ctx: Context<'info, TokenAction<'info>>, amount: u64) -> Result<()> {
        TokenAction::deposit(ctx, amount)
    }

    /// Withdraws from a deposit; Init health must stay >= 0 if the account has debt. Called by the owner.
    pub fn withdraw<'info>(ctx: Context<'info, TokenAction<'info>>, amount: u64) -> Result<()> {
        TokenAction::withdraw(ctx, amount)
    }

    /// Borrows tokens into the owner's wallet; Init health must stay >= 0. Called by the owner.
    pub fn borrow<'info>(ctx: Context<'info, TokenAction<'info>>, amount: u64) -> Result<()> {
        TokenAction::borrow(ctx, amount)
    }

    /// Repays debt of one bank; no oracle. Called by the owner.
    pub fn repay<'info>(ctx: Context<'info, TokenAction<'info>>, args: RepayArgs) -> Result<()> {
        TokenAction::repay(ctx, args)
    }

    /// Liquidates an account below maintenance: repay its debt, take collateral plus a bonus. Called by anyone (bots).
    pub fn liquidate<'info>(ctx: Context<'info, Liquidate<'info>>, args: LiquidateArgs) -> Result<()> {
        Liquidate::liquidate(ctx, args)
    }

    /// Writes off a bankrupt account's debt, burning forfeit deposits: insurance first, then depositors. Called by anyone.
    pub fn resolve_bankruptcy<'info>(ctx: Context<'info, ResolveBankruptcy<'info>>) -> Result<()> {
        ResolveBankruptcy::resolve_bankruptcy(ctx)
    }

    /// Accrues a bank's interest up to now. Called by anyone.
    pub fn accrue_interest<'info>(ctx: Context<'info, AccrueInterest<'info>>) -> Result<()> {
        AccrueInterest::accrue_interest(ctx)
    }

    /// Moves a bank's protocol fees from its vault to its insurance vault. Called by anyone.
    pub fn sweep_fees<'info>(ctx: Context<'info, SweepFees<'info>>) -> Result<()> {
        SweepFees::sweep_fees(ctx)
    }
}
