//! `margin risk` on price history: synthetic series generated here (always run), and the real series of
//! ../shared/data when that folder is present (not committed: its README forbids it; found through
//! `$MARGIN_DATA`, `../shared/data` or next to the workspace, as the simulator's history scenarios are).
use std::path::{Path, PathBuf};
use std::process::Command;

use margin_cli::path::{data_file, Random};
use margin_cli::risk::{self, calibrate::Calibration, history::History, Inputs};

/// A synthetic hourly series: log-returns with volatility `sigma` per bar, and a jump of `jump` every
/// `every` bars (a crash followed by a partial recovery), seeded.
fn series(name: &str, start: f64, sigma: f64, (jump, every): (f64, usize), seed: u64) -> History {
    let mut random = Random::new(seed);
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    let mut price = start;
    for bar in 0..20_000 {
        let shock = if bar % every == every - 1 {
            jump
        } else if bar % every == 0 && bar > 0 {
            -jump / 2.0
        } else {
            0.0
        };
        price *= (sigma * random.normal() + shock).exp();
        text.push_str(&format!("{},{price},{price},{price},{price},1\n", utc(1_609_459_200 + bar as i64 * 3_600)));
    }
    History::parse(name, &text).unwrap()
}

/// "YYYY-MM-DD HH:MM:SS" of unix seconds (Howard Hinnant's civil_from_days).
fn utc(seconds: i64) -> String {
    let (days, second_of_day) = (seconds.div_euclid(86_400) + 719_468, seconds.rem_euclid(86_400));
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let (hour, minute) = (second_of_day / 3_600, second_of_day % 3_600 / 60);
    format!("{year}-{month:02}-{day:02} {hour:02}:{minute:02}:00")
}

fn inputs(history: History, preset: &str) -> Inputs {
    let current =
        if preset == "stable" { margin_sdk::presets::stable_params() } else { margin_sdk::presets::volatile_params() };
    Inputs { history, horizon_seconds: 3_600, confidences: (0.99, 0.999), current }
}

fn haircuts(calibration: &Calibration) -> (u32, u32) {
    let r = calibration.recommendation;
    (10_000 - r.maint_asset_weight_bps, 10_000 - r.init_asset_weight_bps)
}

#[test]
fn a_volatile_series_gets_larger_haircuts_than_a_stable_one_and_passes_its_backtest() {
    let volatile = inputs(series("volatile", 150.0, 0.012, (-0.15, 2_000), 7), "volatile");
    let stable = inputs(series("stable", 1.0, 0.0004, (-0.02, 5_000), 9), "stable");
    let (hot, calm) = (volatile.calibration().unwrap(), stable.calibration().unwrap());
    let (hot_maint, hot_init) = haircuts(&hot);
    let (calm_maint, calm_init) = haircuts(&calm);
    assert!(
        hot_maint > 2 * calm_maint && hot_init > 2 * calm_init,
        "{hot_maint}/{hot_init} vs {calm_maint}/{calm_init}"
    );
    // The Maint haircut is the 99 % VaR of a one-bar move: about 2.33 σ for normal returns (σ = 1.2 %).
    assert!((250..320).contains(&hot_maint), "{hot_maint}");
    // Init is stricter than Maint, and the order of weights holds for the program.
    assert!(hot_init > hot_maint && calm_init >= calm_maint);
    margin_sdk::margin::state::Bank::validate_params(&hot.apply(volatile.current)).unwrap();
    margin_sdk::margin::state::Bank::validate_params(&calm.apply(stable.current)).unwrap();
    // At the recommended weights the breach rate at the Maint limit is within Kupiec's acceptance region.
    let (current, recommended) = volatile.backtests(&hot, 1);
    assert!(recommended.kupiec_accepted, "{recommended:?}");
    assert!((recommended.breach_rate - 0.01).abs() < 0.003, "{}", recommended.breach_rate);
    // The preset's 10 % Maint buffer is far more than this series needs: too few breaches, rejected.
    assert!(current.breach_rate < 0.002 && !current.kupiec_accepted, "{current:?}");
}

#[test]
fn calibration_is_reproducible_and_proposals_reach_it_in_bounded_steps() {
    let first = inputs(series("volatile", 150.0, 0.012, (-0.15, 2_000), 7), "volatile");
    let second = inputs(series("volatile", 150.0, 0.012, (-0.15, 2_000), 7), "volatile");
    let (a, b) = (first.calibration().unwrap(), second.calibration().unwrap());
    assert_eq!(risk::calibration_text(&a, &first.current), risk::calibration_text(&b, &second.current));
    let target = a.apply(first.current);
    let steps = risk::propose::plan(first.current, target, &margin_sdk::presets::governance_settings()).unwrap();
    assert_eq!(steps.last().unwrap().params, target);
    let bound = margin_sdk::presets::governance_settings().max_weight_step_bps;
    for pair in
        std::iter::once(first.current).chain(steps.iter().map(|step| step.params)).collect::<Vec<_>>().windows(2)
    {
        let (from, to) = (pair[0].risk.init_asset_weight_bps, pair[1].risk.init_asset_weight_bps);
        assert!(to <= from || to - from <= bound, "a loosening step beyond {bound} bps: {from} → {to}");
    }
}

fn shared(file: &str) -> Option<PathBuf> {
    let found = data_file(file, Path::new("."));
    if found.is_none() {
        println!("{file} not found (../shared/data or $MARGIN_DATA): the real-data check did not run");
    }
    found
}

#[test]
fn on_the_real_history_sol_haircuts_exceed_usdc_and_the_backtests_pass() {
    let (Some(sol), Some(usdc)) = (shared("binance-solusdt-1h.csv"), shared("yahoo-usdc-usd-1d.csv")) else { return };
    let sol = Inputs::load(&sol, "1h", "0.99/0.999", "volatile").unwrap();
    let usdc = Inputs::load(&usdc, "1h", "0.99/0.999", "stable").unwrap();
    let (sol_calibration, usdc_calibration) = (sol.calibration().unwrap(), usdc.calibration().unwrap());
    let ((sol_maint, sol_init), (usdc_maint, usdc_init)) = (haircuts(&sol_calibration), haircuts(&usdc_calibration));
    assert!(
        sol_maint > usdc_maint && sol_init > usdc_init,
        "SOL {sol_maint}/{sol_init}, USDC {usdc_maint}/{usdc_init}"
    );
    let (_, recommended) = sol.backtests(&sol_calibration, 1);
    assert!(recommended.kupiec_accepted, "SOL: {recommended:?}");
    for (file, horizon) in [("binance-btcusdt-4h.csv", "4h"), ("binance-ethusdt-4h.csv", "4h")] {
        let Some(path) = shared(file) else { return };
        let inputs = Inputs::load(&path, horizon, "0.99/0.999", "volatile").unwrap();
        let calibration = inputs.calibration().unwrap();
        let (_, recommended) = inputs.backtests(&calibration, 1);
        assert!(recommended.kupiec_accepted, "{file}: {recommended:?}");
    }
}

/// docs/RISK.md's conditional row for BTC, reproduced: the weights whose max-leverage liquidations cover 99.9 %
/// of their debt with the dynamic rule on, far below the unconditional recommendation's.
#[test]
fn on_the_real_history_the_conditional_weights_cover_the_target() {
    let Some(btc) = shared("binance-btcusdt-4h.csv") else { return };
    let inputs = Inputs::load(&btc, "4h", "0.99/0.999", "volatile").unwrap();
    let calibration = inputs.calibration().unwrap();
    let rule = risk::conditional::DynamicRule::parse("10000/20000/1500").unwrap();
    let hold = (30 * 86_400 / inputs.history.bar_seconds) as usize;
    let preset = risk::weights_of(&inputs.current);
    let result = risk::conditional::calibrate_conditional(&inputs.history, &calibration, preset, (0.999, rule), hold);
    assert_eq!((result.init_asset_bps, result.maint_asset_bps), (6_797, 7_975), "docs/RISK.md's BTC row");
    assert!(result.with_rule.covered_fraction >= 0.999, "{:?}", result.with_rule);
    assert!(result.unconditional.covered_fraction < 0.9, "{:?}", result.unconditional);
    assert!(result.preset.covered_fraction < 0.999, "{:?}", result.preset);
}

#[test]
fn the_commands_print_their_tables_and_the_chart() {
    let folder = std::env::temp_dir().join(format!("margin-risk-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let prices = folder.join("prices.csv");
    let history = series("volatile", 150.0, 0.012, (-0.15, 2_000), 7);
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    for bar in &history.bars {
        text.push_str(&format!("{},{},{},{},{},1\n", bar.time, bar.close, bar.high, bar.low, bar.close));
    }
    std::fs::write(&prices, text).unwrap();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_margin"))
            .arg("risk")
            .args(args)
            .arg("--prices")
            .arg(&prices)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    let chart = folder.join("distribution.png");
    let calibrated = run(&["calibrate", "--chart", chart.to_str().unwrap()]);
    assert!(calibrated.contains("maint_asset_weight") && calibrated.contains("VaR 0.99"), "{calibrated}");
    assert!(std::fs::metadata(&chart).unwrap().len() > 1_000);
    let backtested = run(&["backtest"]);
    assert!(backtested.contains("Kupiec at 95 %") && backtested.contains("accepted"), "{backtested}");
    let conditional = run(&["calibrate", "--conditional", "--target", "0.99"]);
    assert!(
        conditional.contains("conditional, rule on (recommended)") && conditional.contains("opening leverage"),
        "{conditional}"
    );
    let proposed = run(&["propose"]);
    assert!(proposed.contains("proposal 1: executes after day 2.0"), "{proposed}");
    let bad = Command::new(env!("CARGO_BIN_EXE_margin"))
        .args(["risk", "calibrate", "--horizon", "1w", "--prices"])
        .arg(&prices)
        .output()
        .unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("the unit is s, m, h or d"));
    for (flag, value, named) in
        [("--target", "1.5", "a fraction of liquidations"), ("--dynamic", "1/2", "k_divergence/k_expansion/max_extra")]
    {
        let refused = Command::new(env!("CARGO_BIN_EXE_margin"))
            .args(["risk", "calibrate", "--conditional", flag, value, "--prices"])
            .arg(&prices)
            .output()
            .unwrap();
        assert!(
            !refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains(named),
            "{flag} {value}"
        );
    }
}

/// Issue 26: `margin risk groups` on BTC and ETH's real 4h history (when present): the scenarios charge a 1:1
/// hedge its worst leg, about half what two unrelated legs cost, and still cover the horizons at the scan
/// ranges' confidence; the command prints the 14 scenarios.
#[test]
fn on_the_real_history_btc_and_eth_as_a_group_charge_a_hedge_half() {
    let (Some(btc), Some(eth)) = (shared("binance-btcusdt-4h.csv"), shared("binance-ethusdt-4h.csv")) else { return };
    let (btc, eth) = (History::load(&btc).unwrap(), History::load(&eth).unwrap());
    let result = risk::groups::recommend(&btc, &eth, 1, 0.999).unwrap();
    assert!(result.samples > 18_000, "{}", result.samples);
    let [group, positions] = result.hedge_requirement;
    assert!(group < 0.6 * positions, "{group} vs {positions}");
    assert!(result.covered_by_group[0] >= 0.999 && result.covered_by_group[1] >= 0.999, "{result:?}");
    let output = Command::new(env!("CARGO_BIN_EXE_margin"))
        .args(["risk", "groups", "--horizon", "4h", "--prices"])
        .arg(shared("binance-btcusdt-4h.csv").unwrap())
        .arg("--prices")
        .arg(shared("binance-ethusdt-4h.csv").unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && text.contains("      14 |") && text.contains("1:1 hedge"), "{text}");
}
