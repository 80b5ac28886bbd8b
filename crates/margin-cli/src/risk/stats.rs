//! Statistics of price moves for calibration: worst moves over a horizon, quantiles and expected shortfall,
//! EWMA volatility, filtered (volatility-scaled) historical simulation, and Kupiec's test. Plain f64: this is
//! an offline tool for a risk team, not protocol arithmetic (which stays in margin-risk, in integers).
use super::history::Bar;

/// For each start bar t (with a full horizon after it): the worst fall, min(close over t+1..=t+h) / close_t − 1
/// (≤ 0), and the worst rise, max(close over t+1..=t+h) / close_t − 1 (≥ 0). What a position opened at t loses
/// at worst before a liquidation `h` bars later completes. Closes, not wicks: the oracle aggregates many
/// venues, so one venue's wick (or a bad tick, such as Yahoo's USDC high of 2.35 on 2021-11-16) is not a price
/// the program would have seen.
pub fn worst_moves(bars: &[Bar], horizon: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut falls, mut rises) = (Vec::new(), Vec::new());
    for start in 0..bars.len().saturating_sub(horizon) {
        let window = &bars[start + 1..=start + horizon];
        let low = window.iter().map(|bar| bar.close).fold(f64::INFINITY, f64::min);
        let high = window.iter().map(|bar| bar.close).fold(0.0, f64::max);
        falls.push((low / bars[start].close - 1.0).min(0.0));
        rises.push((high / bars[start].close - 1.0).max(0.0));
    }
    (falls, rises)
}

/// The `q` quantile (0..1) of `values`, linear between order statistics.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (below, above) = (position.floor() as usize, position.ceil() as usize);
    sorted[below] + (sorted[above] - sorted[below]) * (position - below as f64)
}

/// Value at risk and expected shortfall of losses `losses` (positive = loss) at `confidence`: the
/// `confidence` quantile, and the mean of the losses at or beyond it.
pub fn var_es(losses: &[f64], confidence: f64) -> (f64, f64) {
    let var = quantile(losses, confidence);
    let tail: Vec<f64> = losses.iter().copied().filter(|loss| *loss >= var).collect();
    (var, tail.iter().sum::<f64>() / tail.len().max(1) as f64)
}

/// EWMA volatility of one-bar log returns before each bar (σ_t uses returns up to t−1), with a half-life
/// of `half_life_bars`; seeded with the first 30 returns' variance.
pub fn ewma_volatility(closes: &[f64], half_life_bars: f64) -> Vec<f64> {
    let lambda = 0.5f64.powf(1.0 / half_life_bars);
    let returns: Vec<f64> = closes.windows(2).map(|pair| (pair[1] / pair[0]).ln()).collect();
    let seed = returns.iter().take(30).map(|r| r * r).sum::<f64>() / returns.len().clamp(1, 30) as f64;
    let mut variance = seed.max(1e-12);
    let mut volatility = vec![variance.sqrt()];
    for r in &returns {
        variance = lambda * variance + (1.0 - lambda) * r * r;
        volatility.push(variance.sqrt());
    }
    volatility
}

/// Filtered historical simulation: each loss divided by the volatility when it started, the standardised
/// losses' VaR and ES at `confidence`, scaled back by `stress_volatility`. Says what the history's shapes of
/// moves would cost if they happened at the stressed volatility.
pub fn filtered_var_es(losses: &[f64], volatility: &[f64], stress_volatility: f64, confidence: f64) -> (f64, f64) {
    let standardised: Vec<f64> = losses.iter().zip(volatility).map(|(loss, sigma)| loss / sigma.max(1e-9)).collect();
    let (var, es) = var_es(&standardised, confidence);
    ((var * stress_volatility).min(1.0), (es * stress_volatility).min(1.0))
}

/// Kupiec's proportion-of-failures test: `breaches` out of `trials` against a target rate `p`. Returns the
/// likelihood-ratio statistic (χ² with one degree of freedom under the null).
pub fn kupiec_statistic(breaches: usize, trials: usize, p: f64) -> f64 {
    let (x, n) = (breaches as f64, trials as f64);
    let log_likelihood = |rate: f64| {
        let hit = if x > 0.0 { x * rate.ln() } else { 0.0 };
        let miss = if n - x > 0.0 { (n - x) * (1.0 - rate).ln() } else { 0.0 };
        hit + miss
    };
    (-2.0 * (log_likelihood(p) - log_likelihood(x / n))).max(0.0)
}

/// The χ²(1) critical value at 95 %: Kupiec's test accepts the breach rate below it.
pub const KUPIEC_CRITICAL_95: f64 = 3.841;

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(low: f64, close: f64, high: f64) -> Bar {
        Bar { time: String::new(), high, low, close }
    }

    #[test]
    fn worst_moves_take_the_extreme_closes_inside_the_horizon() {
        let bars = [bar(99.0, 100.0, 101.0), bar(90.0, 95.0, 104.0), bar(94.0, 120.0, 130.0), bar(50.0, 60.0, 61.0)];
        let (falls, rises) = worst_moves(&bars, 2);
        assert_eq!(falls.len(), 2);
        // Closes only: the wicks (90, 130) do not count.
        assert!((falls[0] - -0.05).abs() < 1e-12 && (rises[0] - 0.20).abs() < 1e-12);
        assert!((falls[1] - (60.0 / 95.0 - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn quantile_and_expected_shortfall() {
        let losses: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((quantile(&losses, 0.5) - 50.5).abs() < 1e-9);
        let (var, es) = var_es(&losses, 0.95);
        assert!((var - 95.05).abs() < 1e-9);
        assert!((es - 98.0).abs() < 1e-9, "mean of 96..=100");
    }

    #[test]
    fn ewma_follows_a_volatility_jump() {
        let mut closes = vec![100.0];
        for i in 0..400 {
            let step: f64 = if i < 200 { 0.001 } else { 0.05 };
            let last = *closes.last().unwrap();
            closes.push(last * if i % 2 == 0 { 1.0 + step } else { 1.0 / (1.0 + step) });
        }
        let sigma = ewma_volatility(&closes, 10.0);
        assert!(sigma[199] < 0.002 && sigma[399] > 0.04, "{} {}", sigma[199], sigma[399]);
    }

    #[test]
    fn kupiec_accepts_the_target_rate_and_rejects_far_from_it() {
        assert!(kupiec_statistic(10, 1_000, 0.01) < 1e-9);
        assert!(kupiec_statistic(14, 1_000, 0.01) < KUPIEC_CRITICAL_95);
        assert!(kupiec_statistic(25, 1_000, 0.01) > KUPIEC_CRITICAL_95);
        assert!(kupiec_statistic(0, 1_000, 0.01) > KUPIEC_CRITICAL_95, "none in 1,000 at 1 % is too few");
    }
}
