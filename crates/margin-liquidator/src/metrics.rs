//! The bot's Prometheus metrics, rendered in the text exposition format, and the health rule of `/healthz`.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use crate::act::Outcome;
use crate::decide::Survey;

#[derive(Default)]
pub struct Metrics {
    pub accounts_tracked: AtomicU64,
    pub accounts_unpriced: AtomicU64,
    /// Liquidatable accounts seen, summed over passes.
    pub liquidatable_found: AtomicU64,
    pub bankrupt_found: AtomicU64,
    pub liquidations_sent: AtomicU64,
    pub liquidations_landed: AtomicU64,
    pub bankruptcies_resolved: AtomicU64,
    /// Estimated profit of the landed liquidations, quote units.
    pub profit_quote: AtomicU64,
    /// Attempts that failed or were skipped, by reason.
    pub failed: Mutex<BTreeMap<String, u64>>,
    pub skipped: Mutex<BTreeMap<String, u64>>,
    /// Price change to send: sum of microseconds and count.
    pub price_to_send_micros: AtomicU64,
    pub price_to_send_count: AtomicU64,
    pub rpc_errors: AtomicU64,
    pub subscription_reconnects: AtomicU64,
    pub full_refreshes: AtomicU64,
    /// Unix seconds of the last successful full refresh.
    pub last_refresh_unix: AtomicU64,
}

impl Metrics {
    /// Records a pass over the book.
    pub fn survey(&self, survey: &Survey) {
        self.accounts_tracked.store(survey.tracked as u64, Relaxed);
        self.accounts_unpriced.store(survey.unpriced as u64, Relaxed);
        self.liquidatable_found.fetch_add(survey.liquidatable as u64, Relaxed);
        self.bankrupt_found.fetch_add(survey.bankrupt as u64, Relaxed);
    }

    /// Records an attempt's outcome (`liquidation`: a liquidation, else a bankruptcy resolution).
    pub fn outcome(&self, outcome: &Outcome, liquidation: bool) {
        match outcome {
            Outcome::Landed { profit_quote, .. } if liquidation => {
                self.liquidations_sent.fetch_add(1, Relaxed);
                self.liquidations_landed.fetch_add(1, Relaxed);
                self.profit_quote.fetch_add(u64::try_from(*profit_quote).unwrap_or(0), Relaxed);
            }
            Outcome::Landed { .. } => {
                self.bankruptcies_resolved.fetch_add(1, Relaxed);
            }
            Outcome::Failed(reason) => {
                if reason.starts_with("rpc:") {
                    self.rpc_errors.fetch_add(1, Relaxed);
                }
                if liquidation && !reason.starts_with("simulation") && !reason.starts_with("rpc") {
                    self.liquidations_sent.fetch_add(1, Relaxed);
                }
                *self.failed.lock().unwrap().entry(short(reason)).or_default() += 1;
            }
            Outcome::Skipped(reason) => *self.skipped.lock().unwrap().entry(reason.to_string()).or_default() += 1,
        }
    }

    /// Records the time from the price update that triggered a pass to a transaction sent.
    pub fn price_to_send(&self, elapsed: std::time::Duration) {
        self.price_to_send_micros.fetch_add(elapsed.as_micros() as u64, Relaxed);
        self.price_to_send_count.fetch_add(1, Relaxed);
    }

    /// Healthy: a full refresh succeeded within `max_age_seconds` of `now_unix`.
    pub fn is_healthy(&self, now_unix: u64, max_age_seconds: u64) -> bool {
        let last = self.last_refresh_unix.load(Relaxed);
        last > 0 && now_unix.saturating_sub(last) <= max_age_seconds
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut text = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: Vec<(String, u64)>| {
            text.push_str(&format!("# HELP margin_liquidator_{name} {help}\n# TYPE margin_liquidator_{name} {kind}\n"));
            for (labels, value) in samples {
                text.push_str(&format!("margin_liquidator_{name}{labels} {value}\n"));
            }
        };
        let one = |value: &AtomicU64| vec![(String::new(), value.load(Relaxed))];
        let by_reason = |map: &Mutex<BTreeMap<String, u64>>| {
            let map = map.lock().unwrap();
            map.iter().map(|(reason, count)| (format!("{{reason=\"{}\"}}", reason.replace('"', "'")), *count)).collect()
        };
        metric("accounts_tracked", "gauge", "Margin accounts of the group in the book.", one(&self.accounts_tracked));
        metric("accounts_unpriced", "gauge", "Accounts whose prices cannot be used now.", one(&self.accounts_unpriced));
        metric(
            "liquidatable_found_total",
            "counter",
            "Liquidatable accounts seen, over passes.",
            one(&self.liquidatable_found),
        );
        metric("bankrupt_found_total", "counter", "Bankrupt accounts seen, over passes.", one(&self.bankrupt_found));
        metric("liquidations_sent_total", "counter", "Liquidation transactions sent.", one(&self.liquidations_sent));
        metric("liquidations_landed_total", "counter", "Liquidations that landed.", one(&self.liquidations_landed));
        metric("liquidations_failed_total", "counter", "Attempts that failed, by reason.", by_reason(&self.failed));
        metric("attempts_skipped_total", "counter", "Attempts not sent, by reason.", by_reason(&self.skipped));
        metric("bankruptcies_resolved_total", "counter", "Bankruptcies resolved.", one(&self.bankruptcies_resolved));
        metric(
            "profit_quote_total",
            "counter",
            "Estimated profit of landed liquidations, 10^-6 USD.",
            one(&self.profit_quote),
        );
        metric(
            "price_to_send_microseconds_sum",
            "counter",
            "Price update to send, summed.",
            one(&self.price_to_send_micros),
        );
        metric(
            "price_to_send_microseconds_count",
            "counter",
            "Sends timed from a price update.",
            one(&self.price_to_send_count),
        );
        metric("rpc_errors_total", "counter", "RPC calls that failed after retries.", one(&self.rpc_errors));
        metric(
            "subscription_reconnects_total",
            "counter",
            "Subscriptions reopened.",
            one(&self.subscription_reconnects),
        );
        metric("full_refreshes_total", "counter", "Full refreshes that succeeded.", one(&self.full_refreshes));
        metric(
            "last_refresh_unix_seconds",
            "gauge",
            "When the last full refresh succeeded.",
            one(&self.last_refresh_unix),
        );
        text
    }
}

/// A failure reason short enough for a label: its first line, at most 80 characters.
fn short(reason: &str) -> String {
    reason.lines().next().unwrap_or("").chars().take(80).collect()
}

/// The value of metric `name` (with `labels`, e.g. `{reason="x"}`, or empty) in a Prometheus text page.
pub fn scrape(page: &str, name: &str, labels: &str) -> Option<u64> {
    let prefix = format!("margin_liquidator_{name}{labels} ");
    page.lines().find_map(|line| line.strip_prefix(&prefix)).and_then(|value| value.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_counted_by_kind_and_reason() {
        let metrics = Metrics::default();
        metrics.survey(&Survey { tracked: 7, unpriced: 1, liquidatable: 2, bankrupt: 1, unprofitable: 0 });
        metrics.outcome(&Outcome::Landed { units: 90_000, profit_quote: 1_500 }, true);
        metrics.outcome(&Outcome::Failed("NotLiquidatable".to_string()), true);
        metrics.outcome(&Outcome::Failed("rpc: connection refused".to_string()), true);
        metrics.outcome(&Outcome::Skipped("no longer worth it on refetch"), true);
        metrics.outcome(&Outcome::Landed { units: 20_000, profit_quote: 0 }, false);
        let page = metrics.render();
        assert_eq!(scrape(&page, "accounts_tracked", ""), Some(7));
        assert_eq!(scrape(&page, "liquidatable_found_total", ""), Some(2));
        assert_eq!(scrape(&page, "liquidations_sent_total", ""), Some(2));
        assert_eq!(scrape(&page, "liquidations_landed_total", ""), Some(1));
        assert_eq!(scrape(&page, "profit_quote_total", ""), Some(1_500));
        assert_eq!(scrape(&page, "liquidations_failed_total", "{reason=\"NotLiquidatable\"}"), Some(1));
        assert_eq!(scrape(&page, "rpc_errors_total", ""), Some(1));
        assert_eq!(scrape(&page, "bankruptcies_resolved_total", ""), Some(1));
        assert_eq!(scrape(&page, "attempts_skipped_total", "{reason=\"no longer worth it on refetch\"}"), Some(1));
    }

    #[test]
    fn healthy_only_after_a_recent_refresh() {
        let metrics = Metrics::default();
        assert!(!metrics.is_healthy(1_000, 120));
        metrics.last_refresh_unix.store(900, Relaxed);
        assert!(metrics.is_healthy(1_000, 120));
        assert!(!metrics.is_healthy(1_021, 120));
    }
}
