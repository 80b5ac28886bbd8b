//! Governance rules: which change of a bank parameter reduces risk and which adds it, how far one
//! risk-adding step may go, the timelock window of a proposal, and the guardian's bounded group pause.
//! Pure decisions: the program stores the values, checks the signers and calls these.
//!
//! A bank's governable parameters are a [`ParameterValues`] array in [`Parameter`] order; the one table
//! [`PARAMETER_TABLE`] says for each which direction is safer and which step bound applies when it moves
//! the other way. The parameter table in docs/DESIGN.md is checked against it by a test.

use crate::error::{RiskError, RiskResult};
use crate::math::{mul_div, Rounding, BPS};

/// Every governable parameter of a bank, in the order of [`ParameterValues`] (and of the program's
/// `BankParams`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Parameter {
    /// Oldest accepted price, seconds.
    MaxAgeSeconds,
    /// conf/price limit for actions that add risk, bps.
    MaxConfOpenBps,
    /// conf/price limit above which the price is unusable, bps.
    MaxConfLiquidationBps,
    /// Confidence multiplier k for Init prices, bps.
    ConfMultiplierInitBps,
    /// Confidence multiplier k for Maint prices, bps.
    ConfMultiplierMaintBps,
    /// Cap of a confidence discount, bps of price.
    MaxConfDiscountBps,
    /// Init asset weight, bps.
    InitAssetWeightBps,
    /// Maint asset weight, bps.
    MaintAssetWeightBps,
    /// Init liability weight, bps.
    InitLiabilityWeightBps,
    /// Maint liability weight, bps.
    MaintLiabilityWeightBps,
    /// Liquidation bonus at the edge of maintenance, bps.
    MinBonusBps,
    /// Liquidation bonus at depth, bps.
    MaxBonusBps,
    /// Insurance fee on liquidations of this collateral, bps.
    InsuranceFeeBps,
    /// Share of borrow interest kept for insurance, bps.
    ProtocolFeeBps,
    /// Largest utilization after a borrow or withdraw, bps.
    MaxUtilizationBps,
    /// Borrow APR at 0 % utilization, bps.
    CurveZeroRateBps,
    /// Utilization of the first kink, bps.
    CurveKink0UtilBps,
    /// Borrow APR at the first kink, bps.
    CurveKink0RateBps,
    /// Utilization of the second kink, bps.
    CurveKink1UtilBps,
    /// Borrow APR at the second kink, bps.
    CurveKink1RateBps,
    /// Borrow APR at 100 % utilization, bps.
    CurveMaxRateBps,
    /// Largest Σ deposits, native units.
    DepositCap,
    /// Largest Σ debts, native units.
    BorrowCap,
    /// A debt below this is closed in full by a liquidation, native units.
    DustThreshold,
    /// Bank status: 0 active, 1 reduce-only, 2 paused.
    Status,
    /// Dynamic Init margin: extra haircut per bp of spot–EMA divergence, bps.
    DynamicDivergenceMultiplierBps,
    /// Dynamic Init margin: extra haircut per bp of confidence expansion, bps.
    DynamicExpansionMultiplierBps,
    /// Dynamic Init margin: cap of the extra haircut, bps.
    DynamicMaxExtraBps,
    /// Size-aware Init weights: the Init value of a position a liquidation can sell into, quote units.
    SizeDepthQuote,
    /// Size-aware Init weights: the extra Init haircut of the part of a position beyond the depth, bps.
    SizeExcessHaircutBps,
}

/// Number of governable parameters.
pub const PARAMETER_COUNT: usize = 30;

/// One value per [`Parameter`], in its order (u32 parameters widened).
pub type ParameterValues = [u64; PARAMETER_COUNT];

/// Which way a parameter moves to reduce risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaferDirection {
    /// Lowering it reduces risk (asset weights, caps, age and confidence limits, utilization).
    Lower,
    /// Raising it reduces risk (liability weights, k, the discount cap, status).
    Higher,
    /// Either move shifts value between parties (bonus, fees, the interest curve, dust): always timelocked.
    Neither,
}

/// The bound on one risk-adding step of a parameter, taken from the group's [`StepBounds`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepLimit {
    /// |new − old| ≤ `max_weight_step_bps` (weights, bonus, fees, utilization, kinks).
    WeightPoints,
    /// |new − old| ≤ `max_rate_step_bps` (interest rates).
    RatePoints,
    /// new ≤ old × `max_growth_bps` / 10,000 going up, new ≥ old × 10,000 / `max_growth_bps` going down
    /// (caps, age and confidence limits, k, dust). An old value of 0 counts as 1.
    Growth,
    /// Any step (status: reopening a bank is one decision).
    Unbounded,
}

/// One row of the parameter table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParameterRule {
    /// The parameter's name as the program's `BankParams` field.
    pub name: &'static str,
    /// Which way is safer.
    pub safer: SaferDirection,
    /// The bound on a step the other way.
    pub step: StepLimit,
    /// Whether a move the safer way may apply at once (signed by the admin or the guardian). False for the
    /// Maint side (maint weights, k_maint, the discount cap): a cut there can make an existing account
    /// liquidatable, so it moves only through the timelock, in bounded steps, either way.
    pub instant: bool,
}

/// A parameter whose safer move may apply at once: it stops new risk, it never makes an account liquidatable.
const fn rule(name: &'static str, safer: SaferDirection, step: StepLimit) -> ParameterRule {
    ParameterRule { name, safer, step, instant: true }
}

/// A parameter that moves Maint health: every move, the safer way too, is timelocked and bounded.
const fn maint_rule(name: &'static str, safer: SaferDirection, step: StepLimit) -> ParameterRule {
    ParameterRule { name, safer, step, instant: false }
}

use SaferDirection::{Higher, Lower, Neither};
use StepLimit::{Growth, RatePoints, Unbounded, WeightPoints};

/// The one classification of every governable parameter, in [`Parameter`] order.
pub const PARAMETER_TABLE: [ParameterRule; PARAMETER_COUNT] = [
    rule("max_age_seconds", Lower, Growth),
    rule("max_conf_open_bps", Lower, Growth),
    rule("max_conf_liquidation_bps", Lower, Growth),
    rule("conf_multiplier_init_bps", Higher, Growth),
    maint_rule("conf_multiplier_maint_bps", Higher, Growth),
    maint_rule("max_conf_discount_bps", Higher, Growth),
    rule("init_asset_weight_bps", Lower, WeightPoints),
    maint_rule("maint_asset_weight_bps", Lower, WeightPoints),
    rule("init_liability_weight_bps", Higher, WeightPoints),
    maint_rule("maint_liability_weight_bps", Higher, WeightPoints),
    rule("min_bonus_bps", Neither, WeightPoints),
    rule("max_bonus_bps", Neither, WeightPoints),
    rule("insurance_fee_bps", Neither, WeightPoints),
    rule("protocol_fee_bps", Neither, WeightPoints),
    rule("max_utilization_bps", Lower, WeightPoints),
    rule("curve_zero_rate_bps", Neither, RatePoints),
    rule("curve_kink0_util_bps", Neither, WeightPoints),
    rule("curve_kink0_rate_bps", Neither, RatePoints),
    rule("curve_kink1_util_bps", Neither, WeightPoints),
    rule("curve_kink1_rate_bps", Neither, RatePoints),
    rule("curve_max_rate_bps", Neither, RatePoints),
    rule("deposit_cap", Lower, Growth),
    rule("borrow_cap", Lower, Growth),
    rule("dust_threshold", Neither, Growth),
    rule("status", Higher, Unbounded),
    // Init only (Maint never moves): raising any of them applies at once; lowering is bounded and timelocked.
    rule("dynamic_divergence_multiplier_bps", Higher, WeightPoints),
    rule("dynamic_expansion_multiplier_bps", Higher, WeightPoints),
    rule("dynamic_max_extra_bps", Higher, WeightPoints),
    // Init only: a smaller depth or a larger excess haircut applies at once.
    rule("size_depth_quote", Lower, Growth),
    rule("size_excess_haircut_bps", Higher, WeightPoints),
];

/// What a change does to risk. Ordered: a change is as risky as its riskiest part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeClass {
    /// No value moves.
    Unchanged,
    /// Every moved value moves the safer way and may move at once: applies at once, signed by admin or guardian.
    RiskReducing,
    /// Some value moves the other way, or moves Maint: propose, wait the delay, execute within bounds.
    RiskIncreasing,
}

/// The class of one parameter's move from `old` to `new`: risk-reducing only when it moves the safer way
/// and the parameter may move at once ([`ParameterRule::instant`]).
pub fn classify_parameter(rule: &ParameterRule, old: u64, new: u64) -> ChangeClass {
    let safer = rule.instant
        && match rule.safer {
            Lower => new < old,
            Higher => new > old,
            Neither => false,
        };
    if new == old {
        ChangeClass::Unchanged
    } else if safer {
        ChangeClass::RiskReducing
    } else {
        ChangeClass::RiskIncreasing
    }
}

/// The class of a whole change: its riskiest parameter's (a mixed change is risk-increasing).
pub fn classify_change(old: &ParameterValues, new: &ParameterValues) -> ChangeClass {
    let mut class = ChangeClass::Unchanged;
    for ((rule, &from), &to) in PARAMETER_TABLE.iter().zip(old).zip(new) {
        class = class.max(classify_parameter(rule, from, to));
    }
    class
}

/// A change the guardian (or the admin) may apply at once: something moves, and only the safer way.
pub fn require_risk_reducing(old: &ParameterValues, new: &ParameterValues) -> RiskResult<()> {
    match classify_change(old, new) {
        ChangeClass::Unchanged => Err(RiskError::NoChange),
        ChangeClass::RiskReducing => Ok(()),
        ChangeClass::RiskIncreasing => Err(RiskError::NotRiskReducing),
    }
}

/// The group's bounds on risk-adding steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepBounds {
    /// Largest move of a weight-like parameter per change, bps (500 = 5 percentage points).
    pub max_weight_step_bps: u32,
    /// Largest move of an interest rate per change, bps of APR.
    pub max_rate_step_bps: u32,
    /// Largest growth factor of a cap- or limit-like parameter per change, bps (20,000 = ×2).
    pub max_growth_bps: u32,
    /// Least time between two executed proposals that change the same bank, seconds.
    pub min_change_interval_seconds: u32,
}

/// Whether a risk-adding move from `old` to `new` stays within `bounds` for a parameter of `step`.
pub fn step_within_bounds(step: StepLimit, old: u64, new: u64, bounds: &StepBounds) -> RiskResult<bool> {
    let within = match step {
        WeightPoints => old.abs_diff(new) <= u64::from(bounds.max_weight_step_bps),
        RatePoints => old.abs_diff(new) <= u64::from(bounds.max_rate_step_bps),
        Growth => {
            let base = old.max(1);
            let growth = u64::from(bounds.max_growth_bps);
            if new >= old {
                // Rounded down; a product beyond u64 bounds nothing a u64 can hold.
                match mul_div(base, growth, BPS, Rounding::Down) {
                    Ok(limit) => new <= limit,
                    Err(RiskError::MathOverflow) => true,
                    Err(error) => return Err(error),
                }
            } else {
                // Rounded up: the floor of a shrink is never lower than the exact ratio allows.
                new >= mul_div(old, BPS, growth, Rounding::Up)?
            }
        }
        Unbounded => true,
    };
    Ok(within)
}

/// Every risk-adding move of the change within `bounds`; safer moves are not bounded.
pub fn check_step_bounds(old: &ParameterValues, new: &ParameterValues, bounds: &StepBounds) -> RiskResult<()> {
    for ((rule, &from), &to) in PARAMETER_TABLE.iter().zip(old).zip(new) {
        let risky = classify_parameter(rule, from, to) == ChangeClass::RiskIncreasing;
        if risky && !step_within_bounds(rule.step, from, to, bounds)? {
            return Err(RiskError::StepOutOfBounds);
        }
    }
    Ok(())
}

/// A change of a bank at unix time `at` is at least `min_change_interval_seconds` after the bank's last
/// executed change (or its listing) at `last_change`.
pub fn check_change_interval(last_change: i64, at: i64, bounds: &StepBounds) -> RiskResult<()> {
    let earliest =
        last_change.checked_add(i64::from(bounds.min_change_interval_seconds)).ok_or(RiskError::MathOverflow)?;
    if at >= earliest {
        Ok(())
    } else {
        Err(RiskError::ChangeTooSoon)
    }
}

/// The parameters a bank proposal leaves when executed: `proposed` where the proposal moves a value from
/// `base` (the bank's values when it was proposed), else `current` (what the bank holds now); and where the
/// bank was made safer since the proposal (current safer than base), never less safe than `current` (issue
/// 21, finding 2: executing a proposal restored what the guardian had tightened after it, a reduce-only bank
/// reopened, a cut Init weight raised again). "Neither" parameters take the proposed value.
pub fn merge_proposal(
    base: &ParameterValues,
    proposed: &ParameterValues,
    current: &ParameterValues,
) -> ParameterValues {
    let mut merged = *current;
    for (index, rule) in PARAMETER_TABLE.iter().enumerate() {
        let (base, proposed, current) = (base[index], proposed[index], current[index]);
        if proposed == base {
            continue;
        }
        merged[index] = match rule.safer {
            Lower if current < base => proposed.min(current),
            Higher if current > base => proposed.max(current),
            _ => proposed,
        };
    }
    merged
}

/// A shortened timelock delay not yet in force: until `until` (unix seconds), proposals still wait at least
/// `delay_seconds`, the delay that was in force when the shortening executed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DelayFloor {
    /// The delay proposals still wait, seconds.
    pub delay_seconds: u32,
    /// Unix seconds from which the floor no longer applies.
    pub until: i64,
}

impl DelayFloor {
    /// The delay a proposal made at `now` waits: the group's `delay_seconds`, or the floor while it runs.
    pub fn delay_at(&self, delay_seconds: u32, now: i64) -> u32 {
        if now < self.until {
            delay_seconds.max(self.delay_seconds)
        } else {
            delay_seconds
        }
    }

    /// The floor after the group's delay moves from `old_delay_seconds` to `new_delay_seconds` at `now`: a
    /// shortening takes effect only after the delay in force before it (issue 21, finding 13: one proposal
    /// replacing the admin and the guardian and cutting the delay let the new admin's next proposals run
    /// after the short delay at once); a lengthening keeps the running floor.
    ///
    /// Errors: [`RiskError::MathOverflow`].
    pub fn after_change(&self, old_delay_seconds: u32, new_delay_seconds: u32, now: i64) -> RiskResult<DelayFloor> {
        let in_force = self.delay_at(old_delay_seconds, now);
        if new_delay_seconds >= in_force {
            return Ok(*self);
        }
        let until = now.checked_add(i64::from(in_force)).ok_or(RiskError::MathOverflow)?;
        Ok(DelayFloor { delay_seconds: in_force, until })
    }
}

/// The timelock of proposals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timelock {
    /// Seconds from a proposal to its eta.
    pub delay_seconds: u32,
    /// Seconds after the eta during which it may be executed.
    pub lifetime_seconds: u32,
}

/// When a proposal may run: from `eta` (inclusive) to `expires_at` (exclusive), unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProposalWindow {
    /// Earliest execution.
    pub eta: i64,
    /// First second it can no longer be executed.
    pub expires_at: i64,
}

impl Timelock {
    /// The window of a proposal made at `now`.
    pub fn window(&self, now: i64) -> RiskResult<ProposalWindow> {
        let eta = now.checked_add(i64::from(self.delay_seconds)).ok_or(RiskError::MathOverflow)?;
        let expires_at = eta.checked_add(i64::from(self.lifetime_seconds)).ok_or(RiskError::MathOverflow)?;
        Ok(ProposalWindow { eta, expires_at })
    }
}

impl ProposalWindow {
    /// Executable at `now`: not before the eta, not at or after the expiry.
    pub fn check_executable(&self, now: i64) -> RiskResult<()> {
        if now < self.eta {
            Err(RiskError::ProposalNotReady)
        } else if now >= self.expires_at {
            Err(RiskError::ProposalExpired)
        } else {
            Ok(())
        }
    }
}

/// Most pauses the group can count in a rolling day (the size of its record of pause starts).
pub const MAX_PAUSES_PER_DAY: usize = 4;
/// The rolling window of the pause count, seconds.
pub const DAY_SECONDS: i64 = 86_400;

/// The guardian's pause bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PauseLimits {
    /// Longest single pause, seconds.
    pub max_pause_seconds: u32,
    /// Most pauses started in any rolling day (≤ [`MAX_PAUSES_PER_DAY`]).
    pub max_pauses_per_day: u8,
}

/// A group's pause: until when, and when the last pauses started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PauseState {
    /// Paused while now < this, unix seconds.
    pub paused_until: i64,
    /// Start times of the latest pauses (0 = none), unix seconds.
    pub recent_starts: [i64; MAX_PAUSES_PER_DAY],
}

impl PauseState {
    /// Whether the group is paused at `now`.
    pub fn is_paused(&self, now: i64) -> bool {
        now < self.paused_until
    }

    /// Pauses started in the rolling day ending at `now`.
    pub fn pauses_in_last_day(&self, now: i64) -> usize {
        self.recent_starts.iter().filter(|&&start| start != 0 && now.saturating_sub(start) < DAY_SECONDS).count()
    }

    /// Pauses for `duration_seconds` from `now`: 0 < duration ≤ the limit and fewer than the limit's count
    /// started in the last day. A pause during a pause extends it (and counts).
    pub fn pause(&mut self, now: i64, duration_seconds: u32, limits: &PauseLimits) -> RiskResult<()> {
        if duration_seconds == 0 {
            return Err(RiskError::ZeroAmount);
        }
        if duration_seconds > limits.max_pause_seconds {
            return Err(RiskError::PauseTooLong);
        }
        let allowed = usize::from(limits.max_pauses_per_day).min(MAX_PAUSES_PER_DAY);
        if self.pauses_in_last_day(now) >= allowed {
            return Err(RiskError::TooManyPauses);
        }
        let until = now.checked_add(i64::from(duration_seconds)).ok_or(RiskError::MathOverflow)?;
        let oldest = (0..MAX_PAUSES_PER_DAY).min_by_key(|&slot| self.recent_starts[slot]).unwrap_or(0);
        self.recent_starts[oldest] = now;
        self.paused_until = self.paused_until.max(until);
        Ok(())
    }

    /// Lifts a running pause at `now` (the count of the day keeps it).
    pub fn lift(&mut self, now: i64) -> RiskResult<()> {
        if !self.is_paused(now) {
            return Err(RiskError::NotPaused);
        }
        self.paused_until = now;
        Ok(())
    }
}

/// Most the pause settings may add up to in a day: `max_pauses_per_day × max_pause_seconds` ≤ 12 hours.
/// With the rolling count this keeps the group unpaused at least half of any long stretch of time (at most
/// 12 hours of pause start in each day), so a guardian alone, or a lost guardian key, cannot freeze
/// liquidations and indebted accounts for good.
pub const MAX_PAUSE_SECONDS_PER_DAY: u64 = 43_200;

/// Until when a bank set to status paused stays paused, when set at `now`: the group's longest pause. After
/// that the bank acts as reduce-only (withdrawals open) until a proposal reopens it; pausing it again needs
/// a proposal first, so a paused bank never blocks withdrawals for longer than one pause.
pub fn bank_paused_until(now: i64, limits: &PauseLimits) -> RiskResult<i64> {
    now.checked_add(i64::from(limits.max_pause_seconds)).ok_or(RiskError::MathOverflow)
}

/// Least and most timelock delay, seconds: an hour (time for a guardian to react) to 30 days.
pub const TIMELOCK_DELAY_RANGE: (u32, u32) = (3_600, 30 * 86_400);
/// Least and most proposal lifetime after its eta, seconds.
pub const PROPOSAL_LIFETIME_RANGE: (u32, u32) = (3_600, 30 * 86_400);
/// Most growth per step, bps (×10).
pub const MAX_GROWTH_BPS: u32 = 100_000;
/// Longest single pause the group may allow, seconds (7 days).
pub const MAX_PAUSE_SECONDS: u32 = 7 * 86_400;
/// Longest minimum interval between changes of a bank, seconds (365 days).
pub const MAX_CHANGE_INTERVAL_SECONDS: u32 = 365 * 86_400;

/// A group's governance settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GovernanceConfig {
    /// Delay and lifetime of proposals.
    pub timelock: Timelock,
    /// Bounds on risk-adding steps.
    pub bounds: StepBounds,
    /// The guardian's pause bounds.
    pub pause: PauseLimits,
}

impl GovernanceConfig {
    /// Every setting within its range (see the constants of this module); weight steps ≤ 100 %, rate
    /// steps ≤ the interest curve's maximum rate, growth ≥ ×1, pauses per day × longest pause ≤
    /// [`MAX_PAUSE_SECONDS_PER_DAY`].
    pub fn validate(&self) -> RiskResult<()> {
        let within = |value: u32, (low, high): (u32, u32)| low <= value && value <= high;
        let valid = within(self.timelock.delay_seconds, TIMELOCK_DELAY_RANGE)
            && within(self.timelock.lifetime_seconds, PROPOSAL_LIFETIME_RANGE)
            && u64::from(self.bounds.max_weight_step_bps) <= BPS
            && self.bounds.max_rate_step_bps <= crate::interest::MAX_RATE_BPS
            && within(self.bounds.max_growth_bps, (BPS as u32, MAX_GROWTH_BPS))
            && self.bounds.min_change_interval_seconds <= MAX_CHANGE_INTERVAL_SECONDS
            && self.pause.max_pause_seconds <= MAX_PAUSE_SECONDS
            && usize::from(self.pause.max_pauses_per_day) <= MAX_PAUSES_PER_DAY
            && u64::from(self.pause.max_pauses_per_day) * u64::from(self.pause.max_pause_seconds)
                <= MAX_PAUSE_SECONDS_PER_DAY;
        if valid {
            Ok(())
        } else {
            Err(RiskError::InvalidGovernanceConfig)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Weights ±5 pp, rates ±10 pp, caps and limits ×2, a day between changes.
    const BOUNDS: StepBounds = StepBounds {
        max_weight_step_bps: 500,
        max_rate_step_bps: 1_000,
        max_growth_bps: 20_000,
        min_change_interval_seconds: 86_400,
    };
    const LIMITS: PauseLimits = PauseLimits { max_pause_seconds: 3_600, max_pauses_per_day: 2 };

    /// SOL-like values in parameter order.
    fn sol() -> ParameterValues {
        [
            60, 200, 500, 20_000, 10_000, 1_000, 7_000, 9_000, 12_000, 11_000, 200, 800, 100, 1_000, 9_000, 0, 5_000,
            400, 8_000, 1_000, 10_000, 1_000_000, 500_000, 0, 0, 10_000, 20_000, 1_000, 1_000_000, 2_500,
        ]
    }

    fn with(parameter: Parameter, value: u64) -> ParameterValues {
        let mut values = sol();
        values[parameter as usize] = value;
        values
    }

    #[test]
    fn the_table_follows_the_parameter_order() {
        assert_eq!(PARAMETER_TABLE[Parameter::InitAssetWeightBps as usize].name, "init_asset_weight_bps");
        assert_eq!(PARAMETER_TABLE[Parameter::CurveMaxRateBps as usize].name, "curve_max_rate_bps");
        assert_eq!(PARAMETER_TABLE[Parameter::Status as usize].name, "status");
        assert_eq!(PARAMETER_TABLE[Parameter::DynamicMaxExtraBps as usize].name, "dynamic_max_extra_bps");
        assert_eq!(PARAMETER_TABLE[Parameter::SizeExcessHaircutBps as usize].name, "size_excess_haircut_bps");
        assert_eq!(Parameter::SizeExcessHaircutBps as usize, PARAMETER_COUNT - 1);
    }

    #[test]
    fn lowering_an_asset_weight_reduces_risk_raising_it_adds_risk() {
        let old = sol();
        assert_eq!(classify_change(&old, &with(Parameter::InitAssetWeightBps, 6_000)), ChangeClass::RiskReducing);
        assert_eq!(classify_change(&old, &with(Parameter::InitAssetWeightBps, 7_500)), ChangeClass::RiskIncreasing);
        assert_eq!(classify_change(&old, &old), ChangeClass::Unchanged);
    }

    #[test]
    fn the_safer_way_of_each_kind_of_parameter() {
        let old = sol();
        let reducing = [
            (Parameter::MaxAgeSeconds, 30),
            (Parameter::MaxConfOpenBps, 100),
            (Parameter::ConfMultiplierInitBps, 25_000),
            (Parameter::InitAssetWeightBps, 0),
            (Parameter::InitLiabilityWeightBps, 20_000),
            (Parameter::MaxUtilizationBps, 8_000),
            (Parameter::DepositCap, 1),
            (Parameter::BorrowCap, 0),
            (Parameter::Status, 1),
        ];
        for (parameter, value) in reducing {
            assert_eq!(require_risk_reducing(&old, &with(parameter, value)), Ok(()), "{parameter:?}");
        }
        let neither = [(Parameter::MinBonusBps, 100), (Parameter::ProtocolFeeBps, 500), (Parameter::DustThreshold, 1)];
        for (parameter, value) in neither {
            assert_eq!(require_risk_reducing(&old, &with(parameter, value)), Err(RiskError::NotRiskReducing));
        }
        // The Maint side moves only through the timelock, the safer way too: a cut there can make an existing
        // account liquidatable at once.
        let maint_side = [
            (Parameter::MaintAssetWeightBps, 0),
            (Parameter::MaintLiabilityWeightBps, 11_500),
            (Parameter::ConfMultiplierMaintBps, 15_000),
            (Parameter::MaxConfDiscountBps, 2_000),
        ];
        for (parameter, value) in maint_side {
            assert_eq!(require_risk_reducing(&old, &with(parameter, value)), Err(RiskError::NotRiskReducing));
            // ... and in bounded steps: a cut of the maint asset weight from 0.9 to 0 is 18 steps at once.
            let bounds_checked = check_step_bounds(&old, &with(parameter, value), &BOUNDS);
            assert_eq!(bounds_checked.is_err(), parameter == Parameter::MaintAssetWeightBps, "{parameter:?}");
        }
        assert_eq!(require_risk_reducing(&old, &old), Err(RiskError::NoChange));
    }

    #[test]
    fn a_mixed_change_is_risk_increasing() {
        let mut mixed = with(Parameter::InitAssetWeightBps, 6_000);
        mixed[Parameter::DepositCap as usize] = 2_000_000;
        assert_eq!(classify_change(&sol(), &mixed), ChangeClass::RiskIncreasing);
        assert_eq!(require_risk_reducing(&sol(), &mixed), Err(RiskError::NotRiskReducing));
    }

    #[test]
    fn weight_steps_are_bounded_to_five_points() {
        let old = sol();
        assert_eq!(check_step_bounds(&old, &with(Parameter::InitAssetWeightBps, 7_500), &BOUNDS), Ok(()));
        let too_far = with(Parameter::InitAssetWeightBps, 7_501);
        assert_eq!(check_step_bounds(&old, &too_far, &BOUNDS), Err(RiskError::StepOutOfBounds));
        // The safer way is not bounded: a cut from 0.70 to 0.10 passes.
        assert_eq!(check_step_bounds(&old, &with(Parameter::InitAssetWeightBps, 1_000), &BOUNDS), Ok(()));
        // A liability weight may drop 5 points, not 6.
        assert_eq!(check_step_bounds(&old, &with(Parameter::InitLiabilityWeightBps, 11_500), &BOUNDS), Ok(()));
        let liability = with(Parameter::InitLiabilityWeightBps, 11_499);
        assert_eq!(check_step_bounds(&old, &liability, &BOUNDS), Err(RiskError::StepOutOfBounds));
    }

    #[test]
    fn caps_and_limits_grow_at_most_twofold() {
        let old = sol();
        assert_eq!(check_step_bounds(&old, &with(Parameter::DepositCap, 2_000_000), &BOUNDS), Ok(()));
        let too_far = with(Parameter::DepositCap, 2_000_001);
        assert_eq!(check_step_bounds(&old, &too_far, &BOUNDS), Err(RiskError::StepOutOfBounds));
        assert_eq!(check_step_bounds(&old, &with(Parameter::MaxConfOpenBps, 400), &BOUNDS), Ok(()));
        let wide = with(Parameter::MaxConfOpenBps, 401);
        assert_eq!(check_step_bounds(&old, &wide, &BOUNDS), Err(RiskError::StepOutOfBounds));
        // k may halve, not more.
        assert_eq!(check_step_bounds(&old, &with(Parameter::ConfMultiplierInitBps, 10_000), &BOUNDS), Ok(()));
        let low_k = with(Parameter::ConfMultiplierInitBps, 9_999);
        assert_eq!(check_step_bounds(&old, &low_k, &BOUNDS), Err(RiskError::StepOutOfBounds));
        // A zero counts as one: dust from 0 may go to 2 native units in one step.
        assert_eq!(check_step_bounds(&old, &with(Parameter::DustThreshold, 2), &BOUNDS), Ok(()));
        let dust = with(Parameter::DustThreshold, 3);
        assert_eq!(check_step_bounds(&old, &dust, &BOUNDS), Err(RiskError::StepOutOfBounds));
    }

    #[test]
    fn growth_beyond_u64_is_not_an_overflow() {
        let old = with(Parameter::DepositCap, u64::MAX / 2 + 1);
        assert_eq!(check_step_bounds(&old, &with(Parameter::DepositCap, u64::MAX), &BOUNDS), Ok(()));
    }

    #[test]
    fn neither_way_parameters_are_bounded_both_ways() {
        let old = sol();
        for value in [0, 1_000] {
            assert_eq!(check_step_bounds(&old, &with(Parameter::CurveKink0RateBps, value), &BOUNDS), Ok(()));
        }
        let rate = with(Parameter::CurveMaxRateBps, 11_001);
        assert_eq!(check_step_bounds(&old, &rate, &BOUNDS), Err(RiskError::StepOutOfBounds));
        let fee = with(Parameter::ProtocolFeeBps, 499);
        assert_eq!(check_step_bounds(&old, &fee, &BOUNDS), Err(RiskError::StepOutOfBounds));
    }

    #[test]
    fn reopening_a_bank_is_not_bounded() {
        let paused = with(Parameter::Status, 2);
        assert_eq!(classify_change(&paused, &sol()), ChangeClass::RiskIncreasing);
        assert_eq!(check_step_bounds(&paused, &sol(), &BOUNDS), Ok(()));
    }

    #[test]
    fn changes_of_a_bank_keep_the_minimum_interval() {
        assert_eq!(check_change_interval(1_000, 1_000 + 86_400, &BOUNDS), Ok(()));
        assert_eq!(check_change_interval(1_000, 1_000 + 86_399, &BOUNDS), Err(RiskError::ChangeTooSoon));
        assert_eq!(check_change_interval(i64::MAX, 0, &BOUNDS), Err(RiskError::MathOverflow));
    }

    #[test]
    fn a_proposal_runs_from_its_eta_until_its_expiry() {
        let window = Timelock { delay_seconds: 172_800, lifetime_seconds: 86_400 }.window(1_000).unwrap();
        assert_eq!(window, ProposalWindow { eta: 173_800, expires_at: 260_200 });
        assert_eq!(window.check_executable(173_799), Err(RiskError::ProposalNotReady));
        assert_eq!(window.check_executable(173_800), Ok(()));
        assert_eq!(window.check_executable(260_199), Ok(()));
        assert_eq!(window.check_executable(260_200), Err(RiskError::ProposalExpired));
        let late = Timelock { delay_seconds: 1, lifetime_seconds: 1 };
        assert_eq!(late.window(i64::MAX), Err(RiskError::MathOverflow));
    }

    #[test]
    fn a_pause_is_bounded_in_length_and_lapses() {
        let mut state = PauseState::default();
        assert_eq!(state.pause(10_000, 3_601, &LIMITS), Err(RiskError::PauseTooLong));
        assert_eq!(state.pause(10_000, 0, &LIMITS), Err(RiskError::ZeroAmount));
        state.pause(10_000, 3_600, &LIMITS).unwrap();
        assert!(state.is_paused(13_599));
        assert!(!state.is_paused(13_600), "it lapses by itself");
    }

    #[test]
    fn pauses_are_counted_over_a_rolling_day() {
        let mut state = PauseState::default();
        state.pause(10_000, 60, &LIMITS).unwrap();
        state.pause(20_000, 60, &LIMITS).unwrap();
        assert_eq!(state.pause(30_000, 60, &LIMITS), Err(RiskError::TooManyPauses));
        // A day after the first, one slot frees.
        assert_eq!(state.pause(10_000 + DAY_SECONDS - 1, 60, &LIMITS), Err(RiskError::TooManyPauses));
        state.pause(10_000 + DAY_SECONDS, 60, &LIMITS).unwrap();
        assert_eq!(state.pauses_in_last_day(10_000 + DAY_SECONDS), 2);
    }

    #[test]
    fn a_pause_during_a_pause_extends_it_and_lifting_ends_it() {
        let mut state = PauseState::default();
        state.pause(10_000, 3_600, &LIMITS).unwrap();
        state.pause(12_000, 3_600, &LIMITS).unwrap();
        assert_eq!(state.paused_until, 15_600);
        state.lift(12_500).unwrap();
        assert!(!state.is_paused(12_500));
        assert_eq!(state.lift(12_500), Err(RiskError::NotPaused));
    }

    #[test]
    fn governance_settings_are_range_checked() {
        let good = GovernanceConfig {
            timelock: Timelock { delay_seconds: 172_800, lifetime_seconds: 604_800 },
            bounds: BOUNDS,
            pause: LIMITS,
        };
        assert_eq!(good.validate(), Ok(()));
        let short_delay = GovernanceConfig { timelock: Timelock { delay_seconds: 3_599, ..good.timelock }, ..good };
        let shrinking = GovernanceConfig { bounds: StepBounds { max_growth_bps: 9_999, ..BOUNDS }, ..good };
        let many_pauses = GovernanceConfig { pause: PauseLimits { max_pauses_per_day: 5, ..LIMITS }, ..good };
        let huge_weight = GovernanceConfig { bounds: StepBounds { max_weight_step_bps: 10_001, ..BOUNDS }, ..good };
        // 4 pauses of 7 days a day: renewed forever. Settings may add up to 12 hours a day at most.
        let forever = GovernanceConfig {
            pause: PauseLimits { max_pause_seconds: MAX_PAUSE_SECONDS, max_pauses_per_day: 4 },
            ..good
        };
        let half_day_and_a_second =
            GovernanceConfig { pause: PauseLimits { max_pause_seconds: 21_601, max_pauses_per_day: 2 }, ..good };
        let half_day =
            GovernanceConfig { pause: PauseLimits { max_pause_seconds: 21_600, max_pauses_per_day: 2 }, ..good };
        assert_eq!(half_day.validate(), Ok(()));
        for bad in [short_delay, shrinking, many_pauses, huge_weight, forever, half_day_and_a_second] {
            assert_eq!(bad.validate(), Err(RiskError::InvalidGovernanceConfig), "{bad:?}");
        }
    }

    fn any_values() -> impl Strategy<Value = ParameterValues> {
        proptest::array::uniform30(any::<u64>())
    }

    fn any_bounds() -> impl Strategy<Value = StepBounds> {
        (0..=10_000u32, 0..=100_000u32, 10_000..=100_000u32, any::<u32>()).prop_map(
            |(max_weight_step_bps, max_rate_step_bps, max_growth_bps, min_change_interval_seconds)| StepBounds {
                max_weight_step_bps,
                max_rate_step_bps,
                max_growth_bps,
                min_change_interval_seconds,
            },
        )
    }

    fn index_of(name: &str) -> usize {
        PARAMETER_TABLE.iter().position(|rule| rule.name == name).unwrap()
    }

    #[test]
    fn a_proposal_never_undoes_the_guardians_later_tightening() {
        let base = [1_000u64; PARAMETER_COUNT];
        let (init, status, bonus) = (index_of("init_asset_weight_bps"), index_of("status"), index_of("min_bonus_bps"));
        // The proposal raises the Init weight 1,000 → 1,400 and moves the bonus; it leaves the status.
        let mut proposed = base;
        (proposed[init], proposed[bonus]) = (1_400, 900);
        // Since then the guardian cut the Init weight to 600 and made the bank reduce-only (status higher).
        let mut current = base;
        (current[init], current[status]) = (600, 1_001);
        let merged = merge_proposal(&base, &proposed, &current);
        assert_eq!(merged[init], 600, "the cut stands");
        assert_eq!(merged[status], 1_001, "the untouched status stays as the guardian left it");
        assert_eq!(merged[bonus], 900, "a value-shifting parameter takes the proposed value");
        // Without a later change the proposal applies as made.
        assert_eq!(merge_proposal(&base, &proposed, &base), proposed);
        // A proposal that tightens further than the guardian did still applies.
        proposed[init] = 500;
        assert_eq!(merge_proposal(&base, &proposed, &current)[init], 500);
    }

    #[test]
    fn a_shortened_delay_takes_effect_after_the_old_one() {
        let none = DelayFloor::default();
        // 2 days cut to 1 hour at t = 1,000: until 1,000 + 2 days proposals still wait 2 days.
        let floor = none.after_change(172_800, 3_600, 1_000).unwrap();
        assert_eq!(floor, DelayFloor { delay_seconds: 172_800, until: 173_800 });
        assert_eq!(floor.delay_at(3_600, 1_000), 172_800);
        assert_eq!(floor.delay_at(3_600, 173_799), 172_800);
        assert_eq!(floor.delay_at(3_600, 173_800), 3_600);
        // A longer delay is in force at once; one still shorter than a running floor restarts the floor.
        assert_eq!(none.after_change(3_600, 7_200, 2_000).unwrap(), none);
        assert_eq!(floor.after_change(3_600, 259_200, 2_000).unwrap(), floor);
        assert_eq!(floor.after_change(3_600, 7_200, 2_000).unwrap().until, 174_800);
        // A second cut during the floor is measured from the floor.
        let again = floor.after_change(3_600, 3_600, 2_000).unwrap();
        assert_eq!(again, DelayFloor { delay_seconds: 172_800, until: 174_800 });
    }

    proptest! {
        /// A merged proposal never leaves a parameter less safe than both the proposal and the bank now,
        /// where the bank was made safer since; it takes only values of the three inputs; untouched values stay.
        #[test]
        fn merged_proposals_never_loosen_a_later_tightening(
            base in proptest::array::uniform30(0u64..100), proposed in proptest::array::uniform30(0u64..100),
            current in proptest::array::uniform30(0u64..100),
        ) {
            let merged = merge_proposal(&base, &proposed, &current);
            for (index, rule) in PARAMETER_TABLE.iter().enumerate() {
                let (b, p, c, m) = (base[index], proposed[index], current[index], merged[index]);
                prop_assert!(m == p || m == c);
                if p == b {
                    prop_assert_eq!(m, c);
                }
                match rule.safer {
                    SaferDirection::Lower if c < b => prop_assert!(m <= c),
                    SaferDirection::Higher if c > b => prop_assert!(m >= c),
                    _ => {}
                }
            }
        }

        /// A proposal made at any time waits at least the delay in force before the last shortening, until
        /// that delay has passed since it.
        #[test]
        fn no_proposal_waits_less_than_the_delay_before_a_shortening(
            old in 3_600u32..2_592_000, new in 3_600u32..2_592_000, at in 0i64..1 << 40, later in 0i64..1 << 32,
        ) {
            let floor = DelayFloor::default().after_change(old, new, at).unwrap();
            let delay = floor.delay_at(new, at + later);
            if later < i64::from(old) {
                prop_assert_eq!(delay, old.max(new));
            } else {
                prop_assert_eq!(delay, new);
            }
        }

        /// A change is as risky as its riskiest parameter; reducing ones always pass the bounds.
        #[test]
        fn class_is_the_riskiest_part(old in any_values(), new in any_values(), bounds in any_bounds()) {
            let parts = (0..PARAMETER_COUNT).map(|i| classify_parameter(&PARAMETER_TABLE[i], old[i], new[i]));
            prop_assert_eq!(classify_change(&old, &new), parts.max().unwrap());
            if classify_change(&old, &new) != ChangeClass::RiskIncreasing {
                prop_assert_eq!(check_step_bounds(&old, &new, &bounds), Ok(()));
            }
        }

        /// A change that passes the bounds moves every risk-adding weight at most the bound, and grows
        /// every cap at most the factor.
        #[test]
        fn bounded_steps_stay_within_the_bounds(old in any_values(), new in any_values(), bounds in any_bounds()) {
            if check_step_bounds(&old, &new, &bounds).is_ok() {
                for (i, rule) in PARAMETER_TABLE.iter().enumerate() {
                    if classify_parameter(rule, old[i], new[i]) != ChangeClass::RiskIncreasing {
                        continue;
                    }
                    match rule.step {
                        StepLimit::WeightPoints => {
                            prop_assert!(old[i].abs_diff(new[i]) <= u64::from(bounds.max_weight_step_bps));
                        }
                        StepLimit::RatePoints => {
                            prop_assert!(old[i].abs_diff(new[i]) <= u64::from(bounds.max_rate_step_bps));
                        }
                        StepLimit::Growth if new[i] > old[i] => {
                            let limit = u128::from(old[i].max(1)) * u128::from(bounds.max_growth_bps) / 10_000;
                            prop_assert!(u128::from(new[i]) <= limit);
                        }
                        StepLimit::Growth => {
                            prop_assert!(u128::from(new[i]) * u128::from(bounds.max_growth_bps)
                                >= u128::from(old[i]) * 10_000);
                        }
                        StepLimit::Unbounded => {}
                    }
                }
            }
        }

        /// A single weight step of exactly the bound passes; one basis point more is refused.
        #[test]
        fn the_weight_bound_is_exact(start in 0u64..=10_000, bounds in any_bounds()) {
            let old = with(Parameter::InitAssetWeightBps, start);
            let edge = start + u64::from(bounds.max_weight_step_bps);
            prop_assert_eq!(check_step_bounds(&old, &with(Parameter::InitAssetWeightBps, edge), &bounds), Ok(()));
            prop_assert_eq!(
                check_step_bounds(&old, &with(Parameter::InitAssetWeightBps, edge + 1), &bounds),
                Err(RiskError::StepOutOfBounds)
            );
        }

        /// Whatever the guardian does, no rolling day holds more pauses than the limit, and no pause ends
        /// later than the longest pause from its start.
        #[test]
        fn pauses_never_exceed_their_limits(
            steps in proptest::collection::vec((0i64..50_000, 0u32..5_000), 1..40),
            max_pause_seconds in 0u32..5_000,
            max_pauses_per_day in 0u8..=4,
        ) {
            let limits = PauseLimits { max_pause_seconds, max_pauses_per_day };
            let (mut state, mut now, mut starts) = (PauseState::default(), 1_000_000i64, std::vec::Vec::new());
            for (wait, duration) in steps {
                now += wait;
                if state.pause(now, duration, &limits).is_ok() {
                    starts.push(now);
                    prop_assert!(state.paused_until <= now + i64::from(max_pause_seconds));
                }
                let in_day = starts.iter().filter(|&&start| now - start < DAY_SECONDS).count();
                prop_assert!(in_day <= usize::from(max_pauses_per_day));
            }
        }

        /// Liveness of the group pause: under any settings that validate, whatever the guardian tries, no
        /// unbroken pause lasts longer than the day's allowance (≤ 12 h), and over any horizon the group is
        /// paused at most half of it plus 12 hours.
        #[test]
        fn a_guardian_alone_cannot_pause_the_group_for_good(
            steps in proptest::collection::vec((0i64..30_000, any::<u32>()), 1..60),
            max_pauses_per_day in 1u8..=4,
            max_pause_seconds in 1u32..=MAX_PAUSE_SECONDS,
        ) {
            let max_pause_seconds = max_pause_seconds.min((MAX_PAUSE_SECONDS_PER_DAY / u64::from(max_pauses_per_day)) as u32);
            let limits = PauseLimits { max_pause_seconds, max_pauses_per_day };
            let config = GovernanceConfig {
                timelock: Timelock { delay_seconds: 3_600, lifetime_seconds: 3_600 },
                bounds: BOUNDS,
                pause: limits,
            };
            prop_assert_eq!(config.validate(), Ok(()));
            let start = 1_000_000i64;
            let (mut state, mut now, mut stretch_start, mut paused_total) = (PauseState::default(), start, start, 0i64);
            for (wait, duration) in steps {
                now += wait;
                let was_paused = state.is_paused(now);
                let until_before = state.paused_until;
                if state.pause(now, duration % (max_pause_seconds + 1), &limits).is_ok() {
                    if was_paused {
                        paused_total += state.paused_until - until_before;
                    } else {
                        stretch_start = now;
                        paused_total += state.paused_until - now;
                    }
                    let allowance = u64::from(max_pauses_per_day) * u64::from(max_pause_seconds);
                    prop_assert!((state.paused_until - stretch_start) as u64 <= allowance);
                    prop_assert!(allowance <= MAX_PAUSE_SECONDS_PER_DAY);
                }
            }
            let horizon = state.paused_until.max(now) - start;
            prop_assert!(paused_total <= horizon / 2 + 43_200, "paused {paused_total} of {horizon}");
        }

        /// No input panics the governance functions.
        #[test]
        fn no_panic(old in any_values(), new in any_values(), bounds in any_bounds(), last in any::<i64>(),
                    at in any::<i64>(), delay in any::<u32>(), lifetime in any::<u32>()) {
            let _ = check_step_bounds(&old, &new, &bounds);
            let _ = check_change_interval(last, at, &bounds);
            if let Ok(window) = (Timelock { delay_seconds: delay, lifetime_seconds: lifetime }).window(at) {
                prop_assert!(window.eta <= window.expires_at);
                let _ = window.check_executable(last);
            }
        }
    }
}
