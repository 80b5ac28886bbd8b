//! `margin risk`: calibration of risk parameters from price history, backtests and the governance proposals
//! that reach a recommendation. The method, its assumptions and limits are in docs/RISK.md.
pub mod backtest;
pub mod calibrate;
pub mod chart;
pub mod conditional;
pub mod groups;
pub mod history;
pub mod propose;
pub mod stats;

use margin_sdk::margin::state::BankParams;

use backtest::{Backtest, Weights};
use calibrate::Calibration;

/// A horizon such as `90s`, `30m`, `1h`, `4h`, `1d` (or plain seconds), in seconds.
pub fn parse_horizon(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let value: i64 = number.parse().map_err(|_| format!("horizon {text:?}: expected e.g. 1h, 30m, 1d"))?;
    let unit = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(format!("horizon {text:?}: the unit is s, m, h or d")),
    };
    Ok(value * unit).and_then(|seconds| if seconds > 0 { Ok(seconds) } else { Err("horizon must be positive".into()) })
}

/// `0.99/0.999` as (Maint, Init) confidences.
pub fn parse_confidences(text: &str) -> Result<(f64, f64), String> {
    let (maint, init) = text.split_once('/').ok_or("confidence: expected maint/init, e.g. 0.99/0.999")?;
    let parse = |part: &str| part.trim().parse::<f64>().map_err(|_| format!("confidence {part:?} is not a number"));
    Ok((parse(maint)?, parse(init)?))
}

/// The weights a backtest takes from bank parameters.
pub fn weights_of(params: &BankParams) -> Weights {
    Weights {
        init_asset_bps: params.risk.init_asset_weight_bps,
        maint_asset_bps: params.risk.maint_asset_weight_bps,
        min_bonus_bps: params.risk.min_bonus_bps,
    }
}

/// The calibration as a risk team reads it: the evidence, the reasoning, and current against recommended.
pub fn calibration_text(calibration: &Calibration, current: &BankParams) -> String {
    let mut lines = calibration.reasoning.clone();
    let recommended = calibration.apply(*current);
    lines.push(format!("{:<28} {:>10} {:>12}", "parameter (bps)", "current", "recommended"));
    for (name, now, then) in compared_rows(current, &recommended) {
        lines.push(format!("{name:<28} {now:>10} {then:>12}"));
    }
    lines.join("\n")
}

fn compared_rows(current: &BankParams, recommended: &BankParams) -> Vec<(&'static str, u32, u32)> {
    let (a, b) = (&current.risk, &recommended.risk);
    vec![
        ("init_asset_weight", a.init_asset_weight_bps, b.init_asset_weight_bps),
        ("maint_asset_weight", a.maint_asset_weight_bps, b.maint_asset_weight_bps),
        ("init_liability_weight", a.init_liability_weight_bps, b.init_liability_weight_bps),
        ("maint_liability_weight", a.maint_liability_weight_bps, b.maint_liability_weight_bps),
        ("conf_multiplier_init", a.conf_multiplier_init_bps, b.conf_multiplier_init_bps),
        ("conf_multiplier_maint", a.conf_multiplier_maint_bps, b.conf_multiplier_maint_bps),
        ("min_bonus", a.min_bonus_bps, b.min_bonus_bps),
        ("max_bonus", a.max_bonus_bps, b.max_bonus_bps),
    ]
}

/// Two backtests side by side.
pub fn backtest_text(current: &Backtest, recommended: &Backtest) -> String {
    let rows: Vec<(&str, String, String)> = vec![
        ("horizons (non-overlapping)", current.horizons.to_string(), recommended.horizons.to_string()),
        ("breaches at the Maint limit", current.breaches.to_string(), recommended.breaches.to_string()),
        ("breach rate", percent(current.breach_rate), percent(recommended.breach_rate)),
        ("target rate", percent(current.target_rate), percent(recommended.target_rate)),
        ("Kupiec LR (accept < 3.84)", format!("{:.2}", current.kupiec), format!("{:.2}", recommended.kupiec)),
        ("Kupiec at 95 %", verdict(current.kupiec_accepted), verdict(recommended.kupiec_accepted)),
        (
            "mean shortfall of a breach",
            percent(current.mean_breach_shortfall),
            percent(recommended.mean_breach_shortfall),
        ),
        ("opened at max Init leverage", current.opened.to_string(), recommended.opened.to_string()),
        ("liquidated", current.liquidated.to_string(), recommended.liquidated.to_string()),
        (
            "liquidations that covered the debt",
            percent(current.covered_fraction),
            percent(recommended.covered_fraction),
        ),
        (
            "bad debt / collateral opened",
            format!("{:.4} %", current.bad_debt_fraction * 100.0),
            format!("{:.4} %", recommended.bad_debt_fraction * 100.0),
        ),
    ];
    let mut lines = vec![format!("{:<36} {:>12} {:>12}", "", "current", "recommended")];
    lines.extend(rows.into_iter().map(|(name, now, then)| format!("{name:<36} {now:>12} {then:>12}")));
    lines.join("\n")
}

fn percent(fraction: f64) -> String {
    format!("{:.3} %", fraction * 100.0)
}

fn verdict(accepted: bool) -> String {
    if accepted { "accepted" } else { "rejected" }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizons_and_confidences_parse_or_are_named() {
        assert_eq!(parse_horizon("1h"), Ok(3_600));
        assert_eq!(parse_horizon("30m"), Ok(1_800));
        assert_eq!(parse_horizon("2d"), Ok(172_800));
        assert_eq!(parse_horizon("45"), Ok(45));
        assert!(parse_horizon("1w").unwrap_err().contains("unit"));
        assert!(parse_horizon("0h").is_err());
        assert_eq!(parse_confidences("0.99/0.999"), Ok((0.99, 0.999)));
        assert!(parse_confidences("0.99").is_err());
    }
}

/// What every `margin risk` command takes.
#[derive(Clone, Debug)]
pub struct Inputs {
    pub history: history::History,
    pub horizon_seconds: i64,
    pub confidences: (f64, f64),
    /// The parameters in force now (a preset).
    pub current: BankParams,
}

impl Inputs {
    /// Loads the price file and parses the options.
    pub fn load(prices: &std::path::Path, horizon: &str, confidence: &str, preset: &str) -> Result<Inputs, String> {
        let current = match preset {
            "volatile" => margin_sdk::presets::volatile_params(),
            "stable" => margin_sdk::presets::stable_params(),
            other => return Err(format!("preset {other:?}: volatile or stable")),
        };
        Ok(Inputs {
            history: history::History::load(prices)?,
            horizon_seconds: parse_horizon(horizon)?,
            confidences: parse_confidences(confidence)?,
            current,
        })
    }

    pub fn calibration(&self) -> Result<Calibration, String> {
        calibrate::calibrate(&self.history, self.horizon_seconds, self.confidences, self.current.risk.insurance_fee_bps)
    }

    /// Backtests of the current and the recommended parameters (accounts opened every `stride` bars, held at
    /// most 30 days).
    pub fn backtests(&self, calibration: &Calibration, stride: usize) -> (Backtest, Backtest) {
        let horizon = calibration.horizon_bars;
        let hold = (30 * 86_400 / self.history.bar_seconds.max(1)) as usize;
        let run = |params: &BankParams| {
            backtest::backtest(&self.history, weights_of(params), horizon, self.confidences.0, (stride, hold))
        };
        (run(&self.current), run(&calibration.apply(self.current)))
    }
}

/// `margin risk propose`'s text: each proposal, when it executes, what it moves, and its effect.
pub fn proposals_text(steps: &[propose::Step]) -> String {
    if steps.is_empty() {
        return "the current parameters are the recommended ones: nothing to propose".to_string();
    }
    let mut lines = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        let moves: Vec<String> = step.moves.iter().map(|(name, from, to)| format!("{name} {from} → {to}")).collect();
        lines.push(format!(
            "proposal {}: executes after day {:.1}, {:?}: {}",
            index + 1,
            step.executes_after_days,
            step.class,
            moves.join(", ")
        ));
        lines.push(format!(
            "  what-if, $10,000 of collateral borrowed to the current Init limit: Maint health {:+.2} USD, max borrow {:.2} USD",
            step.reference_maint_usd, step.reference_max_borrow_usd
        ));
        let changes: Vec<String> = step.moves.iter().map(|(name, _, to)| format!("{name}={to}")).collect();
        lines.push(format!("  margin gov propose-bank-change <signer options> <bank> {}", changes.join(" ")));
    }
    lines.join("\n")
}
