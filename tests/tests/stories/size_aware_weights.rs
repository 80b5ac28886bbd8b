//! Size-aware Init weights (issue 26) in the program: the guardian sets SOL's liquidation depth and excess
//! haircut at once (both tighten Init only); beyond the depth the trader's SOL earns half its Init credit, so
//! its max borrow falls to what the SDK predicts, borrowing it passes and one unit more is refused by name; its
//! Maint health does not move (nobody becomes liquidatable), and an account within the depth is untouched.

use margin::errors::MarginError;
use margin::state::{BankParams, SizeParams};
use margin_risk::health::HealthType;
use margin_tests::*;

/// SOL's depth $1,000 (the trader's 10 SOL at $150 is $1,500), half the Init credit beyond it.
const RULE: SizeParams = SizeParams { depth_quote: 1_000 * USDC, excess_haircut_bps: 5_000, padding: 0 };

async fn with_rule(market: &mut Market, rule: SizeParams) -> Result<(), Failure> {
    let guardian = market.env.guardian.insecure_clone();
    let sol = market.sol.bank;
    let params = BankParams { size: rule, ..market.env.bank_state(&sol).await.params() };
    market.env.tighten_bank(&guardian, &sol, params).await
}

#[tokio::test]
async fn the_guardian_sets_the_rule_at_once_but_cannot_loosen_it() {
    let mut market = Market::new().await;
    with_rule(&mut market, RULE).await.unwrap();
    assert_eq!(market.env.bank_state(&market.sol.bank).await.size, RULE);
    for looser in [
        SizeParams { excess_haircut_bps: 4_000, ..RULE },
        SizeParams { depth_quote: 2_000 * USDC, ..RULE },
        SizeParams { depth_quote: u64::MAX, excess_haircut_bps: 0, padding: 0 },
    ] {
        assert_eq!(with_rule(&mut market, looser).await, Err(code(MarginError::NotRiskReducing)), "{looser:?}");
    }
    let beyond = SizeParams { excess_haircut_bps: 10_001, ..RULE };
    assert_eq!(with_rule(&mut market, beyond).await, Err(code(MarginError::InvalidRiskWeights)));
}

#[tokio::test]
async fn a_position_beyond_the_depth_borrows_less_and_maint_does_not_move() {
    let mut market = Market::with_sol_collateral().await;
    let (account, usdc) = (market.trader_account, market.usdc.bank);
    let before = market.env.snapshot(&account, &[usdc]).await;
    let max_before = before.max_borrow(&account, &usdc).unwrap();
    with_rule(&mut market, RULE).await.unwrap();
    let after = market.env.snapshot(&account, &[usdc]).await;
    let max_after = after.max_borrow(&account, &usdc).unwrap();
    for health_type in [HealthType::Maint, HealthType::LiqEnd] {
        assert_eq!(after.health(&account, health_type).unwrap(), before.health(&account, health_type).unwrap());
    }
    // Init credit: of the SOL's $1,497 at its Init price ($150 less twice the $0.15 confidence, × 10), $1,000
    // keeps weight 0.8 and $497 earns 0.4: $998.80 instead of $1,197.60, so the max borrow (all of it backed by
    // SOL) falls in that ratio, to the rounding.
    let expected = max_before / 11_976 * 9_988;
    assert!(max_after.abs_diff(expected) <= max_before / 100_000, "{max_after} vs {expected} (before {max_before})");
    assert_eq!(market.borrow_usdc(max_after + 1).await, Err(code(MarginError::InitHealthNegative)));
    market.borrow_usdc(max_after).await.unwrap();
    assert!(!market.env.snapshot(&account, &[]).await.is_liquidatable(&account).unwrap());
    market.assert_vaults().await;
}

#[tokio::test]
async fn an_account_within_the_depth_is_untouched() {
    let mut market = Market::new().await;
    let (trader, account, sol, from) =
        (market.trader.insecure_clone(), market.trader_account, market.sol, market.trader_sol);
    market.env.deposit(&trader, &account, &sol, &from, 5 * SOL).await.unwrap(); // $750, within $1,000
    let usdc = market.usdc.bank;
    let before = market.env.snapshot(&account, &[usdc]).await.max_borrow(&account, &usdc).unwrap();
    with_rule(&mut market, RULE).await.unwrap();
    let after = market.env.snapshot(&account, &[usdc]).await.max_borrow(&account, &usdc).unwrap();
    assert_eq!(after, before);
    market.borrow_usdc(after).await.unwrap();
}
