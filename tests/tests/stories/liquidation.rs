//! Story: SOL falls, the trader's account goes below maintenance, a liquidator bot steps in; a confidence
//! spike and a stale price; a crash beyond the collateral and the bankruptcy that follows; an isolated account.

use margin::errors::MarginError;
use margin_risk::health::{compute_health, HealthType};
use margin_risk::liquidation::{plan_liquidation, LiquidationRequest};
use margin_tests::*;
use solana_sdk::signature::{Keypair, Signer};

/// The trader's 10 SOL back 1,100 USDC of debt (within Init at $150).
async fn indebted_market() -> Market {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    market
}

/// What the program will do, planned client-side by margin-risk on the same state.
async fn expected_plan(
    market: &mut Market,
    max_repay: u64,
    being_liquidated: bool,
) -> margin_risk::liquidation::LiquidationPlan {
    let view = market.env.health_view(&market.trader_account.clone()).await;
    let request = LiquidationRequest {
        debt_position: 1,
        collateral_position: 0,
        max_repay_tokens: max_repay,
        being_liquidated,
        debt_dust_tokens: 0,
        debt_borrow_index: market.env.bank_state(&market.usdc.bank.clone()).await.borrow_index,
    };
    let sol_bank = market.env.bank_state(&market.sol.bank.clone()).await;
    plan_liquidation(&view, &request, &sol_bank.liquidation_config()).unwrap()
}

#[tokio::test]
async fn a_healthy_account_cannot_be_liquidated() {
    let mut market = indebted_market().await;
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let result = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(result, Err(code(MarginError::NotLiquidatable)));
}

#[tokio::test]
async fn sol_falls_and_a_liquidator_takes_two_steps_to_the_target() {
    let mut market = indebted_market().await;
    market.set_prices(120_00000000, 12_000_000); // $120 ± 0.12
    let view = market.env.health_view(&market.trader_account.clone()).await;
    assert!(!compute_health(&view, HealthType::Maint).unwrap().is_nonnegative(), "below maintenance");
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);

    // Step 1: capped at 100 USDC; the flag is set.
    let first = expected_plan(&mut market, 100 * USDC, false).await;
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 100 * USDC).await.unwrap();
    // The liquidator pays the repay and the 1 % insurance fee on top, in USDC, into the USDC bank's insurance
    // vault: the vault that covers USDC bad debt (issue 21, finding 9).
    assert_eq!(market.env.balance(&pay).await, 10_000 * USDC - 100 * USDC - first.insurance_fee_tokens);
    assert_eq!(market.env.balance(&receive).await, first.seized_to_liquidator);
    assert_eq!(market.env.balance(&usdc.insurance_vault).await, first.insurance_fee_tokens);
    assert_eq!(market.env.balance(&sol.insurance_vault).await, 0);
    assert_eq!(first.insurance_fee_tokens, USDC, "1 % of 100 USDC");
    assert_eq!(market.env.account_state(&account).await.being_liquidated, 1);
    market.assert_vaults().await;

    // Step 2: uncapped; stops at the LiqEnd target and clears the flag.
    let second = expected_plan(&mut market, u64::MAX, true).await;
    assert_eq!(second.limit, margin_risk::liquidation::RepayLimit::Target);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    let fees = first.insurance_fee_tokens + second.insurance_fee_tokens;
    assert_eq!(market.env.balance(&pay).await, 10_000 * USDC - 100 * USDC - second.repay_tokens - fees);
    assert_eq!(market.env.balance(&receive).await, first.seized_to_liquidator + second.seized_to_liquidator);
    assert_eq!(market.env.account_state(&account).await.being_liquidated, 0);
    let view = market.env.health_view(&account).await;
    assert!(compute_health(&view, HealthType::LiqEnd).unwrap().is_nonnegative());
    market.assert_vaults().await;
    // Above the target the account is no longer liquidatable.
    let again = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(again, Err(code(MarginError::NotLiquidatable)));
}

#[tokio::test]
async fn a_confidence_spike_blocks_new_borrows_but_liquidates_nobody() {
    // 1,130 USDC: within the Init limit at 0.1 % confidence (1,140.34), above it at 1 % (1,119.78).
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_130 * USDC).await.unwrap();
    market.set_prices(SOL_PRICE, 10 * SOL_CONF); // same price, conf ×10 (1 %)
    assert_eq!(market.borrow_usdc(USDC).await, Err(code(MarginError::InitHealthNegative)));
    let (liquidator, pay, receive) = market.liquidator(1_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let result = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(result, Err(code(MarginError::NotLiquidatable)));
}

#[tokio::test]
async fn a_stale_price_blocks_liquidation_but_not_repay() {
    let mut market = indebted_market().await;
    market.set_prices(120_00000000, 12_000_000);
    market.env.advance(61);
    let (liquidator, pay, receive) = market.liquidator(1_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let result = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(result, Err(code(MarginError::StalePrice)));
    let (trader, wallet) = (market.trader.insecure_clone(), market.trader_usdc);
    market.env.repay(&trader, &account, &usdc, &wallet, 100 * USDC, false).await.unwrap();
}

#[tokio::test]
async fn an_owner_cannot_liquidate_its_own_account() {
    let mut market = indebted_market().await;
    market.set_prices(120_00000000, 12_000_000);
    let trader = market.trader.insecure_clone();
    let (usdc, sol) = (market.usdc, market.sol);
    let pay = market.env.funded_token_account(&trader.pubkey(), &usdc, 1_000 * USDC).await;
    let receive = market.env.funded_token_account(&trader.pubkey(), &sol, 0).await;
    let account = market.trader_account;
    let result = market.env.liquidate(&trader, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(result, Err(code(MarginError::SelfLiquidation)));
}

#[tokio::test]
async fn liquidation_refuses_zero_the_same_bank_twice_and_a_missing_liquidator_signature() {
    let mut market = indebted_market().await;
    market.set_prices(120_00000000, 12_000_000);
    let (liquidator, pay, receive) = market.liquidator(1_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    assert_eq!(
        market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 0).await,
        Err(code(MarginError::ZeroAmount))
    );
    let same = market.env.liquidate(&liquidator, &account, &usdc, &usdc, &pay, &pay, 1).await;
    // Anchor refuses the same mutable account twice before the program's own pair check.
    assert_eq!(same, Err(Failure::Custom(2040)), "ConstraintDuplicateMutableAccount");
    let mut unsigned =
        market.env.liquidate_instruction(&liquidator.pubkey(), &account, (&usdc, &sol), &pay, &receive, 1).await;
    unsigned.accounts[0].is_signer = false;
    let unsigned = market.env.send(&[unsigned], &[]).await;
    assert_eq!(unsigned, Err(Failure::Custom(3010)), "Anchor's AccountNotSigner");
}

#[tokio::test]
async fn a_crash_beyond_the_collateral_ends_in_bankruptcy_covered_by_insurance_then_depositors() {
    let mut market = indebted_market().await;
    market.set_prices(30_00000000, 3_000_000); // $30: 10 SOL are worth $300 against $1,100 of debt
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let plan = expected_plan(&mut market, u64::MAX, false).await;
    assert_eq!(plan.limit, margin_risk::liquidation::RepayLimit::Collateral);
    // 100 USDC in the USDC bank's insurance vault before the crash is liquidated.
    let usdc_insurance = usdc.insurance_vault;
    market.env.mint_to(&usdc.mint, &usdc_insurance, 100 * USDC).await;
    let owed = market.env.health_view(&account).await[1].borrow_tokens - plan.debt_cleared_tokens;
    let lender_before = market.env.health_view(&market.lender_account.clone()).await[0].deposit_tokens;
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    assert_eq!(market.env.balance(&receive).await, 10 * SOL);
    // The liquidation took the last collateral: it wrote the rest of the debt off at once (issue 21,
    // finding 3), insurance first (the 100 USDC and the fee just paid), the rest socialised.
    let resolved = market.env.events::<margin::events::BankruptcyResolved>();
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0].debt_written_off, owed);
    assert_eq!(resolved[0].from_insurance, 100 * USDC + plan.insurance_fee_tokens);
    assert_eq!(market.env.balance(&usdc_insurance).await, 0);
    let lender_after = market.env.health_view(&market.lender_account.clone()).await[0].deposit_tokens;
    let socialized = owed - 100 * USDC - plan.insurance_fee_tokens;
    assert_eq!(resolved[0].socialized, socialized);
    assert!(lender_before - lender_after >= socialized, "depositors bear at least the socialised loss");
    assert!(lender_before - lender_after <= socialized + 1);
    assert!(market.env.account_state(&account).await.is_empty());
    market.assert_vaults().await;
    assert_eq!(market.env.resolve_bankruptcy(&account, &usdc).await, Err(code(MarginError::NotBankrupt)));
}

#[tokio::test]
async fn resolve_bankruptcy_refuses_an_account_with_collateral() {
    let mut market = indebted_market().await;
    let (account, usdc) = (market.trader_account, market.usdc);
    assert_eq!(market.env.resolve_bankruptcy(&account, &usdc).await, Err(code(MarginError::NotBankrupt)));
}

/// An isolated account of the same owner is liquidated alone; the cross account is untouched.
#[tokio::test]
async fn an_isolated_account_is_liquidated_alone() {
    let mut market = indebted_market().await;
    let trader = market.trader.insecure_clone();
    let isolated = market.env.open_account(&trader, 1, 1).await.unwrap();
    let (sol, usdc) = (market.sol, market.usdc);
    let wallet = market.env.funded_token_account(&trader.pubkey(), &sol, 2 * SOL).await;
    market.env.deposit(&trader, &isolated, &sol, &wallet, 2 * SOL).await.unwrap();
    let usdc_wallet = market.trader_usdc;
    market.env.borrow(&trader, &isolated, &usdc, &usdc_wallet, 220 * USDC).await.unwrap();
    // A second collateral bank does not fit an isolated account.
    let third = market.env.add_bank(6, 100_000_000, 10_000, stable_config(3)).await.unwrap();
    let third_wallet = market.env.funded_token_account(&trader.pubkey(), &third, USDC).await;
    assert_eq!(
        market.env.deposit(&trader, &isolated, &third, &third_wallet, USDC).await,
        Err(code(MarginError::IsolatedAccountFull))
    );

    market.set_prices(120_00000000, 12_000_000);
    let cross_before = market.env.account_state(&market.trader_account.clone()).await;
    let (liquidator, pay, receive) = market.liquidator(1_000 * USDC).await;
    market.env.liquidate(&liquidator, &isolated, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    assert_eq!(market.env.health_accounts(&isolated).await.len(), 4, "only its two banks and two prices");
    assert_eq!(market.env.account_state(&market.trader_account.clone()).await.positions, cross_before.positions);
    market.assert_vaults().await;
}

#[tokio::test]
async fn an_isolated_only_bank_refuses_cross_accounts() {
    let mut market = Market::new().await;
    let config = margin::state::BankConfig { isolated_only: true, ..volatile_config(7) };
    let risky = market.env.add_bank(6, 1_00000000, 100_000, config).await.unwrap();
    let trader: Keypair = market.trader.insecure_clone();
    let wallet = market.env.funded_token_account(&trader.pubkey(), &risky, 100 * USDC).await;
    let cross = market.trader_account;
    assert_eq!(
        market.env.deposit(&trader, &cross, &risky, &wallet, 100 * USDC).await,
        Err(code(MarginError::IsolatedOnlyBank))
    );
    let isolated = market.env.open_account(&trader, 1, 1).await.unwrap();
    market.env.deposit(&trader, &isolated, &risky, &wallet, 100 * USDC).await.unwrap();
}

/// A debt left below the debt bank's dust threshold is closed in full by the liquidation.
#[tokio::test]
async fn dust_left_below_the_threshold_is_closed_in_full() {
    let mut env = Env::new().await;
    let sol = env.add_bank(9, SOL_PRICE, SOL_CONF, volatile_config(1)).await.unwrap();
    let dusty = with_params(stable_config(2), |params| params.limits.dust_threshold = 5_000 * USDC);
    let usdc = env.add_bank(6, USDC_PRICE, USDC_CONF, dusty).await.unwrap();
    let lender = env.funded_keypair().await;
    let lender_account = env.open_account(&lender, 0, 0).await.unwrap();
    let lender_wallet = env.funded_token_account(&lender.pubkey(), &usdc, 100_000 * USDC).await;
    env.deposit(&lender, &lender_account, &usdc, &lender_wallet, 100_000 * USDC).await.unwrap();
    let trader = env.funded_keypair().await;
    let account = env.open_account(&trader, 0, 0).await.unwrap();
    let sol_wallet = env.funded_token_account(&trader.pubkey(), &sol, 10 * SOL).await;
    env.deposit(&trader, &account, &sol, &sol_wallet, 10 * SOL).await.unwrap();
    let usdc_wallet = env.funded_token_account(&trader.pubkey(), &usdc, 0).await;
    env.borrow(&trader, &account, &usdc, &usdc_wallet, 1_100 * USDC).await.unwrap();
    env.set_price(&sol, 120_00000000, 12_000_000);
    env.set_price(&usdc, USDC_PRICE, USDC_CONF);
    let liquidator = env.funded_keypair().await;
    let pay = env.funded_token_account(&liquidator.pubkey(), &usdc, 10_000 * USDC).await;
    let receive = env.funded_token_account(&liquidator.pubkey(), &sol, 0).await;
    env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    // The whole 1,100 USDC debt was repaid, not just the part that reaches the target (and the 1 % fee on it).
    assert_eq!(env.balance(&pay).await, 10_000 * USDC - 1_100 * USDC - 11 * USDC);
    let state = env.account_state(&account).await;
    assert!(state.used_positions().all(|position| position.borrow_shares == 0));
    assert_eq!(state.being_liquidated, 0);
    env.assert_vault_covers(&usdc).await;
    env.assert_vault_covers(&sol).await;
}
