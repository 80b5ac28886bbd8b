//! Dynamic Init margin (issue 25) in the program: the guardian switches it on at once (it only tightens Init),
//! switching it off or down takes a proposal; while SOL falls away from its EMA with a wider confidence the
//! account's max borrow shrinks (the old max is refused by name) but its Maint health, and so whether it is
//! liquidatable, does not move; a calm price costs nothing extra. Every figure is the SDK's (the program's code).

use margin::errors::MarginError;
use margin::state::{BankParams, DynamicParams};
use margin_risk::health::HealthType;
use margin_tests::pyth::PriceUpdate;
use margin_tests::*;

/// 1 bp of Init haircut per bp of divergence, 2 per bp of confidence expansion, at most 15 %.
const RULE: DynamicParams =
    DynamicParams { divergence_multiplier_bps: 10_000, expansion_multiplier_bps: 20_000, max_extra_bps: 1_500 };

/// SOL at `price_e8` with its EMA at `ema_e8`, confidence 0.3 % against an EMA confidence of 0.1 %.
fn moving(market: &mut Market, price_e8: i64, ema_e8: i64) {
    let sol = market.sol;
    let update = PriceUpdate {
        price: price_e8,
        conf: price_e8 as u64 * 3 / 1_000,
        ema_price: ema_e8,
        ema_conf: ema_e8 as u64 / 1_000,
        ..PriceUpdate::new(sol.feed_id, price_e8, 0, market.env.now)
    };
    market.env.set_price_account(&sol.price_account, &update);
}

async fn with_rule(market: &mut Market, rule: DynamicParams) -> Result<(), Failure> {
    let guardian = market.env.guardian.insecure_clone();
    let sol = market.sol.bank;
    let params = BankParams { dynamic: rule, ..market.env.bank_state(&sol).await.params() };
    market.env.tighten_bank(&guardian, &sol, params).await
}

#[tokio::test]
async fn the_guardian_switches_it_on_at_once_but_not_off() {
    let mut market = Market::new().await;
    with_rule(&mut market, RULE).await.unwrap();
    assert_eq!(market.env.bank_state(&market.sol.bank).await.dynamic, RULE);
    for weaker in [
        DynamicParams { max_extra_bps: 1_000, ..RULE },
        DynamicParams { divergence_multiplier_bps: 9_999, ..RULE },
        DynamicParams::default(),
    ] {
        assert_eq!(with_rule(&mut market, weaker).await, Err(code(MarginError::NotRiskReducing)), "{weaker:?}");
    }
    // Beyond the bounds: refused by name even as a tightening.
    let steep = DynamicParams { max_extra_bps: margin_risk::dynamic::MAX_DYNAMIC_EXTRA_BPS + 1, ..RULE };
    assert_eq!(with_rule(&mut market, steep).await, Err(code(MarginError::InvalidOracleConfig)));
}

#[tokio::test]
async fn a_moving_market_shrinks_the_max_borrow_and_never_moves_maint() {
    let mut market = Market::with_sol_collateral().await;
    let (account, usdc) = (market.trader_account, market.usdc.bank);
    // SOL at $135 with its EMA still at $150: 10 % away, the confidence three times its usual width.
    moving(&mut market, 135_00000000, 150_00000000);
    let before = market.env.snapshot(&account, &[usdc]).await;
    let (max_before, maint_before) =
        (before.max_borrow(&account, &usdc).unwrap(), before.health(&account, HealthType::Maint).unwrap());
    with_rule(&mut market, RULE).await.unwrap();
    moving(&mut market, 135_00000000, 150_00000000);
    let after = market.env.snapshot(&account, &[usdc]).await;
    let max_after = after.max_borrow(&account, &usdc).unwrap();
    assert_eq!(after.health(&account, HealthType::Maint).unwrap(), maint_before);
    assert_eq!(
        after.health(&account, HealthType::LiqEnd).unwrap(),
        before.health(&account, HealthType::LiqEnd).unwrap()
    );
    // The extra haircut: 1,000 bps of divergence × 1 + (30 − 10) bps of confidence expansion × 2 = 1,040 bps
    // (below the 1,500 cap), so the SOL collateral counts 10.4 % less in Init and the max borrow (all of it
    // backed by SOL) falls by 10.4 %, to a few units of rounding.
    let expected = max_before / 10_000 * 8_960;
    assert!(max_after.abs_diff(expected) <= max_before / 100_000, "{max_after} vs {expected} (before {max_before})");
    assert_eq!(market.borrow_usdc(max_before).await, Err(code(MarginError::InitHealthNegative)));
    market.borrow_usdc(max_after).await.unwrap();
    // Calm again (spot at its EMA, usual confidence): no extra haircut, the old limit is back.
    market.env.advance(1);
    market.set_prices(150_00000000, 15_000_000);
    let calm = market.env.snapshot(&account, &[usdc]).await;
    let without = {
        let mut copy = calm.clone();
        let bank = copy.banks.get_mut(&market.sol.bank).unwrap();
        bank.dynamic = DynamicParams::default();
        copy.health(&account, HealthType::Init).unwrap()
    };
    assert_eq!(calm.health(&account, HealthType::Init).unwrap(), without);
}
