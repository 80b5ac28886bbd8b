//! A worked scenario computed by the risk engine: a trader's cross account (10 SOL collateral, USDC debt)
//! as SOL falls and its Pyth confidence widens; the moment it becomes liquidatable; a liquidation in two
//! partial steps; then a crash beyond the collateral and the bankruptcy split.
//!
//! Run: `cargo run -p margin-risk --example crash_scenario`

use margin_risk::bankruptcy::{is_bankrupt, split_bankruptcy};
use margin_risk::health::{compute_health, max_borrow, HealthPosition, HealthType, RiskWeights};
use margin_risk::interest::{BankTotals, INDEX_SCALE};
use margin_risk::liquidation::{
    is_liquidatable, plan_liquidation, LiquidationConfig, LiquidationPlan, LiquidationRequest,
};
use margin_risk::price::{validate_price, OracleConfig, PythPrice};
use margin_risk::RiskResult;

const NOW: i64 = 1_700_000_000;
const SOL: u64 = 1_000_000_000;
const USDC: u64 = 1_000_000;

fn oracle() -> OracleConfig {
    OracleConfig {
        max_age_seconds: 60,
        max_conf_open_bps: 200,
        max_conf_liquidation_bps: 500,
        conf_multiplier_init_bps: 20_000,
        conf_multiplier_maint_bps: 10_000,
        max_conf_discount_bps: 1_000,
    }
}

fn sol_weights() -> RiskWeights {
    RiskWeights {
        init_asset_bps: 8_000,
        maint_asset_bps: 9_000,
        init_liability_bps: 12_000,
        maint_liability_bps: 11_000,
        size: margin_risk::size::SizeRule::OFF,
    }
}

fn usdc_weights() -> RiskWeights {
    RiskWeights {
        init_asset_bps: 9_500,
        maint_asset_bps: 9_800,
        init_liability_bps: 10_500,
        maint_liability_bps: 10_200,
        size: margin_risk::size::SizeRule::OFF,
    }
}

/// SOL at `cents` with a confidence of `conf_bps` of the price, EMA equal to spot.
fn sol_price(cents: i64, conf_bps: u64) -> PythPrice {
    let price = cents * 1_000_000; // exponent −8
    let conf = price as u64 * conf_bps / 10_000;
    PythPrice { price, conf, exponent: -8, publish_time: NOW, ema_price: price, ema_conf: conf }
}

fn usdc_price() -> PythPrice {
    PythPrice {
        price: 100_000_000,
        conf: 10_000,
        exponent: -8,
        publish_time: NOW,
        ema_price: 100_000_000,
        ema_conf: 10_000,
    }
}

fn account(sol_deposit: u64, usdc_debt: u64, sol: &PythPrice) -> [HealthPosition; 2] {
    [
        HealthPosition {
            deposit_tokens: sol_deposit,
            borrow_tokens: 0,
            weights: sol_weights(),
            price: validate_price(sol, &oracle(), 9, NOW),
        },
        HealthPosition {
            deposit_tokens: 0,
            borrow_tokens: usdc_debt,
            weights: usdc_weights(),
            price: validate_price(&usdc_price(), &oracle(), 6, NOW),
        },
    ]
}

/// Quote units (10^-6 USD) as a signed dollar amount.
fn dollars(quote_units: i64) -> String {
    let sign = if quote_units < 0 { "-" } else { "" };
    let magnitude = quote_units.unsigned_abs();
    format!("{sign}${}.{:06}", magnitude / 1_000_000, magnitude % 1_000_000)
}

fn health_of(positions: &[HealthPosition], health_type: HealthType) -> String {
    match compute_health(positions, health_type).and_then(|health| health.value()) {
        Ok(value) => dollars(value),
        Err(error) => format!("({})", error.message()),
    }
}

fn print_plan(step: &str, plan: &LiquidationPlan) -> RiskResult<()> {
    println!(
        "  {step}: repay {} USDC, liquidator receives {} SOL, insurance fee {} SOL, bonus {} bps, limit {:?}",
        units(plan.repay_tokens, 6),
        units(plan.seized_to_liquidator, 9),
        units(plan.insurance_fee_tokens, 9),
        plan.bonus_bps,
        plan.limit
    );
    println!(
        "    Maint {} -> {}, LiqEnd {} -> {}, being_liquidated after: {}",
        dollars(plan.maint_before.value()?),
        dollars(plan.maint_after.value()?),
        dollars(plan.liq_end_before.value()?),
        dollars(plan.liq_end_after.value()?),
        plan.being_liquidated_after
    );
    Ok(())
}

fn units(amount: u64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals);
    format!("{}.{:0width$}", amount / scale, amount % scale, width = decimals as usize)
}

fn main() -> RiskResult<()> {
    let liquidation = LiquidationConfig { min_bonus_bps: 200, max_bonus_bps: 800, insurance_fee_bps: 100 };
    let mut sol_deposit = 10 * SOL;
    let start = sol_price(15_000, 10);
    let limit = max_borrow(&account(sol_deposit, 0, &start), 1)?;
    println!("10 SOL deposited at $150.00 ± 0.10 %: Init lets the trader borrow up to {} USDC", units(limit, 6));
    let mut usdc_debt = 1_000 * USDC;
    println!("The trader borrows 1000 USDC. SOL then falls; at $135 its confidence spikes tenfold for a moment.\n");

    println!("{:>8} {:>7} {:>18} {:>18} {:>18}  status", "SOL", "conf", "Init", "LiqEnd", "Maint");
    let mut being_liquidated = false;
    for (cents, conf_bps) in [
        (15_000, 10),
        (14_000, 15),
        (13_500, 18),
        (13_500, 180),
        (13_500, 18),
        (12_500, 60),
        (11_500, 100),
        (11_000, 150),
        (10_500, 150),
    ] {
        let price = sol_price(cents, conf_bps);
        let positions = account(sol_deposit, usdc_debt, &price);
        let maint = compute_health(&positions, HealthType::Maint)?;
        let liq_end = compute_health(&positions, HealthType::LiqEnd)?;
        let init_ok = compute_health(&positions, HealthType::Init).map(|h| h.is_nonnegative()).unwrap_or(false);
        let status = if is_liquidatable(&maint, &liq_end, being_liquidated) {
            "LIQUIDATABLE"
        } else if !init_ok {
            "new borrows and withdraws refused (Init < 0)"
        } else {
            "healthy"
        };
        println!(
            "{:>8} {:>6}bp {:>18} {:>18} {:>18}  {status}",
            format!("${}.{:02}", cents / 100, cents % 100),
            conf_bps,
            health_of(&positions, HealthType::Init),
            health_of(&positions, HealthType::LiqEnd),
            health_of(&positions, HealthType::Maint)
        );
        if status != "LIQUIDATABLE" {
            continue;
        }
        println!("  A liquidator steps in, first capped at 100 USDC, then uncapped:");
        for (step, max_repay) in [("step 1", 100 * USDC), ("step 2", u64::MAX)] {
            let request = LiquidationRequest {
                debt_position: 1,
                collateral_position: 0,
                max_repay_tokens: max_repay,
                being_liquidated,
                debt_dust_tokens: USDC / 100,
                debt_borrow_index: INDEX_SCALE,
            };
            let plan = plan_liquidation(&account(sol_deposit, usdc_debt, &price), &request, &liquidation)?;
            print_plan(step, &plan)?;
            sol_deposit -= plan.seized_to_liquidator + plan.insurance_fee_tokens;
            usdc_debt -= plan.debt_cleared_tokens;
            being_liquidated = plan.being_liquidated_after;
        }
        println!("  Account now: {} SOL, {} USDC debt", units(sol_deposit, 9), units(usdc_debt, 6));
    }

    let crash = sol_price(3_000, 100);
    println!("\nSOL crashes to $30.00: collateral no longer covers the debt.");
    let request = LiquidationRequest {
        debt_position: 1,
        collateral_position: 0,
        max_repay_tokens: u64::MAX,
        being_liquidated,
        debt_dust_tokens: USDC / 100,
        debt_borrow_index: INDEX_SCALE,
    };
    let plan = plan_liquidation(&account(sol_deposit, usdc_debt, &crash), &request, &liquidation)?;
    print_plan("liquidation", &plan)?;
    sol_deposit -= plan.seized_to_liquidator + plan.insurance_fee_tokens;
    usdc_debt -= plan.debt_cleared_tokens;
    let positions = account(sol_deposit, usdc_debt, &crash);
    println!(
        "  Account now: {} SOL, {} USDC debt; bankrupt: {}",
        units(sol_deposit, 9),
        units(usdc_debt, 6),
        is_bankrupt(&positions)
    );

    let usdc_bank = BankTotals {
        deposit_shares: 50_000 * USDC,
        borrow_shares: 20_000 * USDC,
        deposit_index: INDEX_SCALE,
        borrow_index: INDEX_SCALE,
    };
    let insurance = 50 * USDC;
    let split = split_bankruptcy(usdc_debt, insurance, &usdc_bank)?;
    println!(
        "resolve_bankruptcy: {} USDC written off = {} from insurance + {} socialised over 50000 USDC of deposits",
        units(split.debt_tokens, 6),
        units(split.insurance_tokens, 6),
        units(split.socialized_tokens, 6)
    );
    println!("  USDC deposit index 1.000000000000 -> {}", units(split.new_deposit_index, 12));
    Ok(())
}
