//! The bot's configuration: a TOML file, then environment variables (`MARGIN_LIQUIDATOR_*`), then flags, each
//! overriding the one before. Every amount says its unit.
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use solana_sdk::pubkey::Pubkey;

/// The settings the bot runs with.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// JSON-RPC endpoint.
    pub rpc_url: String,
    /// Websocket endpoint (program and price account subscriptions).
    pub ws_url: String,
    /// Solana CLI keypair file of the liquidator (it signs and pays, and owns the token accounts).
    pub keypair: PathBuf,
    /// The margin group to watch.
    #[serde(with = "pubkey_text")]
    pub group: Pubkey,
    /// Most a single liquidation may repay, per debt mint (base58), native units; a mint not listed is not
    /// repaid. The wallet's balance bounds it too.
    #[serde(default)]
    pub inventory: BTreeMap<String, u64>,
    /// Least estimated profit worth a transaction, quote units (10^-6 USD).
    #[serde(default = "defaults::min_profit_quote")]
    pub min_profit_quote: u64,
    /// What one transaction costs, estimated in quote units (base + priority fee), subtracted from profit.
    #[serde(default = "defaults::fee_quote")]
    pub fee_quote: u64,
    /// Priority fee bid, micro-lamports per compute unit (the most the bot pays).
    #[serde(default = "defaults::max_cu_price")]
    pub max_cu_price: u64,
    /// Liquidations sent at once (each on its own RPC connection).
    #[serde(default = "defaults::concurrency")]
    pub concurrency: usize,
    /// Seconds between full refreshes (getProgramAccounts), whatever the subscriptions say.
    #[serde(default = "defaults::refresh_seconds")]
    pub refresh_seconds: u64,
    /// Address lookup table used for large accounts (v0 transactions); legacy transactions without one.
    #[serde(default, with = "optional_pubkey_text")]
    pub lookup_table: Option<Pubkey>,
    /// The bot's own margin account in the group: when a collateral vault cannot pay a seizure out (borrowed
    /// out in a crash), the collateral is credited to it as a deposit, so such accounts are liquidated too.
    /// Without one they are left (`CollateralVaultShort`).
    #[serde(default, with = "optional_pubkey_text")]
    pub margin_account: Option<Pubkey>,
    /// Where `/metrics` and `/healthz` are served.
    #[serde(default = "defaults::metrics_address")]
    pub metrics_address: String,
}

mod defaults {
    pub fn min_profit_quote() -> u64 {
        100_000 // $0.10
    }
    pub fn fee_quote() -> u64 {
        20_000 // $0.02
    }
    pub fn max_cu_price() -> u64 {
        10_000
    }
    pub fn concurrency() -> usize {
        4
    }
    pub fn refresh_seconds() -> u64 {
        60
    }
    pub fn metrics_address() -> String {
        "127.0.0.1:9464".to_string()
    }
}

/// Flags (and their environment variables), each overriding the file.
#[derive(Clone, Debug, Default, clap::Parser)]
#[command(name = "margin-liquidator", about = "Liquidates the margin program's unhealthy accounts for profit")]
pub struct Flags {
    /// TOML configuration file.
    #[arg(long, env = "MARGIN_LIQUIDATOR_CONFIG")]
    pub config: PathBuf,
    #[arg(long, env = "MARGIN_LIQUIDATOR_RPC_URL")]
    pub rpc_url: Option<String>,
    #[arg(long, env = "MARGIN_LIQUIDATOR_WS_URL")]
    pub ws_url: Option<String>,
    #[arg(long, env = "MARGIN_LIQUIDATOR_KEYPAIR")]
    pub keypair: Option<PathBuf>,
    #[arg(long, env = "MARGIN_LIQUIDATOR_MIN_PROFIT_QUOTE")]
    pub min_profit_quote: Option<u64>,
    #[arg(long, env = "MARGIN_LIQUIDATOR_MAX_CU_PRICE")]
    pub max_cu_price: Option<u64>,
    #[arg(long, env = "MARGIN_LIQUIDATOR_CONCURRENCY")]
    pub concurrency: Option<usize>,
    #[arg(long, env = "MARGIN_LIQUIDATOR_METRICS_ADDRESS")]
    pub metrics_address: Option<String>,
}

impl Config {
    /// Parses a TOML file's text; errors name the field and line.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|error| error.to_string())?;
        config.validate()?;
        Ok(config)
    }

    /// The file named by `flags`, with the flags (and environment) applied over it.
    pub fn load(flags: &Flags) -> Result<Config, String> {
        let text =
            std::fs::read_to_string(&flags.config).map_err(|error| format!("{}: {error}", flags.config.display()))?;
        let mut config = Config::parse(&text).map_err(|error| format!("{}: {error}", flags.config.display()))?;
        config.apply(flags);
        config.validate()?;
        Ok(config)
    }

    /// Overrides from flags and environment.
    pub fn apply(&mut self, flags: &Flags) {
        let Flags { rpc_url, ws_url, keypair, min_profit_quote, max_cu_price, concurrency, metrics_address, .. } =
            flags.clone();
        self.rpc_url = rpc_url.unwrap_or(self.rpc_url.clone());
        self.ws_url = ws_url.unwrap_or(self.ws_url.clone());
        self.keypair = keypair.unwrap_or(self.keypair.clone());
        self.min_profit_quote = min_profit_quote.unwrap_or(self.min_profit_quote);
        self.max_cu_price = max_cu_price.unwrap_or(self.max_cu_price);
        self.concurrency = concurrency.unwrap_or(self.concurrency);
        self.metrics_address = metrics_address.unwrap_or(self.metrics_address.clone());
    }

    /// Inventory mints are addresses; concurrency and refresh are positive.
    fn validate(&self) -> Result<(), String> {
        for mint in self.inventory.keys() {
            mint.parse::<Pubkey>().map_err(|_| format!("inventory: {mint:?} is not a mint address"))?;
        }
        if self.concurrency == 0 || self.refresh_seconds == 0 {
            return Err("concurrency and refresh_seconds must be at least 1".to_string());
        }
        Ok(())
    }

    /// Most one liquidation may repay of `mint`, native units (0 when the mint is not in the inventory).
    pub fn inventory_of(&self, mint: &Pubkey) -> u64 {
        self.inventory.get(&mint.to_string()).copied().unwrap_or(0)
    }
}

mod pubkey_text {
    use serde::Deserialize;
    use solana_sdk::pubkey::Pubkey;

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Pubkey, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(|_| serde::de::Error::custom(format!("{text:?} is not an address")))
    }
}

mod optional_pubkey_text {
    use serde::Deserialize;
    use solana_sdk::pubkey::Pubkey;

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Pubkey>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        text.map(|text| text.parse().map_err(|_| serde::de::Error::custom(format!("{text:?} is not an address"))))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
rpc_url = "http://127.0.0.1:8899"
ws_url = "ws://127.0.0.1:8900"
keypair = "/keys/liquidator.json"
group = "11111111111111111111111111111112"
min_profit_quote = 250000
[inventory]
"So11111111111111111111111111111111111111112" = 5000000000
"#;

    #[test]
    fn a_file_with_defaults_and_overrides() {
        let mut config = Config::parse(FILE).unwrap();
        assert_eq!(config.min_profit_quote, 250_000);
        assert_eq!((config.concurrency, config.max_cu_price, config.refresh_seconds), (4, 10_000, 60));
        assert_eq!(
            config.inventory_of(&"So11111111111111111111111111111111111111112".parse().unwrap()),
            5 * 10u64.pow(9)
        );
        assert_eq!(config.inventory_of(&Pubkey::new_unique()), 0);
        let flags = Flags { concurrency: Some(9), max_cu_price: Some(1), ..Flags::default() };
        config.apply(&flags);
        assert_eq!((config.concurrency, config.max_cu_price, config.min_profit_quote), (9, 1, 250_000));
    }

    #[test]
    fn bad_files_are_named_errors() {
        let unknown = Config::parse(&format!("{FILE}\nspeed = 3")).unwrap_err();
        assert!(unknown.contains("speed"), "{unknown}");
        let bad_group = Config::parse(&FILE.replace("11111111111111111111111111111112", "not-a-key")).unwrap_err();
        assert!(bad_group.contains("not an address"), "{bad_group}");
        let bad_mint = Config::parse(&FILE.replace("So11111111111111111111111111111111111111112", "SOL")).unwrap_err();
        assert!(bad_mint.contains("\"SOL\" is not a mint address"), "{bad_mint}");
        let zero = Config::parse(&format!("concurrency = 0\n{FILE}")).unwrap_err();
        assert!(zero.contains("at least 1"), "{zero}");
    }
}
