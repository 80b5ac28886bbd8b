//! The cases of the JavaScript parity test (app/client/test/parity.test.mjs), native only: random groups (1–16
//! banks on the volatile and stable presets, indices above 1, accrued a while ago), prices republished from a
//! captured mainnet `PriceUpdateV2` (crates/margin-sdk/tests/fixtures) with random price, confidence and age,
//! and accounts of 1–16 positions; with every query's answer computed natively by [`MarginSnapshot`] over the
//! same bytes. The test runs the same queries in WebAssembly and compares them to the unit.
use crate::MarginSnapshot;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{Discriminator, ZeroCopy};
use base64::Engine;
use margin_sdk::margin::state::{Bank, MarginAccount, Position};
use margin_sdk::pyth::PriceUpdate;
use serde_json::{json, Value};

/// xorshift64*: the numbers depend on the seed alone (addresses come from `Pubkey::new_unique`).
pub struct Random(pub u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn account_bytes<T: ZeroCopy + Discriminator>(value: &T) -> Vec<u8> {
    [T::DISCRIMINATOR, bytemuck::bytes_of(value)].concat()
}

/// A bank on a preset, its indices above 1 and its interest last accrued up to an hour before `now`.
fn bank(random: &mut Random, index: usize, now: i64) -> (Pubkey, Bank, Pubkey) {
    let mut bank: Bank = bytemuck::Zeroable::zeroed();
    let stable = index % 2 == 1;
    let params = if stable { margin_sdk::presets::stable_params() } else { margin_sdk::presets::volatile_params() };
    bank.apply_params(&params);
    // Half the banks with the dynamic Init margin on (the prices' EMA is the captured one: they diverge).
    if random.below(2) == 0 {
        bank.dynamic = margin_sdk::margin::state::DynamicParams {
            divergence_multiplier_bps: 10_000,
            expansion_multiplier_bps: 20_000,
            max_extra_bps: 1_500,
        };
    }
    bank.decimals = if stable { 6 } else { 9 };
    bank.feed_id = [index as u8 + 1; 32];
    bank.price_account = margin_sdk::addresses::push_feed(&bank.feed_id);
    bank.mint = Pubkey::new_unique();
    let scale = margin_sdk::margin_risk::interest::INDEX_SCALE;
    bank.deposit_index = scale + random.below(scale / 10);
    bank.borrow_index = bank.deposit_index + random.below(scale / 10);
    bank.deposit_shares = 1_000_000_000_000_000;
    bank.borrow_shares = random.below(bank.deposit_shares / 2);
    bank.last_accrual = now - random.below(3_600) as i64;
    (Pubkey::new_unique(), bank, bank.price_account)
}

/// The captured update republished for `bank` at a random price, confidence (within 0.5 % of it, one in ten
/// up to 3 %: too wide to open) and age (within 30 s, one in ten 61–90 s: stale).
fn price(random: &mut Random, captured: &PriceUpdate, bank: &Bank, now: i64) -> Vec<u8> {
    let price = 1_000_000 + random.below(200_000_000_000) as i64;
    let conf_limit = if random.below(10) == 0 { price as u64 * 3 / 100 } else { price as u64 / 200 };
    let conf = random.below(conf_limit + 1);
    let age = if random.below(10) == 0 { 61 + random.below(30) } else { random.below(31) };
    let update = PriceUpdate {
        feed_id: bank.feed_id,
        price,
        conf,
        ema_price: price + random.below(price as u64 / 20) as i64 - price / 40,
        ema_conf: conf,
        exponent: -8,
        publish_time: now - age as i64,
        ..*captured
    };
    update.account(bank.price_account).data
}

/// An account with 1–16 positions (at most one per bank), each a deposit or a debt of random size.
fn account(random: &mut Random, banks: &[(Pubkey, Bank, Pubkey)]) -> MarginAccount {
    let mut account: MarginAccount = bytemuck::Zeroable::zeroed();
    account.owner = Pubkey::new_unique();
    let count = 1 + random.below(banks.len() as u64) as usize;
    let first = random.below(banks.len() as u64) as usize;
    for slot in 0..count {
        let (address, bank, _) = &banks[(first + slot) % banks.len()];
        let shares = random.below(10u64.pow(bank.decimals as u32 + 4));
        let debt = shares / 3 * (1 + random.below(4));
        let (deposit_shares, borrow_shares) = if random.below(3) == 0 { (0, debt) } else { (shares, 0) };
        account.positions[slot] = Position { bank: *address, deposit_shares, borrow_shares };
    }
    account.being_liquidated = (random.below(4) == 0) as u8;
    account
}

fn answer(result: Result<impl serde::Serialize, String>) -> Value {
    match result {
        Ok(value) => json!({ "ok": value }),
        Err(error) => json!({ "error": error }),
    }
}

/// One group and its accounts: the bytes, and every query's native answer.
pub fn case(random: &mut Random, captured: &PriceUpdate) -> Value {
    let now = 1_800_000_000 + random.below(1_000_000) as i64;
    let banks: Vec<_> = (0..1 + random.below(16) as usize).map(|index| bank(random, index, now)).collect();
    let mut snapshot = MarginSnapshot::new(now);
    let owner = pyth_owner(captured);
    let (mut bank_json, mut price_json, mut account_json, mut queries) = (vec![], vec![], vec![], vec![]);
    for (address, bank, price_address) in &banks {
        let data = account_bytes(bank);
        snapshot.add_bank(&address.to_string(), &data).unwrap();
        bank_json.push(json!({ "address": address.to_string(), "data": base64(&data) }));
        let price_data = price(random, captured, bank, now);
        snapshot.add_price(&price_address.to_string(), &owner, &price_data).unwrap();
        price_json.push(json!({ "address": price_address.to_string(), "owner": owner, "data": base64(&price_data) }));
    }
    for (bank, _, _) in &banks {
        let bank = bank.to_string();
        queries.push(json!({ "call": "market", "args": [bank], "answer": answer(snapshot.market(&bank)) }));
    }
    for _ in 0..3 {
        let state = account(random, &banks);
        let address = Pubkey::new_unique().to_string();
        let data = account_bytes(&state);
        snapshot.add_account(&address, &data).unwrap();
        account_json.push(json!({ "address": address, "data": base64(&data) }));
        for health_type in ["Init", "LiqEnd", "Maint"] {
            queries.push(json!({ "call": "health", "args": [address, health_type], "answer": answer(snapshot.health(&address, health_type)) }));
        }
        queries.push(json!({ "call": "isLiquidatable", "args": [address], "answer": answer(snapshot.is_liquidatable(&address)) }));
        queries.push(json!({ "call": "positions", "args": [address], "answer": answer(snapshot.positions(&address)) }));
        for (bank, _, _) in &banks {
            let bank = bank.to_string();
            let most = snapshot.max_borrow(&address, &bank).map(|amount| amount.to_string());
            queries.push(json!({ "call": "maxBorrow", "args": [address, bank], "answer": answer(most) }));
            let most = snapshot.max_withdraw(&address, &bank).map(|amount| amount.to_string());
            queries.push(json!({ "call": "maxWithdraw", "args": [address, bank], "answer": answer(most) }));
            let price = snapshot.liquidation_price(&address, &bank);
            queries.push(json!({ "call": "liquidationPrice", "args": [address, bank], "answer": answer(price) }));
            let action = ["deposit", "withdraw", "borrow", "repay"][random.below(4) as usize];
            let amount = 1 + random.below(10_000_000_000);
            let after = snapshot.health_after(&address, &bank, action, amount);
            queries.push(json!({ "call": "healthAfter", "args": [address, bank, action, amount.to_string()], "answer": answer(after) }));
        }
        let debts: Vec<_> =
            state.used_positions().filter(|p| p.borrow_shares > 0).map(|p| p.bank.to_string()).collect();
        let deposits: Vec<_> =
            state.used_positions().filter(|p| p.deposit_shares > 0).map(|p| p.bank.to_string()).collect();
        if let (Some(debt), Some(collateral)) = (debts.first(), deposits.first()) {
            let max_repay = if random.below(2) == 0 { u64::MAX } else { random.below(10_000_000_000) };
            let plan = snapshot.liquidation_plan(&address, debt, collateral, max_repay);
            queries.push(json!({ "call": "liquidationPlan", "args": [address, debt, collateral, max_repay.to_string()], "answer": answer(plan) }));
        }
    }
    json!({ "now": now.to_string(), "banks": bank_json, "prices": price_json, "accounts": account_json, "queries": queries })
}

fn pyth_owner(captured: &PriceUpdate) -> String {
    captured.owner.to_string()
}

/// The captured mainnet SOL/USD update the prices are republished from.
pub fn captured_update() -> PriceUpdate {
    let fixture = include_str!("../../margin-sdk/tests/fixtures/pyth-v2-sol-usd-full-2025.json");
    let (_, account) = margin_sdk::pyth::cli_account(fixture).expect("the captured SOL/USD update");
    PriceUpdate::from_account(&account).expect("a PriceUpdateV2")
}

/// `count` cases from `seed`.
pub fn cases(count: usize, seed: u64) -> Vec<Value> {
    let captured = captured_update();
    let mut random = Random(seed | 1);
    (0..count).map(|_| case(&mut random, &captured)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use margin_sdk::margin_risk::health::HealthType;
    use margin_sdk::market::Action;
    use margin_sdk::snapshot::{RawAccount, Snapshot};

    fn decoded(text: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD.decode(text).unwrap()
    }

    /// The SDK's own snapshot of a case, from its bytes.
    fn sdk_snapshot(case: &Value) -> Snapshot {
        let key = |value: &Value| value.as_str().unwrap().parse::<Pubkey>().unwrap();
        let mut snapshot = Snapshot { now: case["now"].as_str().unwrap().parse().unwrap(), ..Snapshot::default() };
        for bank in case["banks"].as_array().unwrap() {
            let state = margin_sdk::accounts::bank(&decoded(bank["data"].as_str().unwrap())).unwrap();
            snapshot.banks.insert(key(&bank["address"]), state);
        }
        for price in case["prices"].as_array().unwrap() {
            let raw = RawAccount { owner: key(&price["owner"]), data: decoded(price["data"].as_str().unwrap()) };
            snapshot.prices.insert(key(&price["address"]), raw);
        }
        for account in case["accounts"].as_array().unwrap() {
            let state = margin_sdk::accounts::margin_account(&decoded(account["data"].as_str().unwrap())).unwrap();
            snapshot.accounts.insert(key(&account["address"]), state);
        }
        snapshot
    }

    /// The SDK's answer to a query, in the cases' form (what `MarginSnapshot` must have recorded).
    fn sdk_answer(snapshot: &Snapshot, call: &str, args: &[Value], answer_text: &str) -> Option<Value> {
        let key = |index: usize| args[index].as_str().unwrap().parse::<Pubkey>().unwrap();
        let error = |error: margin_sdk::SdkError| json!({ "error": error.to_string() });
        Some(match call {
            "health" => {
                let health_type = match args[1].as_str().unwrap() {
                    "Init" => HealthType::Init,
                    "LiqEnd" => HealthType::LiqEnd,
                    _ => HealthType::Maint,
                };
                match snapshot.health(&key(0), health_type) {
                    Ok(health) => json!({ "ok": json!({
                        "assets": health.assets.to_string(),
                        "liabilities": health.liabilities.to_string(),
                        "health": (health.assets as i128 - health.liabilities as i128).to_string(),
                    }).to_string() }),
                    Err(e) => error(e),
                }
            }
            "maxBorrow" => snapshot.max_borrow(&key(0), &key(1)).map_or_else(error, |v| json!({ "ok": v.to_string() })),
            "maxWithdraw" => {
                snapshot.max_withdraw(&key(0), &key(1)).map_or_else(error, |v| json!({ "ok": v.to_string() }))
            }
            "isLiquidatable" => snapshot.is_liquidatable(&key(0)).map_or_else(error, |v| json!({ "ok": v })),
            "liquidationPrice" => {
                snapshot.liquidation_price_usd(&key(0), &key(1)).map_or_else(error, |v| json!({ "ok": v }))
            }
            "healthAfter" => {
                let amount = args[3].as_str().unwrap().parse().unwrap();
                let action = match args[2].as_str().unwrap() {
                    "deposit" => Action::Deposit(amount),
                    "withdraw" => Action::Withdraw(amount),
                    "borrow" => Action::Borrow(amount),
                    _ => Action::Repay(amount),
                };
                match snapshot.health_after(&key(0), &key(1), action) {
                    Ok(healths) => {
                        let [init, liq_end, maint] = healths.map(|health| match health {
                            Ok(h) => json!({
                                "assets": h.assets.to_string(),
                                "liabilities": h.liabilities.to_string(),
                                "health": (h.assets as i128 - h.liabilities as i128).to_string(),
                            }),
                            Err(e) => json!({ "error": e.to_string() }),
                        });
                        json!({ "ok": json!({ "init": init, "liqEnd": liq_end, "maint": maint }).to_string() })
                    }
                    Err(e) => error(e),
                }
            }
            "market" => match snapshot.market(&key(0)) {
                Ok(market) => {
                    let recorded: Value = serde_json::from_str(answer_text).unwrap();
                    assert_eq!(recorded["deposits"], market.deposits.to_string());
                    assert_eq!(recorded["borrows"], market.borrows.to_string());
                    assert_eq!(recorded["utilizationBps"], market.utilization_bps);
                    assert_eq!(recorded["borrowRateBps"], market.borrow_rate_bps);
                    assert_eq!(recorded["depositRateBps"], market.deposit_rate_bps);
                    assert_eq!(recorded["borrowable"], market.borrowable.to_string());
                    assert_eq!(recorded["depositable"], market.depositable.to_string());
                    if let Ok(price) = &market.price {
                        assert_eq!(recorded["price"]["dynamicExtraBps"], price.dynamic_extra_bps);
                    }
                    json!({ "ok": answer_text })
                }
                Err(e) => error(e),
            },
            _ => return None,
        })
    }

    #[test]
    fn the_recorded_answers_are_the_sdks_own() {
        let mut compared = 0;
        for case in cases(25, 7) {
            let snapshot = sdk_snapshot(&case);
            for query in case["queries"].as_array().unwrap() {
                let args = query["args"].as_array().unwrap();
                let call = query["call"].as_str().unwrap();
                let answer_text = query["answer"]["ok"].as_str().unwrap_or_default();
                if let Some(expected) = sdk_answer(&snapshot, call, args, answer_text) {
                    assert_eq!(query["answer"], expected, "{call}{args:?}");
                    compared += 1;
                } else if call == "liquidationPlan" {
                    let key = |index: usize| args[index].as_str().unwrap().parse::<Pubkey>().unwrap();
                    let max_repay = args[3].as_str().unwrap().parse().unwrap();
                    match snapshot.plan_liquidation(&key(0), (&key(1), &key(2)), max_repay) {
                        Ok(plan) => {
                            let recorded: Value =
                                serde_json::from_str(query["answer"]["ok"].as_str().unwrap()).unwrap();
                            assert_eq!(recorded["repay"], plan.repay_tokens.to_string());
                            assert_eq!(recorded["seizedToLiquidator"], plan.seized_to_liquidator.to_string());
                            assert_eq!(recorded["bonusBps"], plan.bonus_bps);
                        }
                        Err(e) => assert_eq!(query["answer"], json!({ "error": e.to_string() })),
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 1_000, "{compared} queries compared");
        // The new queries answered with values, not only refusals.
        let all: Vec<Value> =
            cases(25, 7).into_iter().flat_map(|case| case["queries"].as_array().unwrap().clone()).collect();
        let answered = |call: &str| all.iter().filter(|q| q["call"] == call && q["answer"]["ok"].is_string()).count();
        let dynamic = all
            .iter()
            .filter(|q| q["call"] == "market")
            .filter_map(|q| q["answer"]["ok"].as_str())
            .filter(|text| serde_json::from_str::<Value>(text).unwrap()["price"]["dynamicExtraBps"].as_u64() > Some(0))
            .count();
        assert!(dynamic > 10, "{dynamic} markets with a dynamic extra haircut");
        for call in ["liquidationPrice", "healthAfter", "market"] {
            assert!(answered(call) > 10, "{call}: {} answered with a value", answered(call));
        }
    }
}
