//! The localnet's price driver: each bank's Pyth `PriceUpdateV2` push-feed account is rewritten every tick at
//! the cluster clock, from a synthetic walk (mean-reverting around the plan's price, seeded), the plan's price
//! held steady, or a price history in ../shared/data (one close per tick), times a crash factor set on demand by `margin localnet
//! crash` (a file in the localnet's state folder). The EMA follows the spot with a 30-tick window, so a crash
//! shows in Maint at once and in Init's EMA term later, as on mainnet.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use margin_sdk::addresses;
use margin_sdk::pyth::PriceUpdate;
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

use super::plan::LocalnetBank;
use crate::path::Random;

/// Ticks the EMA spans (alpha = 2 / (span + 1)).
const EMA_SPAN_TICKS: f64 = 30.0;
/// Pull of the synthetic walk back to the plan's price, per tick.
const MEAN_REVERSION: f64 = 0.05;

/// Where a feed's path comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathSource {
    /// A mean-reverting walk around the plan's price, with the plan's volatility.
    Walk,
    /// The plan's price, held (crashes still apply): every number a test or a demo reads is reproducible.
    Steady,
    /// The plan's history file, one close per tick, scaled to start at the plan's price.
    History,
}

/// One bank's feed as the driver keeps it.
pub struct Feed {
    /// The bank's name in the plan (what `crash` names).
    pub name: String,
    /// The Pyth feed id.
    pub feed_id: [u8; 32],
    /// The push-oracle account the bank pins.
    pub address: Pubkey,
    start: f64,
    conf_bps: f64,
    volatility_bps: f64,
    history: Option<Vec<f64>>,
    tick: usize,
    walk: f64,
    ema: Option<f64>,
}

/// One tick's quote: (price, confidence, EMA price), USD per whole token.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quote {
    pub price: f64,
    pub conf: f64,
    pub ema_price: f64,
}

impl Feed {
    /// The feed of `bank` on its path from `source`; a history is the CSV the plan names (found as the
    /// simulator finds scenario data: beside the plan, in $MARGIN_DATA or ../shared/data); a bank without one
    /// walks.
    pub fn new(bank: &LocalnetBank, source: PathSource, plan_folder: &Path) -> Result<Feed, String> {
        let feed_id = crate::governance::feed_id(&bank.feed_id)?;
        let history = match (&bank.history, source) {
            (Some(file), PathSource::History) => Some(closes(file, plan_folder, &bank.name)?),
            _ => None,
        };
        let volatility_bps = if source == PathSource::Steady { 0.0 } else { bank.volatility_bps };
        Ok(Feed {
            name: bank.name.clone(),
            feed_id,
            address: addresses::push_feed(&feed_id),
            start: bank.price,
            conf_bps: bank.conf_bps,
            volatility_bps,
            history,
            tick: 0,
            walk: bank.price,
            ema: None,
        })
    }

    /// The next quote, with the price `fall_percent` % below the path (0: the path itself).
    pub fn next(&mut self, random: &mut Random, fall_percent: f64) -> Quote {
        let path = match &self.history {
            Some(closes) => closes[self.tick % closes.len()] / closes[0] * self.start,
            None => {
                let pull = MEAN_REVERSION * (self.start.ln() - self.walk.ln());
                self.walk *= (pull + random.normal() * self.volatility_bps / 10_000.0).exp();
                self.walk
            }
        };
        self.tick += 1;
        let price = path * (1.0 - fall_percent.clamp(0.0, 100.0) / 100.0);
        let alpha = 2.0 / (EMA_SPAN_TICKS + 1.0);
        let ema_price = self.ema.map_or(price, |ema| ema + alpha * (price - ema));
        self.ema = Some(ema_price);
        Quote { price, conf: price * self.conf_bps / 10_000.0, ema_price }
    }

    /// The `PriceUpdateV2` account of `quote` published at `now` (Full verification, exponent −8; the EMA
    /// confidence equals the spot's).
    pub fn account(&self, quote: Quote, now: i64) -> Account {
        let e8 = |dollars: f64| (dollars * 1e8).round().max(1.0) as i64;
        let conf = (quote.conf * 1e8).round().max(0.0) as u64;
        let update = PriceUpdate {
            ema_price: e8(quote.ema_price),
            ema_conf: conf,
            ..PriceUpdate::new(self.feed_id, e8(quote.price), conf, now)
        };
        update.account(self.address)
    }
}

fn closes(file: &str, plan_folder: &Path, name: &str) -> Result<Vec<f64>, String> {
    let found = crate::path::data_file(file, plan_folder).ok_or_else(|| {
        format!("bank {name}: history {file} not found beside the plan, in $MARGIN_DATA or ../shared/data")
    })?;
    let text = std::fs::read_to_string(&found).map_err(|error| format!("{}: {error}", found.display()))?;
    let closes =
        crate::path::closes_between(&text, "0000", "9999").map_err(|error| format!("{}: {error}", found.display()))?;
    if closes.is_empty() || closes[0] <= 0.0 {
        return Err(format!("{}: no usable closes", found.display()));
    }
    Ok(closes)
}

/// The crash file in a localnet's state folder: bank name → how far below its path the price is, percent.
pub fn crash_file(state: &Path) -> PathBuf {
    state.join("crashes.json")
}

/// The crashes in force (none when the file is absent).
pub fn read_crashes(state: &Path) -> Result<BTreeMap<String, f64>, String> {
    read_or_default(&crash_file(state))
}

/// The JSON in `path`, or the empty value when the file does not exist.
fn read_or_default<T: serde::de::DeserializeOwned + Default>(path: &Path) -> Result<T, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(error) => Err(format!("{}: {error}", path.display())),
    }
}

/// Sets bank `name`'s price `percent` % below its path from the next tick on (0 restores the path); written
/// atomically (a temporary file renamed), so the driver never reads half a file.
pub fn set_crash(state: &Path, name: &str, percent: f64) -> Result<(), String> {
    if !(0.0..100.0).contains(&percent) {
        return Err(format!("a crash of {percent} %: from 0 (none) to under 100"));
    }
    let mut crashes = read_crashes(state)?;
    crashes.insert(name.to_string(), percent);
    write_atomically(&crash_file(state), &crashes)
}

/// Writes `value` as JSON to `path` through a temporary file renamed over it.
fn write_atomically(path: &Path, value: &impl serde::Serialize) -> Result<(), String> {
    let partial = path.with_extension("json.partial");
    let text = serde_json::to_string_pretty(value).map_err(|error| error.to_string())?;
    std::fs::write(&partial, text).map_err(|error| format!("{}: {error}", partial.display()))?;
    std::fs::rename(&partial, path).map_err(|error| format!("{}: {error}", path.display()))
}

/// The oracle-outage file in a localnet's state folder: the banks whose feed is not published, so that their
/// price goes stale once the bank's max age passes (`margin localnet outage`).
pub fn outage_file(state: &Path) -> PathBuf {
    state.join("outages.json")
}

/// The banks whose feed is out (none when the file is absent).
pub fn read_outages(state: &Path) -> Result<BTreeSet<String>, String> {
    read_or_default(&outage_file(state))
}

/// Stops (`out`) or resumes publishing bank `name`'s feed from the next tick on.
pub fn set_outage(state: &Path, name: &str, out: bool) -> Result<(), String> {
    let mut outages = read_outages(state)?;
    if out {
        outages.insert(name.to_string());
    } else {
        outages.remove(name);
    }
    write_atomically(&outage_file(state), &outages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank(history: Option<&str>) -> LocalnetBank {
        toml::from_str(&format!(
            "name = \"SOL\"\ndecimals = 9\nfeed_id = \"{}\"\npreset = \"volatile\"\nprice = 150.0\nconf_bps = 10.0\n\
             volatility_bps = 20.0\ninsurance = 1\nwallet = 1\n{}",
            "ef".repeat(32),
            history.map(|file| format!("history = \"{file}\"\n")).unwrap_or_default()
        ))
        .unwrap()
    }

    #[test]
    fn a_crash_moves_the_spot_at_once_and_the_ema_later() {
        let mut feed = Feed::new(&bank(None), PathSource::Walk, Path::new(".")).unwrap();
        let mut random = Random::new(3);
        let before = feed.next(&mut random, 0.0);
        assert!((before.price / 150.0 - 1.0).abs() < 0.01, "{before:?}");
        assert!((before.conf - before.price * 0.001).abs() < 1e-9);
        let crashed = feed.next(&mut random, 60.0);
        assert!((crashed.price / before.price - 0.4).abs() < 0.02, "{crashed:?}");
        assert!(crashed.ema_price > 0.9 * before.price, "the EMA lags: {crashed:?}");
        let mut ema = crashed.ema_price;
        for _ in 0..100 {
            ema = feed.next(&mut random, 60.0).ema_price;
        }
        assert!((ema / crashed.price - 1.0).abs() < 0.05, "the EMA catches up: {ema}");
    }

    #[test]
    fn the_account_is_a_full_price_update_of_the_pinned_feed_at_the_clock() {
        let feed = Feed::new(&bank(None), PathSource::Walk, Path::new(".")).unwrap();
        let quote = Quote { price: 150.0, conf: 0.15, ema_price: 151.0 };
        let account = feed.account(quote, 1_800_000_000);
        let update = PriceUpdate::from_account(&account).unwrap();
        assert_eq!((update.price, update.conf, update.ema_price), (150_0000_0000, 1500_0000, 151_0000_0000));
        assert_eq!((update.publish_time, update.exponent, update.feed_id), (1_800_000_000, -8, [0xef; 32]));
        let genuine = PriceUpdate::new([0; 32], 1, 1, 1);
        assert_eq!((update.owner, update.verification), (genuine.owner, genuine.verification));
        assert_eq!(feed.address, addresses::push_feed(&[0xef; 32]));
    }

    #[test]
    fn a_history_is_replayed_from_the_plans_price() {
        let folder = std::env::temp_dir().join(format!("margin-localnet-history-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let csv = "open_time,open,high,low,close\n2020-03-12 00:00,10,10,10,10\n2020-03-12 01:00,10,10,10,5\n";
        std::fs::write(folder.join("crash.csv"), csv).unwrap();
        let mut feed = Feed::new(&bank(Some("crash.csv")), PathSource::History, &folder).unwrap();
        let mut random = Random::new(1);
        assert_eq!(feed.next(&mut random, 0.0).price, 150.0);
        assert_eq!(feed.next(&mut random, 0.0).price, 75.0);
        assert_eq!(feed.next(&mut random, 0.0).price, 150.0, "the history wraps around");
        let missing = Feed::new(&bank(Some("nowhere.csv")), PathSource::History, &folder).err().unwrap();
        assert!(missing.contains("nowhere.csv"), "{missing}");
    }

    #[test]
    fn a_steady_feed_holds_the_plans_price_until_a_crash() {
        let mut feed = Feed::new(&bank(Some("unread.csv")), PathSource::Steady, Path::new(".")).unwrap();
        let mut random = Random::new(5);
        for _ in 0..10 {
            let quote = feed.next(&mut random, 0.0);
            assert_eq!((quote.price, quote.ema_price), (150.0, 150.0));
        }
        assert_eq!(feed.next(&mut random, 15.0).price, 127.5);
    }

    #[test]
    fn crashes_are_set_read_and_bounded() {
        let state = std::env::temp_dir().join(format!("margin-localnet-crash-{}", std::process::id()));
        std::fs::create_dir_all(&state).unwrap();
        assert!(read_crashes(&state).unwrap().is_empty());
        set_crash(&state, "SOL", 60.0).unwrap();
        set_crash(&state, "USDC", 0.0).unwrap();
        let crashes = read_crashes(&state).unwrap();
        assert_eq!((crashes["SOL"], crashes["USDC"]), (60.0, 0.0));
        assert!(set_crash(&state, "SOL", 100.0).unwrap_err().contains("under 100"));
        assert!(set_crash(&state, "SOL", -5.0).is_err());
    }

    #[test]
    fn outages_are_set_read_and_lifted() {
        let state = std::env::temp_dir().join(format!("margin-localnet-outage-{}", std::process::id()));
        std::fs::create_dir_all(&state).unwrap();
        assert!(read_outages(&state).unwrap().is_empty());
        set_outage(&state, "SOL", true).unwrap();
        set_outage(&state, "USDC", true).unwrap();
        set_outage(&state, "USDC", false).unwrap();
        assert_eq!(read_outages(&state).unwrap().into_iter().collect::<Vec<_>>(), ["SOL"]);
        std::fs::write(outage_file(&state), "not json").unwrap();
        assert!(read_outages(&state).unwrap_err().contains("outages.json"));
    }
}
