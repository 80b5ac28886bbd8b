//! Incident replays on the program (issue 13): a thin token pumped ×30 (Mango), a stablecoin spiked to $8.80
//! (USDH), and a whale account with 16 positions (15 volatile collaterals
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

/// A thin token's pump and return, as replayed on the program: the token's path, its listing and the attack.
struct Pump {
    /// Price before and at the top, 10^-8 USD.
    start_e8: i64,
    peak_e8: i64,
    /// Minutes rising, at the top, and falling back.
    minutes: [u32; 3],
    /// Init and Maint asset weights of the token, bps.
    asset_weights: [u32; 2],
    decimals: u8,
    /// The EMA's time constant, seconds (Pyth's EMA is about an hour).
    ema_seconds: i64,
    /// What the attacker deposits, in USD at the top.
    deposit_usd: u64,
    /// USDC in the insurance vault before the attack.
    insurance: u64,
}

/// What the replay found: the attacker's borrow and the bankruptcy's books (native USDC).
struct Aftermath {
    borrowed: u64,
    written_off: u64,
    from_insurance: u64,
    socialized: u64,
    liquidations: usize,
}

/// Lists the token, moves it up, holds it and brings it back minute by minute (the EMA lagging), lets the
/// attacker deposit at the top and borrow the SDK's maximum, then liquidates the account with the SDK's view
/// until nothing is left to seize and resolves the bankruptcy.
async fn replay_pump(pump: Pump) -> Aftermath {
    let mut market = Market::new().await;
    let usdc = market.usdc;
    let (lender, lender_account) = (market.lender.insecure_clone(), market.lender_account);
    let wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 50_000_000 * USDC).await;
    market.env.deposit(&lender, &lender_account, &usdc, &wallet, 50_000_000 * USDC).await.unwrap();
    market.env.mint_to(&usdc.mint, &usdc.insurance_vault, pump.insurance).await;
    let config = with_params(volatile_config(60), |params| {
        [params.risk.init_asset_weight_bps, params.risk.maint_asset_weight_bps] = pump.asset_weights;
    });
    let conf = |price: i64| price as u64 * 30 / 10_000;
    let token = market.env.add_bank(pump.decimals, pump.start_e8, conf(pump.start_e8), config).await.unwrap();

    let [up, top, down] = pump.minutes.map(i64::from);
    let path = |minute: i64| match minute {
        m if m < up => pump.start_e8 + (pump.peak_e8 - pump.start_e8) * m / up,
        m if m < up + top => pump.peak_e8,
        m => (pump.peak_e8 - (pump.peak_e8 - pump.start_e8) * (m - up - top) / down).max(pump.start_e8),
    };
    let mut ema = pump.start_e8;
    let attacker = market.env.funded_keypair().await;
    let account = market.env.open_account(&attacker, 0, 0).await.unwrap();
    let to = market.env.funded_token_account(&attacker.pubkey(), &usdc, 0).await;
    let mut borrowed = 0;
    for minute in 0..=up + top + down + 5 {
        let price = path(minute);
        ema += (price - ema) * 60 / pump.ema_seconds;
        market.env.advance(60);
        let update = pyth::PriceUpdate {
            ema_price: ema,
            ema_conf: conf(ema),
            ..pyth::PriceUpdate::new(token.feed_id, price, conf(price), market.env.now)
        };
        market.env.set_price_account(&token.price_account, &update);
        market.env.set_price(&usdc, USDC_PRICE, USDC_CONF);
        if minute == up + top - 1 {
            // At the top: deposit and borrow everything the program allows.
            let units = u128::from(pump.deposit_usd) * 10u128.pow(u32::from(pump.decimals)) * 100_000_000;
            let amount = u64::try_from(units / price as u128).unwrap();
            let from = market.env.funded_token_account(&attacker.pubkey(), &token, amount).await;
            market.env.deposit(&attacker, &account, &token, &from, amount).await.unwrap();
            borrowed = market.env.snapshot(&account, &[usdc.bank]).await.max_borrow(&account, &usdc.bank).unwrap();
            market.env.borrow(&attacker, &account, &usdc, &to, borrowed).await.unwrap();
        }
    }

    // Back at the start price: liquidate with the SDK's view while there is collateral to seize.
    let (liquidator, pay, _) = market.liquidator(10_000_000 * USDC).await;
    let receive = market.env.funded_token_account(&liquidator.pubkey(), &token, 0).await;
    let mut liquidations = 0;
    let index_before = market.env.bank_state(&usdc.bank).await.deposit_index;
    let (mut written_off, mut from_insurance, mut socialized) = (0, 0, 0);
    let mut book = |events: Vec<margin::events::BankruptcyResolved>| {
        for event in events {
            (written_off, from_insurance, socialized) = (
                written_off + event.debt_written_off,
                from_insurance + event.from_insurance,
                socialized + event.socialized,
            );
        }
    };
    loop {
        let snapshot = market.env.snapshot(&account, &[]).await;
        let collateral_left = snapshot.health_positions(&account).unwrap().iter().any(|p| p.deposit_tokens > 0);
        if !(collateral_left && snapshot.is_liquidatable(&account) == Ok(true)) {
            break;
        }
        assert!(liquidations < 20, "liquidation ends");
        market.env.liquidate(&liquidator, &account, &usdc, &token, &pay, &receive, u64::MAX).await.unwrap();
        // The liquidation that takes the last collateral writes the rest off at once (issue 21, finding 3).
        book(market.env.events::<margin::events::BankruptcyResolved>());
        liquidations += 1;
    }
    if market.env.account_state(&account).await.has_debt()
        && market.env.resolve_bankruptcy(&account, &usdc).await.is_ok()
    {
        book(market.env.events::<margin::events::BankruptcyResolved>());
    }
    // Lenders lose exactly what was socialised, nothing more: their index moves only by it.
    let index_after = market.env.bank_state(&usdc.bank).await.deposit_index;
    assert_eq!(index_after < index_before, socialized > 0);
    market.assert_vaults().await;
    println!(
        "pump to {}: borrowed {borrowed}, {liquidations} liquidations, written off {written_off} \
         ({from_insurance} insurance, {socialized} socialised)",
        pump.peak_e8
    );
    Aftermath { borrowed, written_off, from_insurance, socialized, liquidations }
}

/// Mango Markets, Oct 2022: a thin token ×30 in ten minutes while its EMA lags. Init prices take the lower of
/// spot and EMA, so $5M of the pumped token buys a borrow sized by the EMA; when the price returns, the bad
/// debt is within the insurance vault and lenders lose nothing.
#[tokio::test]
async fn a_thin_token_pumped_thirty_times_leaves_bad_debt_within_insurance() {
    let pump = Pump {
        start_e8: 3_000_000,
        peak_e8: 90_000_000,
        minutes: [10, 5, 10],
        asset_weights: [5_000, 6_000],
        decimals: 6,
        ema_seconds: 3_600,
        deposit_usd: 5_000_000,
        insurance: 500_000 * USDC,
    };
    let aftermath = replay_pump(pump).await;
    // Deposited $5M at the top; at $0.03 it is worth $166,667. The borrow is sized by the EMA, not the pump.
    assert!(aftermath.borrowed < 500_000 * USDC, "borrowed {}", aftermath.borrowed);
    assert!(aftermath.borrowed > 166_667 * USDC / 2, "the attack did borrow: {}", aftermath.borrowed);
    assert!(aftermath.liquidations >= 1);
    assert!(aftermath.written_off > 0, "the attacker's debt exceeds what is left");
    assert!(aftermath.written_off <= 500_000 * USDC, "bad debt within insurance: {}", aftermath.written_off);
    assert_eq!((aftermath.from_insurance, aftermath.socialized), (aftermath.written_off, 0));
}

/// Solend's USDH, Nov 2022: a thin stablecoin pushed from 0.99 to 8.80 for minutes. Listed as a thin stable
/// (Init asset weight 0.4) with an hour-long EMA, the spike buys a borrow of under $1 a coin, and when the
/// price returns the liquidators take the account back with no bad debt at all.
#[tokio::test]
async fn a_stablecoin_spiked_to_eight_dollars_is_taken_back_without_bad_debt() {
    let pump = Pump {
        start_e8: 99_000_000,
        peak_e8: 880_000_000,
        minutes: [3, 6, 3],
        asset_weights: [4_000, 5_000],
        decimals: 6,
        ema_seconds: 3_600,
        deposit_usd: 8_800_000,
        insurance: 100_000 * USDC,
    };
    let aftermath = replay_pump(pump).await;
    // 1M coins deposited at $8.80: the borrow is under $1 a coin, not $8.80 × 0.4.
    assert!(aftermath.borrowed < 1_000_000 * USDC, "borrowed {}", aftermath.borrowed);
    assert!(aftermath.borrowed > 100_000 * USDC, "the attack did borrow: {}", aftermath.borrowed);
    assert!(aftermath.liquidations >= 1);
    assert!(aftermath.written_off <= 100_000 * USDC && aftermath.socialized == 0);
}
