//! What a web app's market screen and action forms show, from the SDK's `market` module: a bank's market
//! (price ± confidence, the haircuts the confidence makes now, rates, utilization, caps, status), the health
//! after an action booked as the program books it, and each collateral's liquidation price. JSON, amounts as
//! decimal strings, prices as exact decimal USD strings.
use margin_sdk::margin_risk::health::Health;
use margin_sdk::margin_risk::price::OraclePrice;
use margin_sdk::market::{haircut_bps, pyth_decimal, usd_per_token, Action, Market, MarketStatus};
use serde_json::{json, Value};
use wasm_bindgen::prelude::wasm_bindgen;

use crate::{address, health_json, sdk, MarginSnapshot};

/// `{"oracle": "150.0…", "initAsset": …}` in USD per whole token, and the haircut of each in bps of the
/// oracle price (negative for an asset price, positive for a liability price).
pub(crate) fn prices_json(price: &OraclePrice, decimals: u8) -> Value {
    let usd = |value: u64| usd_per_token(value, price.scale, decimals);
    let bps = |value: u64| haircut_bps(price.oracle, value).ok();
    json!({
        "oracle": usd(price.oracle),
        "initAsset": usd(price.init_asset),
        "maintAsset": usd(price.maint_asset),
        "initLiability": usd(price.init_liability),
        "maintLiability": usd(price.maint_liability),
        "usableToOpen": price.usable_to_open,
        "haircutBps": {
            "initAsset": bps(price.init_asset), "maintAsset": bps(price.maint_asset),
            "initLiability": bps(price.init_liability), "maintLiability": bps(price.maint_liability),
        },
    })
}

fn market_json(market: &Market) -> Value {
    let bank = &market.bank;
    let (status, paused_until) = match market.status {
        MarketStatus::Active => ("Active", None),
        MarketStatus::ReduceOnly => ("ReduceOnly", None),
        MarketStatus::Paused { until } => ("Paused", Some(until.to_string())),
    };
    let price = match &market.price {
        Ok(read) => {
            let pyth = read.pyth;
            let derived = match &read.prices {
                Ok(prices) => prices_json(prices, bank.decimals),
                Err(error) => json!({ "unusable": error.to_string() }),
            };
            json!({
                "price": pyth_decimal(pyth.price, pyth.exponent),
                "conf": pyth_decimal(pyth.conf as i64, pyth.exponent),
                "emaPrice": pyth_decimal(pyth.ema_price, pyth.exponent),
                "emaConf": pyth_decimal(pyth.ema_conf as i64, pyth.exponent),
                "publishTime": pyth.publish_time.to_string(),
                "ageSeconds": read.age_seconds.to_string(),
                "dynamicExtraBps": read.dynamic_extra_bps,
                "onFallback": read.on_fallback,
                "derived": derived,
            })
        }
        Err(error) => json!({ "error": error.to_string() }),
    };
    let weights = market.weights;
    json!({
        "bank": market.address.to_string(),
        "mint": bank.mint.to_string(),
        "tokenProgram": bank.token_program.to_string(),
        "decimals": bank.decimals,
        "status": status,
        "pausedUntil": paused_until,
        "isolatedOnly": bank.isolated_only == 1,
        "price": price,
        "deposits": market.deposits.to_string(),
        "borrows": market.borrows.to_string(),
        "utilizationBps": market.utilization_bps,
        "borrowRateBps": market.borrow_rate_bps,
        "depositRateBps": market.deposit_rate_bps,
        "depositCap": market.limits.deposit_cap.to_string(),
        "borrowCap": market.limits.borrow_cap.to_string(),
        "maxUtilizationBps": market.limits.max_utilization_bps,
        "borrowable": market.borrowable.to_string(),
        "depositable": market.depositable.to_string(),
        "maxAgeSeconds": bank.risk.max_age_seconds,
        "maxConfOpenBps": bank.risk.max_conf_open_bps,
        "dynamic": {
            "divergenceMultiplierBps": bank.dynamic.divergence_multiplier_bps,
            "expansionMultiplierBps": bank.dynamic.expansion_multiplier_bps,
            "maxExtraBps": bank.dynamic.max_extra_bps,
        },
        "weights": {
            "initAsset": weights.init_asset_bps, "maintAsset": weights.maint_asset_bps,
            "initLiability": weights.init_liability_bps, "maintLiability": weights.maint_liability_bps,
        },
        "fallback": bank.fallback.is_set().then(|| json!({
            "priceAccount": bank.fallback.price_account.to_string(),
            "maxDivergenceBps": bank.fallback.max_divergence_bps,
        })),
        "size": (bank.size.excess_haircut_bps > 0).then(|| json!({
            "depthUsd": margin_sdk::market::decimal(u128::from(bank.size.depth_quote), 6),
            "excessHaircutBps": bank.size.excess_haircut_bps,
        })),
    })
}

fn action(name: &str, amount: u64) -> Result<Action, String> {
    match name {
        "deposit" => Ok(Action::Deposit(amount)),
        "withdraw" => Ok(Action::Withdraw(amount)),
        "borrow" => Ok(Action::Borrow(amount)),
        "repay" => Ok(Action::Repay(amount)),
        other => Err(format!("action {other:?}: deposit, withdraw, borrow or repay")),
    }
}

fn health_or_error(health: &Result<Health, margin_sdk::SdkError>) -> Value {
    match health {
        Ok(health) => health_json(health),
        Err(error) => json!({ "error": error.to_string() }),
    }
}

#[wasm_bindgen]
impl MarginSnapshot {
    /// The bank's market now, as JSON (see the module's doc).
    pub fn market(&self, bank: &str) -> Result<String, String> {
        Ok(market_json(&self.snapshot.market(&address(bank)?).map_err(sdk)?).to_string())
    }

    /// The account's Init, LiqEnd and Maint health once `action_name` (`deposit`, `withdraw`, `borrow`,
    /// `repay`) of `amount` native units in `bank` is booked as the program books it, as JSON
    /// `{"init": {…}, "liqEnd": {…}, "maint": {…}}` (each health, or `{"error": …}` when it cannot be
    /// computed). Thrown: the booking's refusal (more than the deposit or the debt, below one share).
    #[wasm_bindgen(js_name = healthAfter)]
    pub fn health_after(&self, account: &str, bank: &str, action_name: &str, amount: u64) -> Result<String, String> {
        let action = action(action_name, amount)?;
        let [init, liq_end, maint] =
            self.snapshot.health_after(&address(account)?, &address(bank)?, action).map_err(sdk)?;
        Ok(json!({ "init": health_or_error(&init), "liqEnd": health_or_error(&liq_end), "maint": health_or_error(&maint) })
            .to_string())
    }

    /// The USD price per whole token of `bank` at which the account becomes liquidatable (Maint below 0),
    /// every other price held; `undefined` when no price does or the account holds no deposit there.
    #[wasm_bindgen(js_name = liquidationPrice)]
    pub fn liquidation_price(&self, account: &str, bank: &str) -> Result<Option<String>, String> {
        self.snapshot.liquidation_price_usd(&address(account)?, &address(bank)?).map_err(sdk)
    }
}
