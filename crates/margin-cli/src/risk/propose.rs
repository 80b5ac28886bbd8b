//! From the current parameters to a recommendation in governance's steps: risk-reducing moves at once, each
//! risk-adding move by at most the group's step bound per proposal, proposals a change interval apart (each
//! executing after the timelock), every intermediate set valid (`Bank::validate_params`). Each step reports its
//! effect on a reference account: $10,000 of the asset against a USD debt at the current maximum Init borrow.
use margin_sdk::margin::state::{Bank, BankParams, GovernanceSettings};
use margin_sdk::margin_risk::governance::ParameterValues;
use margin_sdk::margin_risk::governance::{
    classify_change, step_within_bounds, ChangeClass, StepBounds, StepLimit, PARAMETER_TABLE,
};

/// One proposal of the sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Days from the first proposal to this one's execution (timelock included).
    pub executes_after_days: f64,
    pub params: BankParams,
    pub class: ChangeClass,
    /// The parameters this step moves: (name, from, to).
    pub moves: Vec<(&'static str, u64, u64)>,
    /// The reference account after the step: its Maint health and the most it could borrow, USD.
    pub reference_maint_usd: f64,
    pub reference_max_borrow_usd: f64,
}

/// The reference account's collateral, USD.
const REFERENCE_COLLATERAL_USD: f64 = 10_000.0;

/// The sequence of proposals from `current` to `target` under `governance`; errors when no valid sequence
/// of bounded steps reaches it (e.g. an intermediate set breaks the weights' order).
pub fn plan(current: BankParams, target: BankParams, governance: &GovernanceSettings) -> Result<Vec<Step>, String> {
    let bounds = StepBounds {
        max_weight_step_bps: governance.max_weight_step_bps,
        max_rate_step_bps: governance.max_rate_step_bps,
        max_growth_bps: governance.max_growth_bps,
        min_change_interval_seconds: governance.min_change_interval_seconds,
    };
    let reference_debt = REFERENCE_COLLATERAL_USD * f64::from(current.risk.init_asset_weight_bps) / 10_000.0;
    let (mut steps, mut params) = (Vec::new(), current);
    let target_values = target.values();
    for index in 0..64 {
        if params.values() == target_values {
            return Ok(steps);
        }
        let next = step_toward(params, &target_values, &bounds)?;
        Bank::validate_params(&next)
            .map_err(|error| format!("step {}: the parameters are not valid: {error}", index + 1))?;
        let before = params.values();
        let moves = PARAMETER_TABLE
            .iter()
            .zip(before.iter().zip(next.values()))
            .filter(|(_, (from, to))| *from != to)
            .map(|(rule, (from, to))| (rule.name, *from, to))
            .collect();
        let interval_days = f64::from(governance.min_change_interval_seconds) / 86_400.0;
        let timelock_days = f64::from(governance.timelock_delay_seconds) / 86_400.0;
        let maint = REFERENCE_COLLATERAL_USD * f64::from(next.risk.maint_asset_weight_bps) / 10_000.0 - reference_debt;
        steps.push(Step {
            executes_after_days: index as f64 * interval_days.max(timelock_days) + timelock_days,
            params: next,
            class: classify_change(&before, &next.values()),
            moves,
            reference_maint_usd: maint,
            reference_max_borrow_usd: REFERENCE_COLLATERAL_USD * f64::from(next.risk.init_asset_weight_bps) / 10_000.0,
        });
        params = next;
    }
    Err("more than 64 steps: widen the step bounds or move the target closer".to_string())
}

/// The next parameters: every row moved to its target when that is safer or within its step bound, else by the
/// bound toward it.
fn step_toward(params: BankParams, target: &ParameterValues, bounds: &StepBounds) -> Result<BankParams, String> {
    let mut next = params;
    for (row, rule) in PARAMETER_TABLE.iter().enumerate() {
        let (from, to) = (params.values()[row], target[row]);
        if from == to {
            continue;
        }
        let within =
            step_within_bounds(rule.step, from, to, bounds).map_err(|error| format!("{}: {error:?}", rule.name))?;
        let safer =
            margin_sdk::margin_risk::governance::classify_parameter(rule, from, to) != ChangeClass::RiskIncreasing;
        let value = if within || safer { to } else { bounded_move(rule.step, from, to, bounds) };
        next = margin_sdk::params::with_parameter(next, rule.name, value)?;
    }
    Ok(next)
}

/// As far from `from` toward `to` as one risk-adding step of kind `step` may go.
fn bounded_move(step: StepLimit, from: u64, to: u64, bounds: &StepBounds) -> u64 {
    let points = match step {
        StepLimit::WeightPoints => u64::from(bounds.max_weight_step_bps),
        StepLimit::RatePoints => u64::from(bounds.max_rate_step_bps),
        StepLimit::Growth if to > from => {
            return (u128::from(from.max(1)) * u128::from(bounds.max_growth_bps) / 10_000).min(u128::from(to)) as u64;
        }
        StepLimit::Growth => {
            return (u128::from(from) * 10_000).div_ceil(u128::from(bounds.max_growth_bps.max(1))).max(u128::from(to))
                as u64;
        }
        StepLimit::Unbounded => return to,
    };
    if to > from {
        from + points.min(to - from)
    } else {
        from - points.min(from - to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use margin_sdk::presets::{governance_settings, volatile_params};

    #[test]
    fn each_move_follows_its_governance_class() {
        let current = volatile_params();
        let mut target = current;
        // A lower Init asset weight only reduces risk: at once. A lower Maint asset weight makes accounts
        // liquidatable sooner, which governance bounds like a loosening: 5 points a step.
        target.risk.init_asset_weight_bps = 7_000;
        target.risk.maint_asset_weight_bps = 8_000;
        let steps = plan(current, target, &governance_settings()).unwrap();
        let weights: Vec<(u32, u32)> =
            steps.iter().map(|s| (s.params.risk.init_asset_weight_bps, s.params.risk.maint_asset_weight_bps)).collect();
        assert_eq!(weights, vec![(7_000, 8_500), (7_000, 8_000)]);
        assert_eq!(steps.last().unwrap().params, target);
        let mut tighter = current;
        tighter.risk.init_liability_weight_bps = 14_000;
        let steps = plan(current, tighter, &governance_settings()).unwrap();
        assert_eq!((steps.len(), steps[0].class), (1, ChangeClass::RiskReducing));
        // Looser by 9 points of Init weight at ±5 points a step: two steps, the timelock (2 days) apart.
        let mut looser = current;
        looser.risk.init_asset_weight_bps = 8_900;
        looser.risk.maint_asset_weight_bps = 9_100; // (1 + 8 % bonus + 1 % fee) · 0.91 ≤ 1
        let steps = plan(current, looser, &governance_settings()).unwrap();
        let init: Vec<u32> = steps.iter().map(|step| step.params.risk.init_asset_weight_bps).collect();
        assert_eq!(init, vec![8_500, 8_900]);
        assert_eq!(steps.iter().map(|s| s.executes_after_days).collect::<Vec<_>>(), vec![2.0, 4.0]);
        assert!(steps.iter().all(|step| step.class == ChangeClass::RiskIncreasing));
        assert!(steps[1].reference_max_borrow_usd > steps[0].reference_max_borrow_usd);
    }

    #[test]
    fn an_invalid_intermediate_set_is_named() {
        let current = volatile_params();
        let mut target = current;
        // 0.93 leaves no room for the 8 % bonus and 1 % fee: (1.09 · 0.93 > 1).
        target.risk.maint_asset_weight_bps = 9_300;
        assert!(plan(current, target, &governance_settings()).unwrap_err().contains("not valid"));
    }
}
