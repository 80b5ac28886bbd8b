//! Proposal: a timelocked governance change, made by the admin and executed by anyone between its eta and
//! its expiry, unless the admin or the guardian cancels it first.
use anchor_lang::prelude::*;
use margin_risk::governance::ProposalWindow;

use super::{BankConfig, BankParams, FallbackOracle, GovernanceSettings};

/// Where a proposal stands.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposalState {
    /// Waiting for its eta, or executable.
    Pending,
    /// Applied.
    Executed,
    /// Cancelled by the admin or the guardian.
    Cancelled,
}

/// What a proposal does when executed.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposalAction {
    /// Sets a bank's parameters (`execute_bank_change`): the values it moves from `base` (the bank's when
    /// proposed) to `params`; the others stay as the bank holds them at execution.
    ChangeBank { bank: Pubkey, params: BankParams, base: BankParams },
    /// Lists a mint with its pinned price account (`add_bank`).
    ListBank { mint: Pubkey, price_account: Pubkey, config: BankConfig },
    /// Sets the group's admin, guardian and governance settings (`execute_group_change`).
    ChangeGroup { admin: Pubkey, guardian: Pubkey, settings: GovernanceSettings },
    /// Sets or removes a bank's fallback price source (`execute_fallback_oracle`).
    SetFallbackOracle { bank: Pubkey, fallback: FallbackOracle },
    /// Forms a correlation group of the first `count` of `banks` with their moves (bps per scenario) and the
    /// Init scale, or (`init_scale_bps` 0) takes them out of their groups (`execute_correlation_group`).
    SetCorrelationGroup { banks: [Pubkey; 8], count: u8, init_scale_bps: u32, moves_bps: [[i16; 16]; 8] },
}

#[account]
#[derive(InitSpace)]
pub struct Proposal {
    /// The group.
    pub group: Pubkey,
    /// Its id: the group's proposal count when made.
    pub id: u64,
    /// The admin that proposed it.
    pub proposer: Pubkey,
    /// Unix seconds it was made.
    pub created_at: i64,
    /// Earliest execution, unix seconds.
    pub eta: i64,
    /// First second it can no longer be executed.
    pub expires_at: i64,
    /// Pending, executed or cancelled.
    pub state: ProposalState,
    /// Canonical bump of the proposal PDA.
    pub bump: u8,
    /// The change.
    pub action: ProposalAction,
}

impl Proposal {
    /// The execution window.
    pub fn window(&self) -> ProposalWindow {
        ProposalWindow { eta: self.eta, expires_at: self.expires_at }
    }
}
