//! The SDK's [`Snapshot`] for JavaScript, through WebAssembly: health (Init, LiqEnd, Maint), max borrow, max
//! withdraw, liquidatable, the liquidation plan and each position's prices, haircuts and weights, computed by
//! the program's own code from raw account bytes as fetched (`getAccountInfo`, `getProgramAccounts`). No
//! TypeScript copy of any risk rule exists: a client's numbers are the program's.
//!
//! From JS (`wasm-bindgen --target nodejs` or `web`): `new MarginSnapshot(now)`, `addBank(address, data)`,
//! `addPrice(address, owner, data)`, `addAccount(address, data)`, then the queries. Addresses are base58
//! strings; native-unit amounts are `bigint`; compound results are JSON text whose amounts are decimal strings
//! (u64 and i128 do not fit a JS number). Errors are thrown as the SDK's message (the program's error name
//! when the program would refuse).
use std::str::FromStr;

mod market;
#[cfg(not(target_arch = "wasm32"))]
pub mod parity;

use anchor_lang::prelude::Pubkey;
use margin_sdk::margin_risk::health::{position_health, Health, HealthType};
use margin_sdk::margin_risk::price::OraclePrice;
use margin_sdk::snapshot::{RawAccount, Snapshot};
use serde_json::{json, Value};
use wasm_bindgen::prelude::wasm_bindgen;

/// Banks, price accounts and margin accounts of one group at one clock.
#[wasm_bindgen]
#[derive(Default)]
pub struct MarginSnapshot {
    snapshot: Snapshot,
}

fn address(text: &str) -> Result<Pubkey, String> {
    Pubkey::from_str(text).map_err(|_| format!("{text:?} is not a base58 address"))
}

fn sdk(error: margin_sdk::SdkError) -> String {
    error.to_string()
}

fn health_type(name: &str) -> Result<HealthType, String> {
    match name {
        "Init" | "init" => Ok(HealthType::Init),
        "LiqEnd" | "liq_end" | "liqEnd" => Ok(HealthType::LiqEnd),
        "Maint" | "maint" => Ok(HealthType::Maint),
        other => Err(format!("health type {other:?}: Init, LiqEnd or Maint")),
    }
}

/// `{"assets": "…", "liabilities": "…", "health": "…"}`, quote units (10^-6 USD) as decimal strings.
fn health_json(health: &Health) -> Value {
    let net = health.assets as i128 - health.liabilities as i128;
    json!({ "assets": health.assets.to_string(), "liabilities": health.liabilities.to_string(), "health": net.to_string() })
}

/// A position's net value at the oracle price, unweighted, quote units as a signed decimal string (deposit
/// rounded down, debt up), or null beyond u64.
fn oracle_value(view: &margin_sdk::margin_risk::health::HealthPosition, price: &OraclePrice) -> Value {
    use margin_sdk::margin_risk::math::Rounding;
    use margin_sdk::margin_risk::price::token_value;
    let deposit = token_value(view.deposit_tokens, price.oracle, price.scale, Rounding::Down);
    let debt = token_value(view.borrow_tokens, price.oracle, price.scale, Rounding::Up);
    match (deposit, debt) {
        (Ok(deposit), Ok(debt)) => json!((deposit as i128 - debt as i128).to_string()),
        _ => Value::Null,
    }
}

#[wasm_bindgen]
impl MarginSnapshot {
    /// An empty snapshot at cluster time `now` (unix seconds; the `Clock` sysvar's).
    #[wasm_bindgen(constructor)]
    pub fn new(now: i64) -> MarginSnapshot {
        MarginSnapshot { snapshot: Snapshot { now, ..Snapshot::default() } }
    }

    /// Adds the bank at `bank_address` from its account data (discriminator included).
    #[wasm_bindgen(js_name = addBank)]
    pub fn add_bank(&mut self, bank_address: &str, data: &[u8]) -> Result<(), String> {
        let key = address(bank_address)?;
        self.snapshot.banks.insert(key, margin_sdk::accounts::bank(data).map_err(sdk)?);
        Ok(())
    }

    /// Adds a price account (a Pyth `PriceUpdateV2`) with its owner: the program checks both.
    #[wasm_bindgen(js_name = addPrice)]
    pub fn add_price(&mut self, price_address: &str, owner: &str, data: &[u8]) -> Result<(), String> {
        let key = address(price_address)?;
        self.snapshot.prices.insert(key, RawAccount { owner: address(owner)?, data: data.to_vec() });
        Ok(())
    }

    /// Adds the margin account at `account_address` from its data.
    #[wasm_bindgen(js_name = addAccount)]
    pub fn add_account(&mut self, account_address: &str, data: &[u8]) -> Result<(), String> {
        let key = address(account_address)?;
        self.snapshot.accounts.insert(key, margin_sdk::accounts::margin_account(data).map_err(sdk)?);
        Ok(())
    }

    /// The account's health of `health_type` (`Init`, `LiqEnd` or `Maint`), as JSON.
    pub fn health(&self, account: &str, health_type_name: &str) -> Result<String, String> {
        let health = self.snapshot.health(&address(account)?, health_type(health_type_name)?).map_err(sdk)?;
        Ok(health_json(&health).to_string())
    }

    /// The most the account can borrow from `bank` now, native units (the program's Init check, to the unit;
    /// the bank's liquidity and caps not included).
    #[wasm_bindgen(js_name = maxBorrow)]
    pub fn max_borrow(&self, account: &str, bank: &str) -> Result<u64, String> {
        self.snapshot.max_borrow(&address(account)?, &address(bank)?).map_err(sdk)
    }

    /// The most the account can withdraw from its deposit in `bank` now, native units.
    #[wasm_bindgen(js_name = maxWithdraw)]
    pub fn max_withdraw(&self, account: &str, bank: &str) -> Result<u64, String> {
        self.snapshot.max_withdraw(&address(account)?, &address(bank)?).map_err(sdk)
    }

    /// Whether a liquidator may act on the account now.
    #[wasm_bindgen(js_name = isLiquidatable)]
    pub fn is_liquidatable(&self, account: &str) -> Result<bool, String> {
        self.snapshot.is_liquidatable(&address(account)?).map_err(sdk)
    }

    /// What `liquidate` repaying at most `max_repay` of `debt_bank` and seizing `collateral_bank` would do
    /// now, as JSON: the program's own plan (repay, debt cleared, seized, fee, forfeit, bonus, limit, healths).
    #[wasm_bindgen(js_name = liquidationPlan)]
    pub fn liquidation_plan(
        &self,
        account: &str,
        debt_bank: &str,
        collateral_bank: &str,
        max_repay: u64,
    ) -> Result<String, String> {
        let banks = (&address(debt_bank)?, &address(collateral_bank)?);
        let plan = self.snapshot.plan_liquidation(&address(account)?, banks, max_repay).map_err(sdk)?;
        Ok(json!({
            "repay": plan.repay_tokens.to_string(),
            "debtCleared": plan.debt_cleared_tokens.to_string(),
            "seizedToLiquidator": plan.seized_to_liquidator.to_string(),
            "insuranceFee": plan.insurance_fee_tokens.to_string(),
            "collateralForfeit": plan.collateral_forfeit_tokens.to_string(),
            "bonusBps": plan.bonus_bps,
            "limit": format!("{:?}", plan.limit),
            "maintBefore": health_json(&plan.maint_before),
            "maintAfter": health_json(&plan.maint_after),
            "liqEndBefore": health_json(&plan.liq_end_before),
            "liqEndAfter": health_json(&plan.liq_end_after),
            "beingLiquidatedAfter": plan.being_liquidated_after,
        })
        .to_string())
    }

    /// Each position of the account, in account order, as JSON: bank, deposit and debt (native units), the
    /// oracle price and the confidence-scaled prices per health type (quote units per whole token), or why
    /// the price is unusable, the four weights (bps), and the Init, LiqEnd and Maint contributions.
    pub fn positions(&self, account: &str) -> Result<String, String> {
        let account_address = address(account)?;
        let views = self.snapshot.health_positions(&account_address).map_err(sdk)?;
        let state = self.snapshot.account(&account_address).map_err(sdk)?;
        let mut out = Vec::new();
        for (position, view) in state.used_positions().zip(&views) {
            let prices = match &view.price {
                Ok(price) => json!({
                    "oracle": price.oracle.to_string(),
                    "initAsset": price.init_asset.to_string(),
                    "maintAsset": price.maint_asset.to_string(),
                    "initLiability": price.init_liability.to_string(),
                    "maintLiability": price.maint_liability.to_string(),
                }),
                Err(error) => json!({ "unusable": format!("{error:?}") }),
            };
            let contribution = |health_type| match position_health(view, health_type) {
                Ok(health) => health_json(&health),
                Err(error) => json!({ "error": format!("{error:?}") }),
            };
            let weights = view.weights;
            let decimals = self.snapshot.banks.get(&position.bank).map_or(0, |bank| bank.decimals);
            let (usd, value) = match &view.price {
                Ok(price) => (market::prices_json(price, decimals), oracle_value(view, price)),
                Err(_) => (Value::Null, Value::Null),
            };
            out.push(json!({
                "bank": position.bank.to_string(),
                "decimals": decimals,
                "usd": usd,
                "value": value,
                "deposit": view.deposit_tokens.to_string(),
                "borrow": view.borrow_tokens.to_string(),
                "prices": prices,
                "weights": {
                    "initAsset": weights.init_asset_bps, "maintAsset": weights.maint_asset_bps,
                    "initLiability": weights.init_liability_bps, "maintLiability": weights.maint_liability_bps,
                },
                "init": contribution(HealthType::Init),
                "liqEnd": contribution(HealthType::LiqEnd),
                "maint": contribution(HealthType::Maint),
            }));
        }
        Ok(Value::Array(out).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_refused_by_name() {
        let mut snapshot = MarginSnapshot::new(0);
        assert!(snapshot.add_bank("nope", &[0; 8]).unwrap_err().contains("not a base58 address"));
        let key = Pubkey::new_unique().to_string();
        assert_eq!(snapshot.add_bank(&key, &[0; 10]).unwrap_err(), margin_sdk::SdkError::WrongAccountType.to_string());
        assert!(snapshot.health(&key, "Sideways").unwrap_err().contains("Init, LiqEnd or Maint"));
        assert!(snapshot.health(&key, "Init").unwrap_err().contains(&key));
        assert!(snapshot.max_borrow(&key, "x").unwrap_err().contains("not a base58 address"));
    }
}
