//! Price paths: one oracle quote per step and bank (price, confidence, EMA price and EMA confidence, USD per
//! whole token), from a constant, a synthetic path with seeded noise, or a CSV of closes.
use std::path::{Path, PathBuf};

use crate::scenario::{BankSpec, PathSpec};

/// One step's Pyth quote of a bank, USD per whole token.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Quote {
    /// Price.
    pub price: f64,
    /// Confidence (one side).
    pub conf: f64,
    /// EMA of the price.
    pub ema_price: f64,
    /// EMA of the confidence.
    pub ema_conf: f64,
}

/// Deterministic pseudo-random numbers (xorshift64*), so a scenario and its seed give one path.
pub struct Random(u64);

impl Random {
    /// A generator from `seed` (0 is replaced by a fixed odd constant).
    pub fn new(seed: u64) -> Random {
        Random(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// A uniform number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal number (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(f64::MIN_POSITIVE), self.unit());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// The prices of `spec` for `steps + 1` points (step 0 is the start), or why they cannot be read.
pub fn prices(spec: &BankSpec, steps: usize, random: &mut Random, folder: &Path) -> Result<Vec<f64>, String> {
    let name = &spec.name;
    match &spec.path {
        PathSpec::Constant { price } => Ok(vec![*price; steps + 1]),
        PathSpec::Synthetic { start, segments, volatility_bps } => {
            let mut path = vec![*start];
            let mut trend = *start;
            for segment in segments {
                let ratio = (segment.to / trend).powf(1.0 / segment.steps.max(1) as f64);
                for _ in 0..segment.steps {
                    trend *= ratio;
                    let noise = (random.normal() * volatility_bps / 10_000.0).exp();
                    path.push(trend * noise);
                }
            }
            while path.len() <= steps {
                let noise = (random.normal() * volatility_bps / 10_000.0).exp();
                path.push(trend * noise);
            }
            path.truncate(steps + 1);
            Ok(path)
        }
        PathSpec::Csv { file, from, to } => {
            let found = data_file(file, folder).ok_or_else(|| {
                format!("banks {name:?}: price file {file} not found next to the scenario, in $MARGIN_DATA or ../shared/data")
            })?;
            let text = std::fs::read_to_string(&found).map_err(|error| format!("{}: {error}", found.display()))?;
            let closes = closes_between(&text, from, to).map_err(|error| format!("{}: {error}", found.display()))?;
            if closes.len() < steps + 1 {
                return Err(format!(
                    "{}: {} rows from {from} to {to}, the scenario needs {}",
                    found.display(),
                    closes.len(),
                    steps + 1
                ));
            }
            Ok(closes[..=steps].to_vec())
        }
    }
}

/// The close column (the fifth) of the rows whose timestamp is in [from, to), as text comparison of ISO times.
pub(crate) fn closes_between(text: &str, from: &str, to: &str) -> Result<Vec<f64>, String> {
    let mut closes = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let timestamp = fields[0];
        if timestamp < from || timestamp >= to {
            continue;
        }
        let close = fields.get(4).and_then(|field| field.parse::<f64>().ok());
        match close {
            Some(close) if close > 0.0 => closes.push(close),
            _ => return Err(format!("line {}: no positive close in the fifth column", number + 1)),
        }
    }
    Ok(closes)
}

/// Where a data file is: next to the scenario, under `$MARGIN_DATA`, or under `../shared/data`.
pub fn data_file(file: &str, folder: &Path) -> Option<PathBuf> {
    let mut candidates = vec![folder.join(file)];
    if let Ok(root) = std::env::var("MARGIN_DATA") {
        candidates.push(PathBuf::from(root).join(file));
    }
    candidates.push(PathBuf::from("../shared/data").join(file));
    candidates.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(file));
    candidates.into_iter().find(|candidate| candidate.is_file())
}

/// Pyth-like quotes along `prices`: confidence = `conf_bps` of the price plus `conf_per_move` bps per bp of
/// the step's move; EMA price and confidence follow with time constant `ema_seconds`.
pub fn quotes(spec: &BankSpec, prices: &[f64], step_seconds: i64) -> Vec<Quote> {
    let weight = 1.0 - (-(step_seconds as f64) / spec.ema_seconds).exp();
    let mut quotes: Vec<Quote> = Vec::with_capacity(prices.len());
    for (step, &price) in prices.iter().enumerate() {
        let previous = if step == 0 { price } else { prices[step - 1] };
        let move_bps = ((price / previous).ln().abs()) * 10_000.0;
        let wide = spec.wide.iter().any(|[from, to]| (*from..*to).contains(&step));
        let conf_bps = spec.conf_bps + spec.conf_per_move * move_bps;
        let conf = price * if wide { conf_bps.max(spec.wide_conf_bps) } else { conf_bps } / 10_000.0;
        let quote = match quotes.last() {
            None => Quote { price, conf, ema_price: price, ema_conf: conf },
            Some(last) => Quote {
                price,
                conf,
                ema_price: last.ema_price + weight * (price - last.ema_price),
                ema_conf: last.ema_conf + weight * (conf - last.ema_conf),
            },
        };
        quotes.push(quote);
    }
    quotes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Preset, Segment};

    fn spec(path: PathSpec) -> BankSpec {
        BankSpec {
            name: "X".into(),
            decimals: 9,
            preset: Preset::Volatile,
            weights: None,
            conf_bps: 10.0,
            conf_per_move: 1.0,
            ema_seconds: 3_600.0,
            path,
            stale: vec![],
            insurance_usd: 0.0,
            liquidity_usd: 1.0,
            wide: vec![],
            wide_conf_bps: 0.0,
            fallback: None,
            dynamic: None,
            size: None,
            market_depth_usd: None,
        }
    }

    #[test]
    fn a_noiseless_synthetic_path_reaches_each_target_geometrically() {
        let segments = vec![Segment { steps: 2, to: 25.0 }, Segment { steps: 1, to: 50.0 }];
        let bank = spec(PathSpec::Synthetic { start: 100.0, segments, volatility_bps: 0.0 });
        let path = prices(&bank, 4, &mut Random::new(1), Path::new(".")).unwrap();
        let rounded: Vec<f64> = path.iter().map(|price| (price * 1e9).round() / 1e9).collect();
        assert_eq!(rounded, vec![100.0, 50.0, 25.0, 50.0, 50.0]);
    }

    #[test]
    fn the_ema_lags_and_confidence_widens_with_the_move() {
        let bank = spec(PathSpec::Constant { price: 1.0 });
        let quotes = quotes(&bank, &[100.0, 50.0, 50.0], 3_600);
        // A −69 % log move: 10 bp + 6,931 bp of confidence.
        assert!((quotes[1].conf / 50.0 * 10_000.0 - (10.0 + 6_931.47)).abs() < 0.01);
        let weight = 1.0 - (-1.0f64).exp();
        assert!((quotes[1].ema_price - (100.0 - weight * 50.0)).abs() < 1e-9);
        assert!(quotes[2].ema_price < quotes[1].ema_price && quotes[2].ema_price > 50.0);
    }

    #[test]
    fn csv_closes_are_read_between_two_timestamps_and_a_bad_row_is_named() {
        let text = "timestamp,open,high,low,close,volume\n2022-11-08 00:00:00,1,1,1,20.5,9\n2022-11-08 01:00:00,1,1,1,19.0,9\n2022-11-09 00:00:00,1,1,1,15.0,9\n";
        assert_eq!(closes_between(text, "2022-11-08", "2022-11-09").unwrap(), vec![20.5, 19.0]);
        let bad = text.replace("19.0", "x");
        assert_eq!(
            closes_between(&bad, "2022-11-08", "2022-11-09").unwrap_err(),
            "line 3: no positive close in the fifth column"
        );
    }
}
