//! Group: one independent market of banks, with its admin, guardian, governance settings and pause.
use anchor_lang::prelude::*;
use margin_risk::governance::{
    DelayFloor, GovernanceConfig, PauseLimits, PauseState, StepBounds, Timelock, MAX_PAUSES_PER_DAY,
};

use crate::errors::MarginError;

/// A group's governance settings as `init_group` and group proposals take them (checked by
/// `margin_risk::governance::GovernanceConfig::validate`).
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct GovernanceSettings {
    /// Seconds from a proposal to its eta.
    pub timelock_delay_seconds: u32,
    /// Seconds after the eta during which a proposal may be executed.
    pub proposal_lifetime_seconds: u32,
    /// Largest move of a weight, bonus, fee, utilization or kink per risk-adding change, bps.
    pub max_weight_step_bps: u32,
    /// Largest move of an interest rate per change, bps of APR.
    pub max_rate_step_bps: u32,
    /// Largest growth (or shrink) factor of caps, age and confidence limits, k and dust per change, bps.
    pub max_growth_bps: u32,
    /// Least time between two executed proposals changing the same bank, seconds.
    pub min_change_interval_seconds: u32,
    /// Longest single pause by the guardian, seconds.
    pub max_pause_seconds: u32,
    /// Most pauses started in a rolling day.
    pub max_pauses_per_day: u8,
}

impl GovernanceSettings {
    /// The settings as margin-risk takes them.
    pub fn config(&self) -> GovernanceConfig {
        GovernanceConfig {
            timelock: Timelock {
                delay_seconds: self.timelock_delay_seconds,
                lifetime_seconds: self.proposal_lifetime_seconds,
            },
            bounds: StepBounds {
                max_weight_step_bps: self.max_weight_step_bps,
                max_rate_step_bps: self.max_rate_step_bps,
                max_growth_bps: self.max_growth_bps,
                min_change_interval_seconds: self.min_change_interval_seconds,
            },
            pause: PauseLimits {
                max_pause_seconds: self.max_pause_seconds,
                max_pauses_per_day: self.max_pauses_per_day,
            },
        }
    }
}

/// One market. Banks and margin accounts belong to exactly one group.
#[account]
#[derive(InitSpace)]
pub struct Group {
    /// Proposes changes, lifts pauses, tightens at once (meant to be a multisig PDA).
    pub admin: Pubkey,
    /// Tightens at once, cancels proposals, pauses the group within bounds; never loosens.
    pub guardian: Pubkey,
    /// The id in the group's seeds.
    pub group_id: u64,
    /// Banks listed so far.
    pub bank_count: u32,
    /// Canonical bump of the group PDA.
    pub bump: u8,
    /// Timelock, step bounds and pause limits.
    pub governance: GovernanceSettings,
    /// Proposals made so far: the next proposal's id.
    pub proposal_count: u64,
    /// Paused while the clock is before this, unix seconds.
    pub paused_until: i64,
    /// Start times of the latest pauses, unix seconds (0 = none).
    pub recent_pause_starts: [i64; MAX_PAUSES_PER_DAY],
    /// After a shortened timelock delay: the delay proposals still wait until `delay_floor_until`, seconds.
    pub delay_floor_seconds: u32,
    /// Unix seconds from which the shortened delay is in force.
    pub delay_floor_until: i64,
    /// Room for later state without a migration.
    pub reserved: [u8; 52],
}

impl Group {
    /// The pause as margin-risk takes it.
    pub fn pause_state(&self) -> PauseState {
        PauseState { paused_until: self.paused_until, recent_starts: self.recent_pause_starts }
    }

    /// The floor a shortened delay left, as margin-risk takes it.
    pub fn delay_floor(&self) -> DelayFloor {
        DelayFloor { delay_seconds: self.delay_floor_seconds, until: self.delay_floor_until }
    }

    /// The timelock of a proposal made at `now`: the group's delay, or the floor a shortening left while
    /// it runs.
    pub fn timelock_at(&self, now: i64) -> Timelock {
        let timelock = self.governance.config().timelock;
        Timelock { delay_seconds: self.delay_floor().delay_at(timelock.delay_seconds, now), ..timelock }
    }

    /// Writes back a pause state.
    pub fn set_pause_state(&mut self, state: &PauseState) {
        self.paused_until = state.paused_until;
        self.recent_pause_starts = state.recent_starts;
    }

    /// Refuses with `GroupPaused` while the guardian's pause runs.
    pub fn require_not_paused(&self, now: i64) -> Result<()> {
        require!(!self.pause_state().is_paused(now), MarginError::GroupPaused);
        Ok(())
    }

    /// Refuses anyone but the admin or the guardian.
    pub fn require_admin_or_guardian(&self, signer: &Pubkey) -> Result<()> {
        require!(*signer == self.admin || *signer == self.guardian, MarginError::NotAdminOrGuardian);
        Ok(())
    }
}
