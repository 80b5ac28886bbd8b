//! Backtests of an asset's weights on its price history (docs/RISK.md): the debt is USD at par (liability
//! weight 1), so the collateral's weights alone are tested.
//! - **Threshold test** (Kupiec): at the start of each non-overlapping liquidation horizon, an account exactly at
//!   its Maint limit; a breach is the worst close within the horizon leaving the collateral worth less than the
//!   debt (the liquidation could not cover it). The breach rate is tested against 1 − the Maint confidence.
//! - **Opened at maximum Init leverage** at each start (every `stride` bars): held until its Maint health is
//!   negative (at a close), then liquidated at the worst close of the following horizon, the liquidator paid
//!   the minimum bonus; whatever the collateral then fails to cover is bad debt.
use super::history::History;
use super::stats::{kupiec_statistic, KUPIEC_CRITICAL_95};

/// The weights and bonus a backtest uses, bps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weights {
    pub init_asset_bps: u32,
    pub maint_asset_bps: u32,
    pub min_bonus_bps: u32,
}

/// What a backtest found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Backtest {
    /// Threshold test: horizons, breaches, the breach rate, its target, Kupiec's statistic, accepted at 95 %.
    pub horizons: usize,
    pub breaches: usize,
    pub breach_rate: f64,
    pub target_rate: f64,
    pub kupiec: f64,
    pub kupiec_accepted: bool,
    /// Mean shortfall of a breach, as a fraction of the collateral's value at the start.
    pub mean_breach_shortfall: f64,
    /// Accounts opened at maximum Init leverage, those liquidated, those leaving bad debt.
    pub opened: usize,
    pub liquidated: usize,
    pub with_bad_debt: usize,
    /// Bad debt over the collateral opened (both in USD at opening), and the fraction of liquidations that
    /// covered the debt.
    pub bad_debt_fraction: f64,
    pub covered_fraction: f64,
}

/// Backtests `weights` on `history` with a liquidation horizon of `horizon` bars at the Maint
/// `maint_confidence`; accounts are opened every `stride` bars and held at most `max_hold` bars.
pub fn backtest(
    history: &History,
    weights: Weights,
    horizon: usize,
    maint_confidence: f64,
    (stride, max_hold): (usize, usize),
) -> Backtest {
    let bars = &history.bars;
    let maint = f64::from(weights.maint_asset_bps) / 10_000.0;
    let mut result = Backtest { target_rate: 1.0 - maint_confidence, ..Backtest::default() };

    // Threshold test: collateral worth 1, debt = its Maint value, over non-overlapping horizons.
    let mut shortfall = 0.0;
    for start in (0..bars.len().saturating_sub(horizon)).step_by(horizon) {
        result.horizons += 1;
        let collateral_at_worst = worst_close(history, start, horizon) / bars[start].close;
        if collateral_at_worst < maint {
            result.breaches += 1;
            shortfall += maint - collateral_at_worst;
        }
    }
    result.breach_rate = result.breaches as f64 / result.horizons.max(1) as f64;
    result.mean_breach_shortfall = shortfall / result.breaches.max(1) as f64;
    result.kupiec = kupiec_statistic(result.breaches, result.horizons, result.target_rate);
    result.kupiec_accepted = result.kupiec < KUPIEC_CRITICAL_95;

    let Backtest { opened, liquidated, with_bad_debt, bad_debt_fraction, covered_fraction, .. } =
        backtest_with_openings(history, weights, horizon, (stride, max_hold), None);
    Backtest { opened, liquidated, with_bad_debt, bad_debt_fraction, covered_fraction, ..result }
}

/// The worst close within the `horizon` bars after bar `from` (closes, as the calibration: stats::worst_moves
/// says why).
fn worst_close(history: &History, from: usize, horizon: usize) -> f64 {
    let bars = &history.bars;
    bars[from + 1..=(from + horizon).min(bars.len() - 1)].iter().map(|bar| bar.close).fold(f64::INFINITY, f64::min)
}

/// The second half of [`backtest`] alone: accounts opened at maximum Init leverage every `stride` bars, held
/// until a close puts Maint below 0, liquidated at the worst close of the following horizon with the minimum
/// bonus. With `opening_haircuts`, an account opened at bar t borrows `init × (1 − haircut[t])` (the dynamic
/// Init margin in force when it opened).
pub fn backtest_with_openings(
    history: &History,
    weights: Weights,
    horizon: usize,
    (stride, max_hold): (usize, usize),
    opening_haircuts: Option<&[f64]>,
) -> Backtest {
    let bars = &history.bars;
    let maint = f64::from(weights.maint_asset_bps) / 10_000.0;
    let init = f64::from(weights.init_asset_bps) / 10_000.0;
    let bonus = f64::from(weights.min_bonus_bps) / 10_000.0;
    let mut result = Backtest::default();
    let mut bad_debt = 0.0;
    for start in (0..bars.len().saturating_sub(horizon + 1)).step_by(stride.max(1)) {
        result.opened += 1;
        let units = 1.0 / bars[start].close;
        let debt = init * (1.0 - opening_haircuts.map_or(0.0, |haircuts| haircuts[start]));
        let end = (start + max_hold).min(bars.len() - 1 - horizon);
        let Some(trigger) = (start + 1..=end).find(|&bar| units * bars[bar].close * maint < debt) else { continue };
        result.liquidated += 1;
        // The liquidator repays the debt and takes collateral worth debt × (1 + bonus) at the worst price.
        let covered = units * worst_close(history, trigger, horizon) / (1.0 + bonus);
        if covered < debt {
            result.with_bad_debt += 1;
            bad_debt += debt - covered;
        }
    }
    result.bad_debt_fraction = bad_debt / result.opened.max(1) as f64;
    result.covered_fraction = 1.0 - result.with_bad_debt as f64 / result.liquidated.max(1) as f64;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::history::Bar;

    fn history(closes: &[f64]) -> History {
        let bars = closes
            .iter()
            .map(|close| Bar { time: String::new(), high: close * 1.001, low: close * 0.999, close: *close })
            .collect();
        History { name: "test".to_string(), bars, bar_seconds: 3_600 }
    }

    #[test]
    fn a_fall_beyond_the_maint_weight_is_a_breach_and_bad_debt() {
        // Flat at 100, one fall to 80 and back.
        let mut closes = vec![100.0; 200];
        closes[101] = 80.0;
        let weights = Weights { init_asset_bps: 8_000, maint_asset_bps: 9_000, min_bonus_bps: 100 };
        let result = backtest(&history(&closes), weights, 2, 0.99, (1, 50));
        // One horizon of two bars (starting at 100) contains the fall: 80 / 100 < 0.9.
        assert_eq!((result.horizons, result.breaches), (99, 1));
        assert!((result.mean_breach_shortfall - (0.9 - 0.8)).abs() < 1e-9);
        // Opened at 0.8 of the collateral: liquidated when 0.9 × price < 0.8, i.e. at the 80 bar; the worst
        // close in the next two bars is 100: covered (100/100/1.01 ≥ 0.8).
        assert!(result.liquidated >= 1 && result.with_bad_debt == 0, "{result:?}");
        assert_eq!(result.covered_fraction, 1.0);
    }

    #[test]
    fn a_crash_through_the_bonus_leaves_bad_debt() {
        let mut closes = vec![100.0; 100];
        closes.extend([85.0, 50.0, 50.0, 50.0]);
        let weights = Weights { init_asset_bps: 8_000, maint_asset_bps: 9_000, min_bonus_bps: 100 };
        let result = backtest(&history(&closes), weights, 2, 0.99, (1, 200));
        assert!(result.with_bad_debt > 0 && result.bad_debt_fraction > 0.0, "{result:?}");
        assert!(result.covered_fraction < 1.0);
    }
}
