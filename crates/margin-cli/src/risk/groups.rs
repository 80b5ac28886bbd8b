//! `margin risk groups` (issue 26): correlation-group scenarios for two banks from their price history, SPAN's
//! way. Each bank's price scan range is the `confidence` quantile of its absolute move over the liquidation
//! horizon; the spread range the same quantile of the two moves' difference (the de-peg). The 14 scenarios:
//! joint moves of ±1/3, ±2/3 and ±3/3 of each range (6); the spread alone, either way (2); a full joint move
//! with the spread against it, four ways (4); and SPAN's two extreme moves, ±3 ranges covering 35 % (2).
//! Then the history judges them: for a 1:1 hedge (long one, short the other) and a long-long pair, the share
//! of horizons whose real loss the scenario requirement covers, against what the per-position haircuts at the
//! same confidence charge.
use super::history::History;
use super::stats::quantile;
use margin_sdk::margin_risk;
use margin_sdk::margin_risk::portfolio::{Leg, MAX_SCENARIOS};

/// Two banks' recommended scenarios and how the history judges them.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupScenarios {
    /// The two series' names.
    pub names: [String; 2],
    /// Aligned horizons the history held.
    pub samples: usize,
    /// Each bank's scan range and the spread's, fractions of the price.
    pub ranges: [f64; 2],
    pub spread_range: f64,
    /// The scenarios: each bank's move, bps.
    pub moves_bps: Vec<[i16; 2]>,
    /// Covered share of the horizons, requirement from the scenarios (with each leg's own haircut as the
    /// break scenario) and from the per-position haircuts: (hedge, long-long) each.
    pub covered_by_group: [f64; 2],
    pub covered_by_positions: [f64; 2],
    /// Mean requirement, fraction of one leg's value: by the group, by the positions (hedge).
    pub hedge_requirement: [f64; 2],
}

/// Each aligned horizon's relative moves (a, b): closes `horizon` bars apart at timestamps both series hold.
pub fn joint_moves(a: &History, b: &History, horizon: usize) -> Vec<(f64, f64)> {
    let closes_b: std::collections::HashMap<&str, f64> =
        b.bars.iter().map(|bar| (bar.time.as_str(), bar.close)).collect();
    let aligned: Vec<(f64, f64)> =
        a.bars.iter().filter_map(|bar| closes_b.get(bar.time.as_str()).map(|close_b| (bar.close, *close_b))).collect();
    aligned
        .windows(horizon + 1)
        .map(|window| {
            let (first, last) = (window[0], window[horizon]);
            (last.0 / first.0 - 1.0, last.1 / first.1 - 1.0)
        })
        .collect()
}

/// The scenarios for ranges `(range_a, range_b)` and `spread` (fractions), in bps.
pub fn scenarios(ranges: [f64; 2], spread: f64) -> Vec<[i16; 2]> {
    let bps = |fraction: f64| (fraction * 10_000.0).round().clamp(-10_000.0, 10_000.0) as i16;
    let mut moves = Vec::new();
    for third in [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0] {
        moves.push([bps(ranges[0] * third / 3.0), bps(ranges[1] * third / 3.0)]);
    }
    moves.push([bps(spread / 2.0), bps(-spread / 2.0)]);
    moves.push([bps(-spread / 2.0), bps(spread / 2.0)]);
    for joint in [-1.0, 1.0] {
        for side in [-1.0, 1.0] {
            moves.push([bps(joint * ranges[0] + side * spread / 2.0), bps(joint * ranges[1] - side * spread / 2.0)]);
        }
    }
    for joint in [-1.0, 1.0] {
        moves.push([bps(joint * 3.0 * ranges[0] * 0.35), bps(joint * 3.0 * ranges[1] * 0.35)]);
    }
    debug_assert!(moves.len() <= MAX_SCENARIOS);
    moves
}

/// A leg's value in the engine's quote units when [`group_requirement`] prices a pair: $1M.
const LEG_QUOTE: f64 = 1e12;

/// The requirement of positions `exposure` (+1 long a leg's value, −1 short it) over `moves`, as a fraction of
/// one leg: the engine's own rule (`margin_risk::portfolio::group_requirement`: the worst scenario, floored at
/// the worst single leg's own haircut `haircuts`, the break scenario) on $1M legs.
fn group_requirement(exposure: [f64; 2], moves: &[[i16; 2]], haircuts: [f64; 2]) -> Result<f64, String> {
    let moves_of = |bank: usize| -> [i16; MAX_SCENARIOS] {
        core::array::from_fn(|scenario| moves.get(scenario).map_or(0, |m| m[bank]))
    };
    let leg_moves = [moves_of(0), moves_of(1)];
    let legs: Vec<Leg> = (0..2)
        .map(|bank| {
            let value = (exposure[bank].abs() * LEG_QUOTE) as u64;
            let (asset_value, liability_value) = if exposure[bank] >= 0.0 { (value, 0) } else { (0, value) };
            let own_requirement = (exposure[bank].abs() * haircuts[bank] * LEG_QUOTE).ceil() as u64;
            Leg { asset_value, liability_value, own_requirement, moves_bps: &leg_moves[bank] }
        })
        .collect();
    let requirement =
        margin_risk::portfolio::group_requirement(&legs, 10_000).map_err(|error| error.message().to_string())?;
    Ok(requirement as f64 / LEG_QUOTE)
}

/// Recommends scenarios for `a` and `b` at `confidence` over `horizon` bars and judges them on the history.
///
/// Errors: a confidence outside [0.5, 1); series of different bar spacings; fewer than 100 aligned horizons.
pub fn recommend(a: &History, b: &History, horizon: usize, confidence: f64) -> Result<GroupScenarios, String> {
    if !(0.5..1.0).contains(&confidence) {
        return Err(format!("confidence {confidence}: from 0.5 to under 1"));
    }
    if a.bar_seconds != b.bar_seconds {
        return Err(format!("{} and {}: different bar spacings", a.name, b.name));
    }
    let moves = joint_moves(a, b, horizon);
    if moves.len() < 100 {
        return Err(format!("{} and {}: {} aligned horizons, need 100 or more", a.name, b.name, moves.len()));
    }
    let abs = |pick: fn(&(f64, f64)) -> f64| moves.iter().map(|m| pick(m).abs()).collect::<Vec<f64>>();
    let ranges = [quantile(&abs(|m| m.0), confidence), quantile(&abs(|m| m.1), confidence)];
    let spread = quantile(&abs(|m| m.0 - m.1), confidence);
    let scenarios = scenarios(ranges, spread);
    // Per-position haircuts at the same confidence: each leg's range (what its weights would charge alone).
    let (mut by_group, mut by_positions) = ([0usize; 2], [0usize; 2]);
    let mut requirement_sums = [0.0; 2];
    for (index, exposure) in [[1.0, -1.0], [1.0, 1.0]].into_iter().enumerate() {
        let group = group_requirement(exposure, &scenarios, ranges)?;
        let positions = exposure[0].abs() * ranges[0] + exposure[1].abs() * ranges[1];
        for m in &moves {
            let loss = -(exposure[0] * m.0 + exposure[1] * m.1);
            by_group[index] += usize::from(loss <= group);
            by_positions[index] += usize::from(loss <= positions);
        }
        if index == 0 {
            requirement_sums = [group, positions];
        }
    }
    let share = |count: usize| count as f64 / moves.len() as f64;
    Ok(GroupScenarios {
        names: [a.name.clone(), b.name.clone()],
        samples: moves.len(),
        ranges,
        spread_range: spread,
        moves_bps: scenarios,
        covered_by_group: by_group.map(share),
        covered_by_positions: by_positions.map(share),
        hedge_requirement: requirement_sums,
    })
}

/// The report: ranges, the scenario table (ready for a governance proposal), and the history's judgement.
pub fn groups_text(result: &GroupScenarios) -> String {
    let [a, b] = &result.names;
    let mut text = format!(
        "correlation group {a} + {b}: {} aligned horizons\n  scan ranges: {a} {:.2} %, {b} {:.2} %; spread (de-peg) {:.2} %\n\n  scenario | {a} bps | {b} bps\n",
        result.samples,
        result.ranges[0] * 100.0,
        result.ranges[1] * 100.0,
        result.spread_range * 100.0
    );
    for (index, moves) in result.moves_bps.iter().enumerate() {
        text += &format!("  {:>8} | {:>6} | {:>6}\n", index + 1, moves[0], moves[1]);
    }
    text += &format!(
        "\n  1:1 hedge (long {a}, short {b}): the group charges {:.2} % of a leg (per-position haircuts: {:.2} %), covering {:.2} % of the horizons (per position: {:.2} %)\n  long both: covered {:.2} % (per position: {:.2} %)",
        result.hedge_requirement[0] * 100.0,
        result.hedge_requirement[1] * 100.0,
        result.covered_by_group[0] * 100.0,
        result.covered_by_positions[0] * 100.0,
        result.covered_by_group[1] * 100.0,
        result.covered_by_positions[1] * 100.0
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::history::Bar;

    /// Two series moving together with a small independent wobble on the second (a staking token).
    fn pair(bars: usize) -> (History, History) {
        let mut price = 100.0;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for index in 0..bars {
            price *= 1.0 + ((index * 7919 % 201) as f64 - 100.0) / 2_000.0;
            let wobble = 1.0 + ((index * 104_729 % 21) as f64 - 10.0) / 10_000.0;
            let time = format!("t{index:06}");
            a.push(Bar { time: time.clone(), high: price, low: price, close: price });
            b.push(Bar { time, high: price * wobble, low: price * wobble, close: price * wobble });
        }
        let history = |name: &str, bars| History { name: name.into(), bars, bar_seconds: 3_600 };
        (history("sol", a), history("lst", b))
    }

    #[test]
    fn a_pair_that_moves_together_gets_a_small_spread_and_a_cheap_hedge() {
        let (a, b) = pair(2_000);
        let result = recommend(&a, &b, 4, 0.99).unwrap();
        assert_eq!(result.samples, 2_000 - 4);
        assert_eq!(result.moves_bps.len(), 14);
        // The wobble is at most 0.1 % a bar on one series: the spread range is about 0.2 %, far below the ranges.
        assert!(result.spread_range < 0.0025, "{}", result.spread_range);
        assert!(result.ranges[0] > 0.05 && (result.ranges[0] - result.ranges[1]).abs() < 0.005, "{:?}", result.ranges);
        // The hedge is charged its worst leg (the break scenario), half of what two unrelated legs cost.
        assert!((result.hedge_requirement[0] - result.ranges[0].max(result.ranges[1])).abs() < 1e-9);
        assert!(result.hedge_requirement[0] < 0.51 * result.hedge_requirement[1]);
        // Covered as well as per position, at the confidence.
        assert!(result.covered_by_group[0] >= 0.99 && result.covered_by_group[1] >= 0.98, "{result:?}");
        let text = groups_text(&result);
        assert!(text.contains("correlation group sol + lst") && text.contains("      14 |"), "{text}");
        // Unaligned series, other spacings and confidences outside [0.5, 1) are refused by name.
        let other = History { name: "elsewhere".into(), bars: Vec::new(), bar_seconds: 3_600 };
        assert!(recommend(&a, &other, 4, 0.99).unwrap_err().contains("0 aligned horizons"));
        let daily = History { bar_seconds: 86_400, ..b.clone() };
        assert!(recommend(&a, &daily, 4, 0.99).unwrap_err().contains("different bar spacings"));
        for confidence in [0.4, 1.0] {
            assert!(recommend(&a, &b, 4, confidence).unwrap_err().contains("from 0.5 to under 1"));
        }
    }

    #[test]
    fn scenarios_cover_joint_moves_the_spread_and_the_extremes() {
        let moves = scenarios([0.2, 0.1], 0.02);
        assert_eq!(moves[0], [-2_000, -1_000]);
        assert_eq!(moves[5], [2_000, 1_000]);
        assert_eq!((moves[6], moves[7]), ([100, -100], [-100, 100]));
        assert_eq!(moves[8], [-2_100, -900]);
        assert_eq!(moves[12], [-2_100, -1_050]);
        assert!(scenarios([5.0, 5.0], 0.0).iter().all(|m| m[0] >= -10_000 && m[0] <= 10_000));
    }
}
