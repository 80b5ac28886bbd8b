//! Every state change emits one of these. Amounts in native units, values in quote units (10^-6 USD).
use anchor_lang::prelude::*;

/// Emits `event` as Anchor's `emit!` does on chain ("Program data: " + discriminator and Borsh). Run
/// natively, Anchor drops events; there the same bytes go to the syscall stubs, where the test harness
/// puts them into the transaction's log.
pub fn emit_event<E: anchor_lang::Event>(event: E) {
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&event.data()]);
    #[cfg(not(target_os = "solana"))]
    solana_sysvar::program_stubs::sol_log_data(&[&event.data()]);
}

/// Writes `message` to the transaction's log ("Program log: ..."), as `msg!` does on chain. Run natively,
/// `msg!` prints to stdout; there the message goes to the syscall stubs, so tests read it in the log too.
pub fn log(message: &str) {
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log(message);
    #[cfg(not(target_os = "solana"))]
    solana_sysvar::program_stubs::sol_log(message);
}

use crate::state::{BankConfig, BankParams, FallbackOracle, GovernanceSettings, Proposal, ProposalAction};

#[event]
pub struct GroupCreated {
    pub group: Pubkey,
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub group_id: u64,
    pub governance: GovernanceSettings,
}

#[event]
pub struct BankAdded {
    pub group: Pubkey,
    pub bank: Pubkey,
    pub mint: Pubkey,
    pub price_account: Pubkey,
    pub feed_id: [u8; 32],
    pub config: BankConfig,
    /// The executed listing proposal and who executed it.
    pub proposal: Pubkey,
    pub signer: Pubkey,
}

#[event]
pub struct AccountOpened {
    pub account: Pubkey,
    pub owner: Pubkey,
    pub group: Pubkey,
    pub index: u16,
    pub kind: crate::state::AccountKind,
}

#[event]
pub struct AccountClosed {
    pub account: Pubkey,
    pub owner: Pubkey,
}

#[event]
pub struct Deposited {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub amount: u64,
    pub shares: u64,
    pub deposit_index: u64,
}

#[event]
pub struct Withdrawn {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct Borrowed {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub amount: u64,
    pub shares: u64,
    /// Init health after the borrow: weighted assets and liabilities.
    pub init_assets: u64,
    pub init_liabilities: u64,
}

#[event]
pub struct Repaid {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct InterestAccrued {
    pub bank: Pubkey,
    pub borrow_rate_bps: u64,
    pub interest: u64,
    pub protocol_fee: u64,
    pub deposit_index: u64,
    pub borrow_index: u64,
}

#[event]
pub struct Liquidated {
    pub account: Pubkey,
    pub liquidator: Pubkey,
    pub debt_bank: Pubkey,
    pub collateral_bank: Pubkey,
    /// Tokens the liquidator paid (the cleared shares' value, rounded up).
    pub repaid: u64,
    /// How much the debt surely fell (the cleared shares' value, rounded down): the seizure follows it.
    pub debt_cleared: u64,
    /// Collateral to the liquidator, native units: tokens, or deposit shares of its margin account when
    /// `seized_as_deposit` (the collateral vault could not pay).
    pub seized_to_liquidator: u64,
    pub seized_as_deposit: bool,
    /// Insurance fee paid by the liquidator in the debt token to the debt bank's insurance vault.
    pub insurance_fee: u64,
    /// Collateral burned without a seizure (worth less than one debt share), native units.
    pub collateral_forfeit: u64,
    pub bonus_bps: u32,
    pub maint_before: HealthValue,
    pub maint_after: HealthValue,
    pub liq_end_after: HealthValue,
    pub being_liquidated: bool,
}

/// A health as its two sums, quote units: health = assets − liabilities (which may lie beyond i64).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthValue {
    /// Σ weighted asset values.
    pub assets: u64,
    /// Σ weighted liability values.
    pub liabilities: u64,
}

impl From<margin_risk::health::Health> for HealthValue {
    fn from(health: margin_risk::health::Health) -> Self {
        HealthValue { assets: health.assets, liabilities: health.liabilities }
    }
}

#[event]
pub struct BankruptcyResolved {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub debt_written_off: u64,
    pub from_insurance: u64,
    pub socialized: u64,
    /// What neither insurance nor depositors could cover (a loss larger than the deposits), native units.
    pub unbooked: u64,
    pub new_deposit_index: u64,
}

#[event]
pub struct ProposalCreated {
    pub group: Pubkey,
    pub proposal: Pubkey,
    pub id: u64,
    pub proposer: Pubkey,
    pub eta: i64,
    pub expires_at: i64,
    pub action: ProposalAction,
}

impl ProposalCreated {
    /// The event of a freshly opened `proposal` at `address`.
    pub fn of(proposal: &Proposal, address: Pubkey) -> Self {
        ProposalCreated {
            group: proposal.group,
            proposal: address,
            id: proposal.id,
            proposer: proposal.proposer,
            eta: proposal.eta,
            expires_at: proposal.expires_at,
            action: proposal.action,
        }
    }
}

#[event]
pub struct ProposalCancelled {
    pub group: Pubkey,
    pub proposal: Pubkey,
    pub id: u64,
    /// The admin or the guardian.
    pub signer: Pubkey,
}

/// A bank's parameters changed: by an executed proposal (`proposal` set, `signer` the executor) or by an
/// instant tightening (`proposal` the default key, `signer` the admin or guardian).
#[event]
pub struct BankParamsChanged {
    pub group: Pubkey,
    pub bank: Pubkey,
    pub signer: Pubkey,
    pub proposal: Pubkey,
    pub old: BankParams,
    pub new: BankParams,
}

/// A bank's fallback price source was set, changed or removed (zero address) by an executed proposal.
#[event]
pub struct FallbackOracleChanged {
    pub group: Pubkey,
    pub bank: Pubkey,
    /// The executor.
    pub signer: Pubkey,
    pub proposal: Pubkey,
    pub old: FallbackOracle,
    pub new: FallbackOracle,
}

/// A correlation group formed (every bank takes the proposal's group id and its moves) or dissolved (group id
/// 0: the banks are margined alone again).
#[event]
pub struct CorrelationGroupChanged {
    pub group: Pubkey,
    /// The executor.
    pub signer: Pubkey,
    pub proposal: Pubkey,
    /// The correlation group's id (the proposal's id + 1), 0 when the banks leave their groups.
    pub group_id: u64,
    /// The multiple of the moves Init and LiqEnd use, bps (0 when dissolved).
    pub init_scale_bps: u32,
    /// The banks, in the proposal's order.
    pub banks: Vec<Pubkey>,
    /// Each bank's move in each scenario, bps.
    pub moves_bps: Vec<[i16; 16]>,
}

#[event]
pub struct GroupGovernanceChanged {
    pub group: Pubkey,
    /// The executor.
    pub signer: Pubkey,
    pub proposal: Pubkey,
    pub old_admin: Pubkey,
    pub new_admin: Pubkey,
    pub old_guardian: Pubkey,
    pub new_guardian: Pubkey,
    pub old: GovernanceSettings,
    pub new: GovernanceSettings,
}

#[event]
pub struct GroupPaused {
    pub group: Pubkey,
    /// The guardian.
    pub signer: Pubkey,
    pub duration_seconds: u32,
    pub paused_until: i64,
}

#[event]
pub struct GroupUnpaused {
    pub group: Pubkey,
    /// The admin.
    pub signer: Pubkey,
    pub was_paused_until: i64,
}

/// A margin account's `being_liquidated` flag cleared outside a liquidation: the account repaid all its
/// debt or passed an Init check, so from now on it is liquidatable only below Maint.
#[event]
pub struct LiquidationFlagCleared {
    pub account: Pubkey,
}

/// Protocol fees moved from a bank's vault to its insurance vault.
#[event]
pub struct FeesSwept {
    pub bank: Pubkey,
    /// Native units moved.
    pub amount: u64,
    /// Fees still owed to the insurance vault after the sweep (the vault held less than owed), native units.
    pub still_owed: u64,
}

/// Deposits forfeited (shares burned) by a bankruptcy resolution: worth less than one native unit or below
/// their bank's dust threshold.
#[event]
pub struct DepositForfeited {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub shares: u64,
    /// Their value in native units (rounded down) when burned.
    pub tokens: u64,
}
