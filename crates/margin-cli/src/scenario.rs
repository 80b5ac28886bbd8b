//! A simulation scenario, read from TOML: banks with their price paths, cohorts of accounts, liquidators.
//! Errors name the file, the line and the field (TOML's own errors carry the line; checks after parsing name
//! the field by its path, e.g. `cohorts[1].debt`).
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A whole scenario.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// Number of steps.
    pub steps: usize,
    /// Seconds between steps.
    pub step_seconds: i64,
    /// Seed of the population's sizes and leverages and of synthetic noise.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Whether liquidator bots run (the SDK's planner on every liquidatable account each step).
    #[serde(default = "yes")]
    pub liquidators: bool,
    /// The banks; the first is the one charted.
    pub banks: Vec<BankSpec>,
    /// Groups of accounts opened at a step with a collateral and a debt (none: a bare market).
    #[serde(default)]
    pub cohorts: Vec<Cohort>,
    /// Correlation groups (issue 26) formed by governance before the start.
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
}

/// A correlation group: banks whose prices move together, each with its move in each scenario.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// The banks' names (2 to 8).
    pub banks: Vec<String>,
    /// Each bank's move in each scenario, bps (up to 16 scenarios; every pair needs a de-peg of 1 % or more).
    pub moves_bps: Vec<Vec<i16>>,
    /// The multiple of the moves Init and LiqEnd use, bps.
    #[serde(default = "default_init_scale_bps")]
    pub init_scale_bps: u32,
    /// The step at which governance dissolves the group (after that step's cohorts opened): the same book
    /// under per-position weights from then on.
    #[serde(default)]
    pub dissolve_at_step: Option<usize>,
}

impl GroupSpec {
    /// The moves as the program takes them: one row of 16 per bank, unused scenarios 0.
    pub fn rows(&self) -> Vec<[i16; 16]> {
        self.moves_bps
            .iter()
            .map(|moves| {
                let mut row = [0i16; 16];
                for (slot, moved) in row.iter_mut().zip(moves) {
                    *slot = *moved;
                }
                row
            })
            .collect()
    }
}

fn default_init_scale_bps() -> u32 {
    12_000
}

/// Reference parameters a bank starts from.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// SOL-like: weights 0.8/0.9 and 1.2/1.1, bonus 2–8 %.
    Volatile,
    /// USDC-like: weights 0.95/0.98 and 1.05/1.02, bonus 0.5–1 %.
    Stable,
}

/// One bank.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct BankSpec {
    /// Name used by cohorts and reports.
    pub name: String,
    /// Mint decimals.
    pub decimals: u8,
    /// Reference parameters.
    #[serde(default = "volatile")]
    pub preset: Preset,
    /// Weights overriding the preset: init asset, maint asset, init liability, maint liability (bps).
    #[serde(default)]
    pub weights: Option<[u32; 4]>,
    /// Pyth confidence in calm markets, bps of the price.
    pub conf_bps: f64,
    /// Extra confidence per bp of the step's price move (confidence spikes in crashes), bps per bp.
    #[serde(default)]
    pub conf_per_move: f64,
    /// Time constant of Pyth's EMA, seconds (its lag).
    #[serde(default = "default_ema_seconds")]
    pub ema_seconds: f64,
    /// The price path.
    pub path: PathSpec,
    /// Step ranges `[from, to)` during which nobody posts a price (it goes stale).
    #[serde(default)]
    pub stale: Vec<[usize; 2]>,
    /// Tokens in the insurance vault at the start, USD.
    #[serde(default)]
    pub insurance_usd: f64,
    /// Lenders' deposit at the start, USD.
    #[serde(default = "default_liquidity")]
    pub liquidity_usd: f64,
    /// Step ranges `[from, to)` during which Pyth's confidence is at least `wide_conf_bps` of the price.
    #[serde(default)]
    pub wide: Vec<[usize; 2]>,
    /// Pyth's confidence during the `wide` steps, bps of the price.
    #[serde(default)]
    pub wide_conf_bps: f64,
    /// A fallback price source (a Switchboard pull feed of the same market), set by governance before the
    /// start (issue 25).
    #[serde(default)]
    pub fallback: Option<FallbackSpec>,
    /// Dynamic Init margin: divergence multiplier, expansion multiplier, cap (bps), set at listing (issue 25).
    #[serde(default)]
    pub dynamic: Option<[u32; 3]>,
    /// Size-aware Init weights, set at listing (issue 26).
    #[serde(default)]
    pub size: Option<SizeSpec>,
    /// The collateral of this bank (USD at the step's price) liquidators can sell into per step at the bonus:
    /// the market's depth. None: any amount (the oracle price holds for every size).
    #[serde(default)]
    pub market_depth_usd: Option<f64>,
}

/// A bank's size-aware Init weights: beyond `depth_usd` of one position, the Init weights lose (assets) or
/// gain (debts) `excess_haircut_bps`.
#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct SizeSpec {
    /// The depth a liquidation can sell into, USD.
    pub depth_usd: f64,
    /// The extra Init haircut beyond it, bps.
    pub excess_haircut_bps: u32,
}

/// A bank's fallback feed: it posts the path's price every step (its own `stale` steps aside) with a
/// deviation of `conf_bps` of the price.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct FallbackSpec {
    /// The governed bound between the two sources, bps.
    #[serde(default = "default_divergence")]
    pub max_divergence_bps: u32,
    /// The feed's standard deviation, bps of the price.
    #[serde(default = "default_fallback_conf")]
    pub conf_bps: f64,
    /// Step ranges `[from, to)` during which the fallback posts nothing either.
    #[serde(default)]
    pub stale: Vec<[usize; 2]>,
}

/// Which of a scenario's oracle defences a run keeps (`margin sim --compare-oracles` runs all four).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OracleDefences {
    /// Keep the banks' fallback feeds.
    pub fallback: bool,
    /// Keep the banks' dynamic Init margin.
    pub dynamic: bool,
}

impl OracleDefences {
    /// The four combinations, weakest first.
    pub const ALL: [OracleDefences; 4] = [
        OracleDefences { fallback: false, dynamic: false },
        OracleDefences { fallback: true, dynamic: false },
        OracleDefences { fallback: false, dynamic: true },
        OracleDefences { fallback: true, dynamic: true },
    ];

    /// A short label: "none", "fallback", "dynamic", "fallback + dynamic".
    pub fn label(&self) -> &'static str {
        match (self.fallback, self.dynamic) {
            (false, false) => "none",
            (true, false) => "fallback",
            (false, true) => "dynamic",
            (true, true) => "fallback + dynamic",
        }
    }
}

impl Scenario {
    /// The same book under per-position weights: every correlation group dissolved once the last cohort has
    /// opened (the accounts are those the groups allowed; the crash then meets them without the groups).
    pub fn per_position(mut self) -> Scenario {
        let opened = self.cohorts.iter().map(|cohort| cohort.open_at_step).max().unwrap_or(0);
        for group in &mut self.groups {
            group.dissolve_at_step = Some(opened);
        }
        self
    }

    /// The scenario with only `defences` of its banks' fallback feeds and dynamic margins.
    pub fn with_defences(mut self, defences: OracleDefences) -> Scenario {
        for bank in &mut self.banks {
            if !defences.fallback {
                bank.fallback = None;
            }
            if !defences.dynamic {
                bank.dynamic = None;
            }
        }
        self
    }
}

/// Where a bank's prices come from.
#[derive(Deserialize, Debug, Clone)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PathSpec {
    /// One price throughout.
    Constant {
        /// USD per whole token.
        price: f64,
    },
    /// Geometric moves from `start` through each segment's target, plus seeded noise.
    Synthetic {
        /// USD per whole token at step 0.
        start: f64,
        /// Consecutive moves.
        segments: Vec<Segment>,
        /// Standard deviation of the noise per step, bps.
        #[serde(default)]
        volatility_bps: f64,
    },
    /// Close prices of a `timestamp,open,high,low,close,...` CSV (../shared/data's format), from `from` to
    /// `to` (ISO dates, compared as text), one row a step.
    Csv {
        /// The file, relative to the scenario file, or to `$MARGIN_DATA` / `../shared/data`.
        file: String,
        /// First row's timestamp prefix.
        from: String,
        /// Rows before this timestamp prefix.
        to: String,
    },
}

/// One move of a synthetic path.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// Steps it takes.
    pub steps: usize,
    /// USD per whole token at its end.
    pub to: f64,
}

/// A group of accounts.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    /// Name in reports.
    pub name: String,
    /// How many accounts.
    pub accounts: usize,
    /// The bank deposited in.
    pub collateral: String,
    /// The bank borrowed from.
    pub debt: String,
    /// Borrow as a fraction of the account's max borrow, drawn uniformly in this range.
    pub leverage: [f64; 2],
    /// Deposit in USD, drawn log-uniformly in this range.
    pub size_usd: [f64; 2],
    /// Isolated accounts (else cross).
    #[serde(default)]
    pub isolated: bool,
    /// The step at which the cohort opens its accounts and borrows.
    #[serde(default)]
    pub open_at_step: usize,
}

fn default_seed() -> u64 {
    7
}
fn yes() -> bool {
    true
}
fn volatile() -> Preset {
    Preset::Volatile
}
fn default_ema_seconds() -> f64 {
    3_600.0
}
fn default_liquidity() -> f64 {
    100_000_000.0
}
fn default_divergence() -> u32 {
    200
}
fn default_fallback_conf() -> f64 {
    10.0
}

/// A scenario file, parsed and checked. The error names the file and the line or field.
pub fn load(path: &Path) -> Result<(Scenario, PathBuf), String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let scenario: Scenario = toml::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
    check(&scenario).map_err(|error| format!("{}: {error}", path.display()))?;
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok((scenario, folder))
}

/// Checks what TOML cannot: names that refer to banks, ranges, positive sizes.
pub fn check(scenario: &Scenario) -> Result<(), String> {
    if scenario.steps == 0 || scenario.step_seconds <= 0 {
        return Err("steps and step_seconds: must be positive".into());
    }
    if scenario.banks.is_empty() {
        return Err("banks: at least one bank".into());
    }
    for (index, bank) in scenario.banks.iter().enumerate() {
        if bank.decimals > 18 {
            return Err(format!("banks[{index}].decimals: at most 18"));
        }
        if !(bank.conf_bps >= 0.0 && bank.conf_per_move >= 0.0 && bank.ema_seconds > 0.0 && bank.wide_conf_bps >= 0.0) {
            return Err(format!(
                "banks[{index}]: conf_bps, conf_per_move, wide_conf_bps must be ≥ 0 and ema_seconds > 0"
            ));
        }
        if let Some(fallback) = &bank.fallback {
            if fallback.max_divergence_bps > margin_sdk::margin_risk::fallback::MAX_DIVERGENCE_BPS
                || fallback.conf_bps < 0.0
            {
                return Err(format!("banks[{index}].fallback: a bound of at most 5,000 bps and a conf_bps ≥ 0"));
            }
        }
    }
    let known = |name: &str| scenario.banks.iter().any(|bank| bank.name == name);
    for (index, group) in scenario.groups.iter().enumerate() {
        if let Some(name) = group.banks.iter().find(|name| !known(name)) {
            return Err(format!("groups[{index}].banks: no bank named {name:?}"));
        }
        if group.moves_bps.len() != group.banks.len() || group.moves_bps.iter().any(|moves| moves.len() > 16) {
            return Err(format!("groups[{index}].moves_bps: one list of at most 16 moves per bank"));
        }
        margin_sdk::margin_risk::portfolio::validate_group(&group.rows(), group.init_scale_bps)
            .map_err(|error| format!("groups[{index}]: {}", error.message()))?;
        if group.dissolve_at_step.is_some_and(|step| step >= scenario.steps) {
            return Err(format!("groups[{index}].dissolve_at_step: before the last step"));
        }
    }
    for (index, cohort) in scenario.cohorts.iter().enumerate() {
        for (field, name) in [("collateral", &cohort.collateral), ("debt", &cohort.debt)] {
            if !known(name) {
                return Err(format!("cohorts[{index}].{field}: no bank named {name:?}"));
            }
        }
        if cohort.collateral == cohort.debt {
            return Err(format!("cohorts[{index}]: collateral and debt must be different banks"));
        }
        let [low, high] = cohort.leverage;
        if !(0.0..=1.0).contains(&low) || !(low..=1.0).contains(&high) {
            return Err(format!("cohorts[{index}].leverage: a range within [0, 1]"));
        }
        let [small, large] = cohort.size_usd;
        if !(small > 0.0 && large >= small) {
            return Err(format!("cohorts[{index}].size_usd: a positive range"));
        }
        if cohort.open_at_step >= scenario.steps {
            return Err(format!("cohorts[{index}].open_at_step: before the last step"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "t"
description = "d"
steps = 3
step_seconds = 60
[[banks]]
name = "SOL"
decimals = 9
conf_bps = 10
path = { kind = "constant", price = 150.0 }
[[banks]]
name = "USDC"
decimals = 6
preset = "stable"
conf_bps = 5
path = { kind = "constant", price = 1.0 }
[[cohorts]]
name = "longs"
accounts = 2
collateral = "SOL"
debt = "USDC"
leverage = [0.5, 0.9]
size_usd = [100.0, 1000.0]
"#;

    #[test]
    fn a_minimal_scenario_parses_with_its_defaults() {
        let scenario: Scenario = toml::from_str(MINIMAL).unwrap();
        check(&scenario).unwrap();
        assert_eq!((scenario.seed, scenario.liquidators, scenario.banks[1].preset), (7, true, Preset::Stable));
    }

    #[test]
    fn errors_name_the_line_or_the_field() {
        let typo = MINIMAL.replace("step_seconds = 60", "step_second = 60");
        let error = toml::from_str::<Scenario>(&typo).unwrap_err().to_string();
        assert!(error.contains("line 5") && error.contains("step_second"), "{error}");
        let mut scenario: Scenario = toml::from_str(MINIMAL).unwrap();
        scenario.cohorts[0].debt = "USDT".into();
        assert_eq!(check(&scenario).unwrap_err(), "cohorts[0].debt: no bank named \"USDT\"");
        scenario.cohorts[0].debt = "USDC".into();
        scenario.cohorts[0].leverage = [0.9, 0.5];
        assert_eq!(check(&scenario).unwrap_err(), "cohorts[0].leverage: a range within [0, 1]");
    }

    #[test]
    fn oracle_defences_are_checked_and_stripped_by_name() {
        let text = MINIMAL.replace(
            "conf_bps = 10
",
            "conf_bps = 10
fallback = { max_divergence_bps = 5001 }
dynamic = [10000, 20000, 1500]
",
        );
        let mut scenario: Scenario = toml::from_str(&text).unwrap();
        assert_eq!(check(&scenario).unwrap_err(), "banks[0].fallback: a bound of at most 5,000 bps and a conf_bps ≥ 0");
        scenario.banks[0].fallback.as_mut().unwrap().max_divergence_bps = 200;
        check(&scenario).unwrap();
        assert_eq!(scenario.banks[0].fallback.as_ref().unwrap().conf_bps, 10.0, "the default deviation");
        scenario.banks[0].wide_conf_bps = -1.0;
        assert!(check(&scenario).unwrap_err().starts_with("banks[0]: conf_bps, conf_per_move, wide_conf_bps"));
        scenario.banks[0].wide_conf_bps = 0.0;
        let none = scenario.clone().with_defences(OracleDefences::ALL[0]);
        assert!(none.banks[0].fallback.is_none() && none.banks[0].dynamic.is_none());
        let fallback_only = scenario.with_defences(OracleDefences::ALL[1]);
        assert!(fallback_only.banks[0].fallback.is_some() && fallback_only.banks[0].dynamic.is_none());
        assert_eq!(
            OracleDefences::ALL.map(|defences| defences.label()),
            ["none", "fallback", "dynamic", "fallback + dynamic"]
        );
    }

    #[test]
    fn correlation_groups_are_checked_and_dissolved_for_the_per_position_run() {
        let group = |banks: &str, moves: &str| format!("{MINIMAL}\n[[groups]]\nbanks = {banks}\nmoves_bps = {moves}\n");
        let good: Scenario = toml::from_str(&group(r#"["SOL", "USDC"]"#, "[[-2000, 0], [-2000, 500]]")).unwrap();
        check(&good).unwrap();
        assert_eq!(good.groups[0].init_scale_bps, 12_000, "the default scale");
        assert_eq!(good.groups[0].rows()[1][..3], [-2000, 500, 0]);
        let unknown: Scenario = toml::from_str(&group(r#"["SOL", "ETH"]"#, "[[0], [500]]")).unwrap();
        assert_eq!(check(&unknown).unwrap_err(), "groups[0].banks: no bank named \"ETH\"");
        let no_depeg: Scenario = toml::from_str(&group(r#"["SOL", "USDC"]"#, "[[-2000], [-2000]]")).unwrap();
        assert!(check(&no_depeg).unwrap_err().starts_with("groups[0]: a correlation group needs"), "no de-peg");
        let short: Scenario = toml::from_str(&group(r#"["SOL", "USDC"]"#, "[[-2000]]")).unwrap();
        assert!(check(&short).unwrap_err().starts_with("groups[0].moves_bps"));
        let per_position = good.per_position();
        assert_eq!(per_position.groups[0].dissolve_at_step, Some(0), "dissolved once the last cohort opened");
        check(&per_position).unwrap();
    }
}
