//! Story: a lender supplies USDC; a trader deposits SOL, borrows USDC up to its limit and repays; interest
//! accrues. Each instruction's success path and the attacks that apply to it.

use margin::errors::MarginError;
use margin_risk::health::{compute_health, max_borrow, HealthType};
use margin_risk::interest::{accrue, borrow_tokens_of, INDEX_SCALE};
use margin_tests::*;
use solana_sdk::instruction::AccountMeta;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn deposit_moves_tokens_and_mints_shares_exactly() {
    let mut market = Market::with_sol_collateral().await;
    assert_eq!(market.env.balance(&market.trader_sol.clone()).await, 0);
    assert_eq!(market.env.balance(&market.sol.vault.clone()).await, 10 * SOL);
    let state = market.env.account_state(&market.trader_account.clone()).await;
    let position = state.positions[0];
    assert_eq!((position.bank, position.deposit_shares, position.borrow_shares), (market.sol.bank, 10 * SOL, 0));
    assert_eq!(market.env.bank_state(&market.sol.bank.clone()).await.deposit_shares, 10 * SOL);
    market.assert_vaults().await;
}

#[tokio::test]
async fn deposit_refuses_zero_a_foreign_vault_and_a_stranger() {
    let mut market = Market::new().await;
    let (trader, account, sol, from) =
        (market.trader.insecure_clone(), market.trader_account, market.sol, market.trader_sol);
    assert_eq!(market.env.deposit(&trader, &account, &sol, &from, 0).await, Err(code(MarginError::ZeroAmount)));
    let wrong_vault = BankKeys { vault: market.usdc.vault, ..sol };
    let result = market.env.deposit(&trader, &account, &wrong_vault, &from, SOL).await;
    assert_eq!(result, Err(code(MarginError::WrongVault)));
    let stranger = market.env.funded_keypair().await;
    assert_eq!(market.env.deposit(&stranger, &account, &sol, &from, SOL).await, Err(code(MarginError::NotOwner)));
}

#[tokio::test]
async fn deposit_respects_the_cap() {
    let mut env = Env::new().await;
    let config = with_params(volatile_config(1), |params| params.limits.deposit_cap = 5 * SOL);
    let sol = env.add_bank(9, SOL_PRICE, SOL_CONF, config).await.unwrap();
    let trader = env.funded_keypair().await;
    let account = env.open_account(&trader, 0, 0).await.unwrap();
    let wallet = env.funded_token_account(&trader.pubkey(), &sol, 10 * SOL).await;
    env.deposit(&trader, &account, &sol, &wallet, 5 * SOL).await.unwrap();
    assert_eq!(env.deposit(&trader, &account, &sol, &wallet, 1).await, Err(code(MarginError::DepositCapExceeded)));
}

#[tokio::test]
async fn borrow_up_to_the_limit_and_not_one_unit_more() {
    let mut market = Market::with_sol_collateral().await;
    let account = market.trader_account;
    // The limit as a client computes it with margin-risk, with the USDC position the borrow will open.
    let mut view = market.env.health_view(&account).await;
    let usdc_bank = market.env.bank_state(&market.usdc.bank.clone()).await;
    view.push(margin_risk::health::HealthPosition {
        deposit_tokens: 0,
        borrow_tokens: 0,
        weights: usdc_bank.weights(),
        price: margin_risk::price::validate_price(
            &margin_risk::price::PythPrice {
                price: USDC_PRICE,
                conf: USDC_CONF,
                exponent: -8,
                publish_time: START,
                ema_price: USDC_PRICE,
                ema_conf: USDC_CONF,
            },
            &usdc_bank.oracle_config(),
            6,
            START,
        ),
    });
    let limit = max_borrow(&view, 1).unwrap();
    // 10 SOL × (150 − 2 × 0.15) × 0.8 = $1,197.60 of Init collateral; USDC counts 1.0002 × 1.05 = $1.05021
    // per unit: 1,140.343359 USDC, rounded down.
    assert_eq!(limit, 1_140_343_359);
    assert_eq!(market.borrow_usdc(limit + 1).await, Err(code(MarginError::InitHealthNegative)));
    market.borrow_usdc(limit).await.unwrap();
    assert_eq!(market.env.balance(&market.trader_usdc.clone()).await, limit);
    let init = compute_health(&market.env.health_view(&account).await, HealthType::Init).unwrap();
    assert!(init.is_nonnegative());
    assert_eq!(market.borrow_usdc(1).await, Err(code(MarginError::InitHealthNegative)));
    market.assert_vaults().await;
}

#[tokio::test]
async fn borrow_without_collateral_or_in_a_deposit_bank_is_refused() {
    let mut market = Market::new().await;
    assert_eq!(market.borrow_usdc(1).await, Err(code(MarginError::InitHealthNegative)));
    // The lender holds USDC deposits: it may not also owe USDC in the same position.
    let (lender, account, usdc) = (market.lender.insecure_clone(), market.lender_account, market.usdc);
    let wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 0).await;
    assert_eq!(
        market.env.borrow(&lender, &account, &usdc, &wallet, 1).await,
        Err(code(MarginError::DepositAndDebtInOneBank))
    );
}

#[tokio::test]
async fn borrow_respects_max_utilization() {
    let mut market = Market::new().await;
    // A whale trader with 10,000 SOL ($1.5M) could borrow far more than 90 % of the 100,000 USDC supplied.
    let whale = market.env.funded_keypair().await;
    let account = market.env.open_account(&whale, 0, 0).await.unwrap();
    let sol = market.sol;
    let wallet = market.env.funded_token_account(&whale.pubkey(), &sol, 10_000 * SOL).await;
    market.env.deposit(&whale, &account, &sol, &wallet, 10_000 * SOL).await.unwrap();
    let usdc = market.usdc;
    let to = market.env.funded_token_account(&whale.pubkey(), &usdc, 0).await;
    assert_eq!(
        market.env.borrow(&whale, &account, &usdc, &to, 90_000 * USDC + 1).await,
        Err(code(MarginError::UtilizationTooHigh))
    );
    market.env.borrow(&whale, &account, &usdc, &to, 90_000 * USDC).await.unwrap();
    market.assert_vaults().await;
}

#[tokio::test]
async fn a_stale_sol_price_blocks_borrow_but_not_deposit_or_repay() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(500 * USDC).await.unwrap();
    market.env.advance(61);
    assert_eq!(market.borrow_usdc(USDC).await, Err(code(MarginError::StalePrice)));
    let (trader, account, usdc, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.usdc, market.trader_usdc);
    market.env.repay(&trader, &account, &usdc, &wallet, 100 * USDC, false).await.unwrap();
    let sol = market.sol;
    let more_sol = market.env.funded_token_account(&trader.pubkey(), &sol, SOL).await;
    market.env.deposit(&trader, &account, &sol, &more_sol, SOL).await.unwrap();
    market.set_prices(SOL_PRICE, SOL_CONF);
    market.borrow_usdc(USDC).await.unwrap();
}

#[tokio::test]
async fn withdraw_without_debt_needs_no_oracle_and_not_more_than_the_deposit() {
    let mut market = Market::with_sol_collateral().await;
    market.env.advance(3_600); // every price is an hour stale
    let (trader, account, sol, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.sol, market.trader_sol);
    assert_eq!(
        market.env.withdraw(&trader, &account, &sol, &wallet, 10 * SOL + 1).await,
        Err(code(MarginError::InsufficientDeposit))
    );
    market.env.withdraw(&trader, &account, &sol, &wallet, 4 * SOL).await.unwrap();
    assert_eq!(market.env.balance(&wallet).await, 4 * SOL);
    assert_eq!(market.env.account_state(&account).await.positions[0].deposit_shares, 6 * SOL);
    market.assert_vaults().await;
}

#[tokio::test]
async fn withdraw_with_debt_keeps_init_health() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_000 * USDC).await.unwrap();
    let (trader, account, sol, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.sol, market.trader_sol);
    assert_eq!(
        market.env.withdraw(&trader, &account, &sol, &wallet, 5 * SOL).await,
        Err(code(MarginError::InitHealthNegative))
    );
    market.env.withdraw(&trader, &account, &sol, &wallet, SOL / 10).await.unwrap();
    market.assert_vaults().await;
}

#[tokio::test]
async fn repay_part_then_all_and_never_more_than_owed() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_000 * USDC).await.unwrap();
    let (trader, account, usdc, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.usdc, market.trader_usdc);
    assert_eq!(
        market.env.repay(&trader, &account, &usdc, &wallet, 1_000 * USDC + 1, false).await,
        Err(code(MarginError::RepayExceedsDebt))
    );
    market.env.repay(&trader, &account, &usdc, &wallet, 400 * USDC, false).await.unwrap();
    assert_eq!(market.env.account_state(&account).await.positions[1].borrow_shares, 600 * USDC);
    market.env.repay(&trader, &account, &usdc, &wallet, 0, true).await.unwrap();
    let state = market.env.account_state(&account).await;
    assert!(state.positions[1].is_free(), "the repaid position is released");
    assert_eq!(market.env.balance(&wallet).await, 0);
    assert_eq!(market.env.repay(&trader, &account, &usdc, &wallet, 1, false).await, Err(code(MarginError::NoPosition)));
    market.assert_vaults().await;
}

#[tokio::test]
async fn thirty_days_of_interest_match_the_curve_to_the_unit() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_000 * USDC).await.unwrap();
    let before = market.env.bank_state(&market.usdc.bank.clone()).await;
    market.env.advance(30 * 86_400);
    let usdc = market.usdc;
    market.env.accrue_interest(&usdc).await.unwrap();
    let after = market.env.bank_state(&usdc.bank).await;
    let mut expected = before.totals();
    let accrual = accrue(&mut expected, &before.interest_curve(), before.risk.protocol_fee_bps, 30 * 86_400).unwrap();
    assert_eq!(after.totals(), expected);
    assert_eq!(after.pending_insurance_fees, accrual.protocol_fee_tokens);
    // 1 % utilization (1,000 of 100,000): 0.08 % APR, over 30 days ≈ 0.0066 % of the debt.
    assert_eq!(accrual.borrow_rate_bps, 8);
    assert!(after.borrow_index > INDEX_SCALE);
    let owed = borrow_tokens_of(
        market.env.account_state(&market.trader_account.clone()).await.positions[1].borrow_shares,
        after.borrow_index,
    )
    .unwrap();
    assert_eq!(owed, 1_000_065_754);
    market.assert_vaults().await;
}

/// Remaining accounts short, padded, reordered, or with a price account that is not the bank's.
#[tokio::test]
async fn borrow_refuses_malformed_remaining_accounts() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(100 * USDC).await.unwrap();
    let (trader, account, usdc, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.usdc, market.trader_usdc);
    let health = market.env.health_accounts(&account).await;
    let (addresses, owner, group) = (usdc.addresses(), trader.pubkey(), market.env.group);
    let borrow = |remaining| {
        let accounts = margin_sdk::instructions::TokenActionAccounts {
            owner: &owner,
            account: &account,
            group: &group,
            bank: &addresses,
            user_token_account: &wallet,
        };
        margin_sdk::instructions::borrow(&accounts, USDC, remaining)
    };
    let short = health[..2].to_vec();
    let padded = [health.clone(), health[..2].to_vec()].concat();
    let reordered = [health[2..].to_vec(), health[..2].to_vec()].concat();
    let wrong_price = vec![health[0].clone(), health[3].clone(), health[2].clone(), health[3].clone()];
    let cases: [(Vec<AccountMeta>, MarginError); 4] = [
        (short, MarginError::BadRemainingAccounts),
        (padded, MarginError::BadRemainingAccounts),
        (reordered, MarginError::BadRemainingAccounts),
        (wrong_price, MarginError::WrongPriceAccount),
    ];
    for (remaining, error) in cases {
        let ix = borrow(remaining);
        let result = market.env.send(&[ix], &[&trader]).await;
        assert_eq!(result, Err(code(error)));
    }
}

#[tokio::test]
async fn borrow_respects_the_borrow_cap() {
    let mut env = Env::new().await;
    let sol = env.add_bank(9, SOL_PRICE, SOL_CONF, volatile_config(1)).await.unwrap();
    let capped = with_params(stable_config(2), |params| params.limits.borrow_cap = 50 * USDC);
    let usdc = env.add_bank(6, USDC_PRICE, USDC_CONF, capped).await.unwrap();
    let lender = env.funded_keypair().await;
    let lender_account = env.open_account(&lender, 0, 0).await.unwrap();
    let lender_wallet = env.funded_token_account(&lender.pubkey(), &usdc, 1_000 * USDC).await;
    env.deposit(&lender, &lender_account, &usdc, &lender_wallet, 1_000 * USDC).await.unwrap();
    let trader = env.funded_keypair().await;
    let account = env.open_account(&trader, 0, 0).await.unwrap();
    let sol_wallet = env.funded_token_account(&trader.pubkey(), &sol, 10 * SOL).await;
    env.deposit(&trader, &account, &sol, &sol_wallet, 10 * SOL).await.unwrap();
    let usdc_wallet = env.funded_token_account(&trader.pubkey(), &usdc, 0).await;
    assert_eq!(
        env.borrow(&trader, &account, &usdc, &usdc_wallet, 50 * USDC + 1).await,
        Err(code(MarginError::BorrowCapExceeded))
    );
    env.borrow(&trader, &account, &usdc, &usdc_wallet, 50 * USDC).await.unwrap();
    assert_eq!(env.balance(&usdc_wallet).await, 50 * USDC);
}

#[tokio::test]
async fn withdraw_with_debt_needs_a_fresh_debt_oracle() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(100 * USDC).await.unwrap();
    market.env.advance(61);
    let (trader, account, sol, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.sol, market.trader_sol);
    assert_eq!(market.env.withdraw(&trader, &account, &sol, &wallet, SOL).await, Err(code(MarginError::StalePrice)));
    market.set_prices(SOL_PRICE, SOL_CONF);
    market.env.withdraw(&trader, &account, &sol, &wallet, SOL).await.unwrap();
}

#[tokio::test]
async fn deposit_into_a_bank_the_account_owes_is_refused() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(100 * USDC).await.unwrap();
    let (trader, account, usdc, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.usdc, market.trader_usdc);
    assert_eq!(
        market.env.deposit(&trader, &account, &usdc, &wallet, 10 * USDC).await,
        Err(code(MarginError::DepositAndDebtInOneBank))
    );
}

#[tokio::test]
async fn an_isolated_account_takes_one_debt_bank() {
    let mut market = Market::new().await;
    let trader = market.trader.insecure_clone();
    let isolated = market.env.open_account(&trader, 1, 1).await.unwrap();
    let (sol, usdc) = (market.sol, market.usdc);
    let sol_wallet = market.trader_sol;
    market.env.deposit(&trader, &isolated, &sol, &sol_wallet, 10 * SOL).await.unwrap();
    let usdc_wallet = market.trader_usdc;
    market.env.borrow(&trader, &isolated, &usdc, &usdc_wallet, 100 * USDC).await.unwrap();
    let third = market.env.add_bank(6, USDC_PRICE, USDC_CONF, stable_config(3)).await.unwrap();
    let third_wallet = market.env.funded_token_account(&trader.pubkey(), &third, 0).await;
    assert_eq!(
        market.env.borrow(&trader, &isolated, &third, &third_wallet, USDC).await,
        Err(code(MarginError::IsolatedAccountFull))
    );
}

#[tokio::test]
async fn a_deposit_too_small_for_one_share_is_refused() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_000 * USDC).await.unwrap(); // any interest lifts the USDC deposit index above 1.0
    market.env.advance(365 * 86_400);
    let usdc = market.usdc;
    market.env.accrue_interest(&usdc).await.unwrap();
    assert!(market.env.bank_state(&usdc.bank).await.deposit_index > margin_risk::interest::INDEX_SCALE);
    let (lender, account) = (market.lender.insecure_clone(), market.lender_account);
    let wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 10).await;
    // One native unit buys less than one share: refused rather than taken for nothing.
    assert_eq!(
        market.env.deposit(&lender, &account, &usdc, &wallet, 1).await,
        Err(code(MarginError::DepositBelowOneShare))
    );
    market.env.deposit(&lender, &account, &usdc, &wallet, 10).await.unwrap();
}

#[tokio::test]
async fn withdrawing_everything_releases_the_position() {
    let mut market = Market::with_sol_collateral().await;
    let (trader, account, sol, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.sol, market.trader_sol);
    market.env.withdraw(&trader, &account, &sol, &wallet, 10 * SOL).await.unwrap();
    assert_eq!(market.env.account_state(&account).await.used_positions().count(), 0);
    assert_eq!(market.env.withdraw(&trader, &account, &sol, &wallet, 1).await, Err(code(MarginError::NoPosition)));
    assert_eq!(market.env.balance(&wallet).await, 10 * SOL);
}

#[tokio::test]
async fn lenders_earn_the_borrow_interest_less_the_protocol_fee() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_000 * USDC).await.unwrap();
    market.env.advance(365 * 86_400);
    let usdc = market.usdc;
    market.env.accrue_interest(&usdc).await.unwrap();
    let bank = market.env.bank_state(&usdc.bank).await;
    let owed = borrow_tokens_of(1_000 * USDC, bank.borrow_index).unwrap();
    let interest = owed - 1_000 * USDC;
    let lender_tokens = market.env.health_view(&market.lender_account.clone()).await[0].deposit_tokens;
    // 1 % utilization → 0.08 % APR on 1,000 USDC ≈ 0.8 USDC a year, 10 % of it to insurance.
    assert_eq!(interest, 800_000);
    assert_eq!(bank.pending_insurance_fees, 80_000);
    assert!(lender_tokens - 100_000 * USDC <= interest - bank.pending_insurance_fees);
    assert!(lender_tokens - 100_000 * USDC >= interest - bank.pending_insurance_fees - 2);
    market.assert_vaults().await;
}

#[tokio::test]
async fn accrual_without_borrowers_changes_nothing() {
    let mut market = Market::new().await;
    let usdc = market.usdc;
    let before = market.env.bank_state(&usdc.bank).await;
    market.env.advance(86_400);
    market.env.accrue_interest(&usdc).await.unwrap();
    let after = market.env.bank_state(&usdc.bank).await;
    assert_eq!(after.totals(), before.totals());
    assert_eq!(after.pending_insurance_fees, 0);
    assert_eq!(after.last_accrual, START + 86_400);
}

#[tokio::test]
async fn an_isolated_account_borrows_an_isolated_only_asset_and_closes_after_repaying() {
    let mut market = Market::new().await;
    let risky_config = margin::state::BankConfig { isolated_only: true, ..volatile_config(7) };
    let risky = market.env.add_bank(6, 2_00000000, 200_000, risky_config).await.unwrap();
    let supplier = market.env.funded_keypair().await;
    let supplier_account = market.env.open_account(&supplier, 1, 1).await.unwrap();
    let supply = market.env.funded_token_account(&supplier.pubkey(), &risky, 10_000 * USDC).await;
    market.env.deposit(&supplier, &supplier_account, &risky, &supply, 10_000 * USDC).await.unwrap();
    let trader = market.trader.insecure_clone();
    let isolated = market.env.open_account(&trader, 1, 1).await.unwrap();
    let (sol, sol_wallet) = (market.sol, market.trader_sol);
    market.env.deposit(&trader, &isolated, &sol, &sol_wallet, 10 * SOL).await.unwrap();
    let risky_wallet = market.env.funded_token_account(&trader.pubkey(), &risky, 0).await;
    market.env.borrow(&trader, &isolated, &risky, &risky_wallet, 100 * USDC).await.unwrap();
    assert_eq!(market.env.balance(&risky_wallet).await, 100 * USDC);
    market.env.repay(&trader, &isolated, &risky, &risky_wallet, 0, true).await.unwrap();
    market.env.withdraw(&trader, &isolated, &sol, &sol_wallet, 10 * SOL).await.unwrap();
    market.env.close_account(&trader, &isolated).await.unwrap();
    assert!(market.env.account(&isolated).await.is_none());
    market.env.assert_vault_covers(&risky).await;
}
