//! Incident replays on the program (issue 13): a whale account with 16 positions (15 volatile collaterals
//! and a USDC debt near its limit) crashing at once. A liquidator using the SDK's snapshot and planner takes it
//! back to health in a bounded number of transactions, each a v0 transaction with a lookup table within
//! 1,232 bytes and 64 account locks.
use margin_sdk::margin_risk::health::{position_health, HealthType};
use margin_tests::*;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn a_sixteen_position_whale_crashing_at_once_is_liquidated_to_health_in_bounded_transactions() {
    let mut market = Market::new().await;
    let usdc = market.usdc;
    // A million USDC more to borrow from.
    let (lender, lender_account) = (market.lender.insecure_clone(), market.lender_account);
    let wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 1_000_000 * USDC).await;
    market.env.deposit(&lender, &lender_account, &usdc, &wallet, 1_000_000 * USDC).await.unwrap();

    // The whale: $10,000 in each of 15 SOL-like banks (9 decimals, $150), then USDC borrowed to 97 % of its max.
    let whale = market.env.funded_keypair().await;
    let account = market.env.open_account(&whale, 0, 0).await.unwrap();
    let mut collaterals = Vec::new();
    for feed in 0..15u8 {
        let bank = market.env.add_bank(9, SOL_PRICE, SOL_CONF, volatile_config(40 + feed)).await.unwrap();
        let amount = 10_000 * SOL / 150;
        let from = market.env.funded_token_account(&whale.pubkey(), &bank, amount).await;
        market.env.deposit(&whale, &account, &bank, &from, amount).await.unwrap();
        collaterals.push(bank);
    }
    let most = market.env.snapshot(&account, &[usdc.bank]).await.max_borrow(&account, &usdc.bank).unwrap();
    let to = market.env.funded_token_account(&whale.pubkey(), &usdc, 0).await;
    // At 16 positions a borrow's remaining accounts need a lookup table too; build and send it as v0.
    let borrow_accounts = market.env.health_accounts_after(&account, &usdc).await;
    let addresses = usdc.addresses();
    let owner = whale.pubkey();
    let group = market.env.group;
    let accounts = margin_sdk::instructions::TokenActionAccounts {
        owner: &owner,
        account: &account,
        group: &group,
        bank: &addresses,
        user_token_account: &to,
    };
    let borrow = margin_sdk::instructions::borrow(&accounts, most * 97 / 100, borrow_accounts);
    let lookup = market.env.lookup_table_for(&borrow);
    market.env.send_with_tables(&[borrow], &[lookup], &[&whale]).await.unwrap();
    assert_eq!(market.env.account_state(&account).await.used_positions().count(), 16);

    // Everything falls 17 % at once, with a wider confidence: below maintenance, and far below the LiqEnd target
    // (Init weights at Maint prices), which liquidations must restore.
    for bank in &collaterals {
        market.env.set_price(bank, SOL_PRICE * 83 / 100, SOL_CONF * 3);
    }
    market.env.set_price(&usdc, USDC_PRICE, USDC_CONF);
    assert_eq!(market.env.snapshot(&account, &[]).await.is_liquidatable(&account), Ok(true));

    // The liquidator: its largest collateral each time, until the account is healthy again.
    let liquidator = market.env.funded_keypair().await;
    let pay = market.env.funded_token_account(&liquidator.pubkey(), &usdc, 1_000_000 * USDC).await;
    let mut transactions = 0;
    while market.env.snapshot(&account, &[]).await.is_liquidatable(&account) == Ok(true) {
        assert!(transactions < 16, "bounded: at most one transaction per collateral position");
        let snapshot = market.env.snapshot(&account, &[]).await;
        let positions = snapshot.health_positions(&account).unwrap();
        let banks: Vec<_> = snapshot.account(&account).unwrap().used_positions().map(|p| p.bank).collect();
        let value = |index: usize| position_health(&positions[index], HealthType::Maint).unwrap().assets;
        let largest = (0..positions.len()).max_by_key(|&index| value(index)).unwrap();
        let collateral =
            *collaterals.iter().find(|bank| bank.bank == banks[largest]).expect("collateral left to seize");
        let receive = market.env.funded_token_account(&liquidator.pubkey(), &collateral, 0).await;
        let liquidate = market
            .env
            .liquidate_instruction(&liquidator.pubkey(), &account, (&usdc, &collateral), &pay, &receive, u64::MAX)
            .await;
        let lookup = market.env.lookup_table_for(&liquidate);
        let transaction = market.env.signed(&[liquidate], &[lookup], &[&liquidator]);
        let (size, locks) = size_and_locks(&transaction);
        assert!(size <= 1_232 && locks <= 64, "transaction {transactions}: {size} bytes, {locks} locks");
        market.env.send_versioned(transaction).await.unwrap();
        transactions += 1;
    }
    let after = market.env.snapshot(&account, &[]).await;
    let liq_end = after.health(&account, HealthType::LiqEnd).unwrap();
    assert!(liq_end.is_nonnegative(), "back to health: {liq_end:?}");
    assert!(transactions >= 1);
    println!("16-position whale: healthy again after {transactions} liquidation transactions");
    // The account keeps collateral: liquidation restored it without writing anything off.
    assert!(after.health_positions(&account).unwrap().iter().any(|position| position.deposit_tokens > 0));
    market.assert_vaults().await;
}
