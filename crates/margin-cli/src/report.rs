//! What a simulation reports, per step and in total (USD at the step's oracle prices), as text and JSON.
use serde::Serialize;
use std::collections::BTreeMap;

use crate::path::Quote;
use crate::scenario::Scenario;

/// One step.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StepReport {
    /// Step number.
    pub step: usize,
    /// Cluster clock, unix seconds.
    pub time: i64,
    /// Each bank's quote (in scenario order).
    pub prices: Vec<Quote>,
    /// Accounts opened this step.
    pub opened: usize,
    /// What they borrowed, USD.
    pub borrowed_usd: f64,
    /// Accounts liquidatable at the step's prices (before liquidations).
    pub liquidatable: usize,
    /// Liquidations that landed.
    pub liquidations: usize,
    /// Liquidations refused.
    pub failed: usize,
    /// Refusals (liquidations, borrows, bankruptcy resolutions) by reason.
    pub failures: BTreeMap<String, usize>,
    /// Accounts liquidated at least once this step, by cohort.
    pub liquidated_by_cohort: BTreeMap<String, usize>,
    /// Debt repaid by liquidators, USD.
    pub repaid_usd: f64,
    /// Collateral seized by liquidators, USD.
    pub seized_usd: f64,
    /// Seized minus debt cleared: what liquidators earned, USD.
    pub bonus_usd: f64,
    /// Insurance fees taken on liquidations, USD.
    pub fees_usd: f64,
    /// Bankruptcies resolved.
    pub bankruptcies: usize,
    /// Debt written off from insurance vaults, USD.
    pub insurance_used_usd: f64,
    /// Debt written off from depositors (socialised), USD.
    pub socialised_usd: f64,
    /// Σ max(0, debt − collateral) over accounts after the step, at oracle prices, USD.
    pub bad_debt_usd: f64,
    /// Σ debt after the step, USD.
    pub debt_usd: f64,
    /// Σ Maint health after the step, USD.
    pub maint_health_usd: f64,
    /// Accounts whose health cannot be computed (an unusable price).
    pub unpriced: usize,
}

/// Totals over the run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Accounts opened.
    pub accounts: usize,
    /// What they borrowed, USD.
    pub borrowed_usd: f64,
    /// Most accounts liquidatable at one step.
    pub peak_liquidatable: usize,
    /// Liquidations that landed.
    pub liquidations: usize,
    /// Liquidations refused.
    pub failed: usize,
    /// Debt repaid, USD.
    pub repaid_usd: f64,
    /// Collateral seized, USD.
    pub seized_usd: f64,
    /// Liquidators' bonus, USD.
    pub bonus_usd: f64,
    /// Insurance fees, USD.
    pub fees_usd: f64,
    /// Bankruptcies resolved.
    pub bankruptcies: usize,
    /// Insurance used, USD.
    pub insurance_used_usd: f64,
    /// Socialised loss: what lenders lost, USD.
    pub lenders_loss_usd: f64,
    /// Account-steps liquidated, by cohort.
    pub liquidated_by_cohort: BTreeMap<String, usize>,
    /// Bad debt left at the end, USD.
    pub final_bad_debt_usd: f64,
    /// Largest bad debt at any step, USD.
    pub peak_bad_debt_usd: f64,
}

/// A whole run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// What it shows.
    pub description: String,
    /// Bank names, in the order of each step's prices.
    pub banks: Vec<String>,
    /// Every step.
    pub steps: Vec<StepReport>,
    /// Totals.
    pub summary: Summary,
}

impl Report {
    /// An empty report of `scenario`.
    pub fn new(scenario: &Scenario, banks: Vec<String>) -> Report {
        Report {
            scenario: scenario.name.clone(),
            description: scenario.description.clone(),
            banks,
            steps: Vec::new(),
            summary: Summary::default(),
        }
    }

    /// Adds a step.
    pub fn push(&mut self, row: StepReport) {
        let total = &mut self.summary;
        total.accounts += row.opened;
        total.borrowed_usd += row.borrowed_usd;
        total.peak_liquidatable = total.peak_liquidatable.max(row.liquidatable);
        total.liquidations += row.liquidations;
        total.failed += row.failed;
        total.repaid_usd += row.repaid_usd;
        total.seized_usd += row.seized_usd;
        total.bonus_usd += row.bonus_usd;
        total.fees_usd += row.fees_usd;
        total.bankruptcies += row.bankruptcies;
        total.insurance_used_usd += row.insurance_used_usd;
        total.lenders_loss_usd += row.socialised_usd;
        total.peak_bad_debt_usd = total.peak_bad_debt_usd.max(row.bad_debt_usd);
        for (cohort, count) in &row.liquidated_by_cohort {
            *total.liquidated_by_cohort.entry(cohort.clone()).or_default() += count;
        }
        self.steps.push(row);
    }

    /// Closes the totals.
    pub fn finish(&mut self) {
        self.summary.final_bad_debt_usd = self.steps.last().map(|row| row.bad_debt_usd).unwrap_or(0.0);
    }

    /// The step line printed while running.
    pub fn step_line(row: &StepReport) -> String {
        let price =
            row.prices.first().map(|quote| format!("{:.4} ± {:.4}", quote.price, quote.conf)).unwrap_or_default();
        format!(
            "step {:>4}  price {price:<22} liquidatable {:>4}  liquidated {:>4}  failed {:>3}  repaid ${:>12.2}  bad debt ${:>12.2}  health ${:>14.2}",
            row.step, row.liquidatable, row.liquidations, row.failed, row.repaid_usd, row.bad_debt_usd, row.maint_health_usd
        )
    }

    /// The summary printed at the end.
    pub fn summary_text(&self) -> String {
        let total = &self.summary;
        let mut failures: BTreeMap<&str, usize> = BTreeMap::new();
        for row in &self.steps {
            for (reason, count) in &row.failures {
                *failures.entry(reason).or_default() += count;
            }
        }
        format!(
            "{}: {}\n  accounts {} (borrowed ${:.2}); peak liquidatable {}; liquidations {} (refused {}{}); liquidated by cohort {:?}\n  repaid ${:.2}; seized ${:.2}; liquidators' bonus ${:.2}; insurance fees ${:.2}\n  bankruptcies {}; insurance used ${:.2}; socialised (lenders' loss) ${:.2}\n  bad debt: peak ${:.2}, at the end ${:.2}",
            self.scenario,
            self.description,
            total.accounts,
            total.borrowed_usd,
            total.peak_liquidatable,
            total.liquidations,
            total.failed,
            if failures.is_empty() { String::new() } else { format!(": {failures:?}") },
            total.liquidated_by_cohort,
            total.repaid_usd,
            total.seized_usd,
            total.bonus_usd,
            total.fees_usd,
            total.bankruptcies,
            total.insurance_used_usd,
            total.lenders_loss_usd,
            total.peak_bad_debt_usd,
            total.final_bad_debt_usd
        )
    }
}

/// The outcomes of one scenario's runs side by side (`margin sim --compare-oracles`: each combination of oracle
/// defences; `--compare-groups`: correlation groups and per-position weights), as a markdown table, a row per
/// run: accounts and debt opened, liquidations (and refusals), insurance used, lenders' loss,
/// bad debt.
pub fn comparison_table(rows: &[(String, Report)]) -> String {
    let mut table = String::from(
        "| run | accounts | borrowed | liquidations | refused | bankruptcies | insurance used | lenders' loss | bad debt (peak) | bad debt (end) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (defences, report) in rows {
        let total = &report.summary;
        table += &format!(
            "| {} | {} | ${:.0} | {} | {} | {} | ${:.0} | ${:.0} | ${:.0} | ${:.0} |\n",
            defences,
            total.accounts,
            total.borrowed_usd,
            total.liquidations,
            total.failed,
            total.bankruptcies,
            total.insurance_used_usd,
            total.lenders_loss_usd,
            total.peak_bad_debt_usd,
            total.final_bad_debt_usd,
        );
    }
    table
}
