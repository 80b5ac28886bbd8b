//! Calibration of one asset's risk parameters from its price history (docs/RISK.md states the method):
//! - weights from the worst move within the liquidation horizon: Maint at the historical VaR of the Maint
//!   confidence (what a liquidation must cover, backtested by `margin risk backtest`), Init at the larger of the
//!   historical expected shortfall and the filtered (stressed-volatility) VaR of the Init confidence, the
//!   latter capped by the worst move on record;
//! - confidence multipliers from how far bar ranges (the confidence proxy: the data holds no Pyth confidence)
//!   widen in the worst bars against calm ones;
//! - bonus bounds from the typical move over the horizon (min) and the Maint VaR (max), within what keeps a
//!   liquidation from lowering Maint health.
use margin_sdk::margin::state::BankParams;

use super::history::History;
use super::stats::{ewma_volatility, filtered_var_es, quantile, var_es, worst_moves};

/// Half-life of the EWMA volatility, seconds (three days).
const EWMA_HALF_LIFE_SECONDS: f64 = 3.0 * 86_400.0;
/// The least bonus, bps, worth a liquidator's transaction and price risk.
const MIN_VIABLE_BONUS_BPS: f64 = 50.0;
/// The volatility quantile taken as "stressed" for filtered simulation.
const STRESS_VOLATILITY_QUANTILE: f64 = 0.95;

/// VaR and ES of one side (falls for assets, rises for liabilities) at one confidence, as fractions.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tail {
    pub confidence: f64,
    pub historical_var: f64,
    pub historical_es: f64,
    pub filtered_var: f64,
    pub filtered_es: f64,
}

/// Recommended parameters, bps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recommendation {
    pub init_asset_weight_bps: u32,
    pub maint_asset_weight_bps: u32,
    pub init_liability_weight_bps: u32,
    pub maint_liability_weight_bps: u32,
    pub conf_multiplier_init_bps: u32,
    pub conf_multiplier_maint_bps: u32,
    pub min_bonus_bps: u32,
    pub max_bonus_bps: u32,
}

/// The evidence and the recommendation for one asset.
#[derive(Clone, Debug)]
pub struct Calibration {
    pub asset: String,
    pub bars: usize,
    pub bar_seconds: i64,
    pub horizon_bars: usize,
    /// Falls at the Maint and the Init confidence.
    pub falls: [Tail; 2],
    /// Rises at the Maint and the Init confidence.
    pub rises: [Tail; 2],
    /// Median over horizons of the larger of the worst fall and the worst rise.
    pub typical_move: f64,
    pub median_volatility: f64,
    pub stress_volatility: f64,
    /// Median and 99th-percentile bar range (high − low) / close: the confidence proxy, calm and stressed.
    pub calm_range: f64,
    pub stress_range: f64,
    pub recommendation: Recommendation,
    /// The reasoning, line by line.
    pub reasoning: Vec<String>,
    /// The worst falls (fractions ≤ 0), for the chart.
    pub fall_sample: Vec<f64>,
    /// The largest rise on record within a horizon.
    pub worst_rise: f64,
}

fn bps(fraction: f64) -> f64 {
    fraction * 10_000.0
}

/// Rounds a weight in bps down (assets) or up (liabilities) to a whole bp.
fn weight(value_bps: f64, up: bool) -> u32 {
    (if up { value_bps.ceil() } else { value_bps.floor() }).clamp(0.0, 40_000.0) as u32
}

/// Calibrates `history` for a liquidation horizon of `horizon_seconds` at (Maint, Init) `confidences`, with the
/// bank's insurance fee (it shares the room a bonus has).
pub fn calibrate(
    history: &History,
    horizon_seconds: i64,
    (maint_confidence, init_confidence): (f64, f64),
    insurance_fee_bps: u32,
) -> Result<Calibration, String> {
    if !(0.5..1.0).contains(&maint_confidence) || !(maint_confidence..1.0).contains(&init_confidence) {
        return Err("confidences: expected 0.5 ≤ maint < 1 and maint ≤ init < 1, e.g. 0.99/0.999".to_string());
    }
    let horizon = history.bars_in(horizon_seconds);
    let (falls, rises) = worst_moves(&history.bars, horizon);
    if falls.len() < 100 {
        return Err(format!("{} horizons of {horizon} bars: too few to calibrate (at least 100)", falls.len()));
    }
    let losses: Vec<f64> = falls.iter().map(|fall| -fall).collect();
    let volatility = ewma_volatility(&history.closes(), EWMA_HALF_LIFE_SECONDS / history.bar_seconds as f64);
    let horizon_volatility: Vec<f64> = volatility.iter().map(|sigma| sigma * (horizon as f64).sqrt()).collect();
    let stress_volatility = quantile(&horizon_volatility, STRESS_VOLATILITY_QUANTILE);
    let tail = |moves: &[f64], confidence: f64| {
        let (historical_var, historical_es) = var_es(moves, confidence);
        let (filtered_var, filtered_es) = filtered_var_es(moves, &horizon_volatility, stress_volatility, confidence);
        Tail { confidence, historical_var, historical_es, filtered_var, filtered_es }
    };
    let ranges: Vec<f64> = history.bars.iter().map(|bar| (bar.high - bar.low) / bar.close).collect();
    let mut calibration = Calibration {
        asset: history.name.clone(),
        bars: history.bars.len(),
        bar_seconds: history.bar_seconds,
        horizon_bars: horizon,
        falls: [tail(&losses, maint_confidence), tail(&losses, init_confidence)],
        rises: [tail(&rises, maint_confidence), tail(&rises, init_confidence)],
        typical_move: quantile(&losses.iter().zip(&rises).map(|(loss, rise)| loss.max(*rise)).collect::<Vec<_>>(), 0.5),
        median_volatility: quantile(&horizon_volatility, 0.5),
        stress_volatility,
        calm_range: quantile(&ranges, 0.5),
        stress_range: quantile(&ranges, 0.99),
        recommendation: Recommendation::default(),
        reasoning: Vec::new(),
        fall_sample: falls,
        worst_rise: rises.iter().copied().fold(0.0, f64::max),
    };
    calibration.recommend(insurance_fee_bps);
    Ok(calibration)
}

impl Calibration {
    fn recommend(&mut self, insurance_fee_bps: u32) {
        let [maint_fall, init_fall] = self.falls;
        let [maint_rise, init_rise] = self.rises;
        // The filtered (stressed) VaR, capped by the worst move on record, against the historical ES.
        let worst_fall = self.fall_sample.iter().map(|fall| -fall).fold(0.0, f64::max);
        let init_loss = init_fall.historical_es.max(init_fall.filtered_var.min(worst_fall));
        let init_gain = init_rise.historical_es.max(init_rise.filtered_var.min(self.worst_rise));
        // Liquidators must be paid at least MIN_VIABLE_BONUS_BPS, which (1 + bonus + fee) · maint weight ≤ 1 allows
        // only below a ceiling on the maint weight.
        let viable = 1e8 / (10_000.0 + MIN_VIABLE_BONUS_BPS + f64::from(insurance_fee_bps));
        let maint_asset = weight((10_000.0 - bps(maint_fall.historical_var)).min(viable), false);
        let init_asset = weight(10_000.0 - bps(init_loss), false).min(maint_asset);
        let maint_liability = weight(10_000.0 + bps(maint_rise.historical_var), true).max(10_000);
        let init_liability = weight(10_000.0 + bps(init_gain), true).max(maint_liability);
        let widening = (self.stress_range / self.calm_range.max(1e-9)).max(1.0);
        let conf_multiplier_init = ((2.0 * widening.sqrt()).clamp(2.0, 4.0) * 4.0).ceil() / 4.0;
        // (1 + max bonus + fee) · maint asset weight ≤ 1: the most a bonus may be (margin-risk's rule).
        let room =
            (10_000.0 * 10_000.0 / f64::from(maint_asset.max(1)) - 10_000.0 - f64::from(insurance_fee_bps)).floor();
        let max_bonus = bps(maint_fall.historical_var).ceil().max(MIN_VIABLE_BONUS_BPS).min(room).max(0.0) as u32;
        let min_bonus = (bps(self.typical_move).ceil() as u32).clamp(50, max_bonus.max(50)).min(max_bonus);
        self.recommendation = Recommendation {
            init_asset_weight_bps: init_asset,
            maint_asset_weight_bps: maint_asset,
            init_liability_weight_bps: init_liability,
            maint_liability_weight_bps: maint_liability,
            conf_multiplier_init_bps: (conf_multiplier_init * 10_000.0) as u32,
            conf_multiplier_maint_bps: 10_000,
            min_bonus_bps: min_bonus,
            max_bonus_bps: max_bonus,
        };
        self.reasoning = self.explain(widening, room);
    }

    fn explain(&self, widening: f64, room: f64) -> Vec<String> {
        let (r, [maint_fall, init_fall], [maint_rise, init_rise]) = (&self.recommendation, self.falls, self.rises);
        let pct = |fraction: f64| format!("{:.2} %", fraction * 100.0);
        let hours = self.horizon_bars as f64 * self.bar_seconds as f64 / 3_600.0;
        vec![
            format!("{}: {} bars of {} s; liquidation horizon {} bars ({hours:.1} h); {} horizons (overlapping)", self.asset, self.bars, self.bar_seconds, self.horizon_bars, self.fall_sample.len()),
            format!("worst fall within the horizon: VaR {} {} / ES {}; VaR {} {} / ES {}", maint_fall.confidence, pct(maint_fall.historical_var), pct(maint_fall.historical_es), init_fall.confidence, pct(init_fall.historical_var), pct(init_fall.historical_es)),
            format!("filtered at the stressed volatility ({} per horizon, the {}th percentile of EWMA; median {}): VaR {} {} (worst on record {})", pct(self.stress_volatility), STRESS_VOLATILITY_QUANTILE * 100.0, pct(self.median_volatility), init_fall.confidence, pct(init_fall.filtered_var), pct(self.fall_sample.iter().map(|f| -f).fold(0.0, f64::max))),
            format!("maint asset weight {} bps = 1 − the {} VaR of the fall (what a liquidation within the horizon must cover), at most what leaves room for a {MIN_VIABLE_BONUS_BPS} bps bonus", r.maint_asset_weight_bps, maint_fall.confidence),
            format!("init asset weight {} bps = 1 − the larger of the {} historical ES and the capped filtered VaR", r.init_asset_weight_bps, init_fall.confidence),
            format!("liability weights {} / {} bps (maint / init) from the rise: VaR {} {}, ES {} {} (filtered VaR {})", r.maint_liability_weight_bps, r.init_liability_weight_bps, maint_rise.confidence, pct(maint_rise.historical_var), init_rise.confidence, pct(init_rise.historical_es), pct(init_rise.filtered_var)),
            format!("confidence proxy (bar range): calm {} (median), stressed {} (99th percentile): ×{widening:.1}; k_init = 2·√{widening:.1} within 2–4 = {} bps, k_maint = 10,000 bps", pct(self.calm_range), pct(self.stress_range), r.conf_multiplier_init_bps),
            format!("bonus {}–{} bps: at least the median move over the horizon ({}) and {MIN_VIABLE_BONUS_BPS} bps, at most the maint VaR (or {MIN_VIABLE_BONUS_BPS} bps), within the {room:.0} bps a bonus and fee may take at this maint weight", r.min_bonus_bps, r.max_bonus_bps, pct(self.typical_move)),
        ]
    }

    /// `base` with the recommended weights, multipliers and bonus bounds.
    pub fn apply(&self, base: BankParams) -> BankParams {
        let r = self.recommendation;
        let mut params = base;
        params.risk.init_asset_weight_bps = r.init_asset_weight_bps;
        params.risk.maint_asset_weight_bps = r.maint_asset_weight_bps;
        params.risk.init_liability_weight_bps = r.init_liability_weight_bps;
        params.risk.maint_liability_weight_bps = r.maint_liability_weight_bps;
        params.risk.conf_multiplier_init_bps = r.conf_multiplier_init_bps;
        params.risk.conf_multiplier_maint_bps = r.conf_multiplier_maint_bps;
        params.risk.min_bonus_bps = r.min_bonus_bps;
        params.risk.max_bonus_bps = r.max_bonus_bps;
        params
    }
}
