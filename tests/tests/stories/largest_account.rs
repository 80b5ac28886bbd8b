//! The worst case of DESIGN.md: a 16-position cross account is liquidated in one transaction, a v0
//! transaction with an address lookup table, within 1,232 bytes and 64 account locks.

use margin_risk::health::{compute_health, HealthType};
use margin_tests::*;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn a_sixteen_position_account_is_liquidated_in_one_transaction() {
    let mut market = Market::with_sol_collateral().await;
    let trader = market.trader.insecure_clone();
    let account = market.trader_account;
    // Borrow while the account has two positions: at 16, a borrow's remaining accounts need a lookup table
    // too (a legacy transaction cannot carry them). Deposits need no health accounts.
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    // 14 more banks, one small deposit each: with SOL and the USDC debt, 16 positions.
    for feed in 0..14u8 {
        let bank = market.env.add_bank(6, 100_000_000, 10_000, stable_config(10 + feed)).await.unwrap();
        let wallet = market.env.funded_token_account(&trader.pubkey(), &bank, USDC).await;
        market.env.deposit(&trader, &account, &bank, &wallet, USDC).await.unwrap();
    }
    assert_eq!(market.env.account_state(&account).await.used_positions().count(), 16);
    // A 17th bank does not fit.
    let seventeenth = market.env.add_bank(6, 100_000_000, 10_000, stable_config(30)).await.unwrap();
    let wallet = market.env.funded_token_account(&trader.pubkey(), &seventeenth, USDC).await;
    let refused = market.env.deposit(&trader, &account, &seventeenth, &wallet, USDC).await;
    assert_eq!(refused, Err(code(margin::errors::MarginError::NoFreePosition)));
    market.set_prices(120_00000000, 12_000_000);
    let view = market.env.health_view(&account).await;
    assert!(!compute_health(&view, HealthType::Maint).unwrap().is_nonnegative());

    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    let (usdc, sol) = (market.usdc, market.sol);
    let liquidate =
        market.env.liquidate_instruction(&liquidator.pubkey(), &account, (&usdc, &sol), &pay, &receive, u64::MAX).await;
    let metas = liquidate.accounts.clone();

    // Every non-signer account goes into the table; signers and invoked programs stay in the message.
    let lookup = market.env.lookup_table_for(&liquidate);
    let transaction = market.env.signed(&[liquidate], &[lookup], &[&liquidator]);
    let (size, locks) = size_and_locks(&transaction);
    assert!(size <= 1_232, "{size} bytes");
    assert!(locks <= 64, "{locks} account locks");
    println!("16-position liquidation: {size} bytes, {locks} account locks, {} remaining accounts", metas.len() - 13);

    market.env.send_versioned(transaction).await.unwrap();
    assert!(market.env.balance(&pay).await < 10_000 * USDC);
    assert!(market.env.balance(&receive).await > 0);
    let after = market.env.health_view(&account).await;
    assert!(compute_health(&after, HealthType::LiqEnd).unwrap().is_nonnegative());
    assert_eq!(market.env.account_state(&account).await.being_liquidated, 0);
    market.assert_vaults().await;
}
