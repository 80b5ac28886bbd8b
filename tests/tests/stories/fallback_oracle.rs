//! Oracle diversification (issue 25) in the program: a bank's fallback price source, a Switchboard On-Demand
//! pull feed, set by a timelocked proposal. While Pyth is valid it prices Maint and LiqEnd alone and the
//! fallback can only make Init more conservative or stop new risk (a lying fallback liquidates nobody and lends
//! nothing); while Pyth is stale the fallback keeps liquidations going but opens nothing; a lagging, closed or
//! missing fallback never blocks what Pyth alone allows.

use margin::errors::MarginError;
use margin::state::FallbackOracle;
use margin::switchboard::{read_pull_feed, SWITCHBOARD_ON_DEMAND_ID};
use margin_risk::health::HealthType;
use margin_sdk::switchboard::PullFeed;
use margin_tests::*;
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// Where the tests' SOL/USD pull feed lives.
const FEED: Pubkey = Pubkey::new_from_array([0x5b; 32]);
/// The bound the tests govern: 2 % between the two sources.
const BOUND_BPS: u32 = 200;

fn fallback() -> FallbackOracle {
    FallbackOracle { max_divergence_bps: BOUND_BPS, price_account: FEED }
}

/// The trader's 10 SOL against 1,100 USDC of debt at SOL $150, with SOL's fallback feed at $150 ± 0.15 set.
async fn borrowed_with_fallback() -> Market {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let now = market.env.now;
    market.env.set_pull_feed(&FEED, &PullFeed::new(SOL_PRICE, SOL_CONF, now));
    let mut sol = market.sol;
    market.env.set_fallback_oracle(&mut sol, fallback()).await.unwrap();
    market.sol = sol;
    market
}

/// Pyth's SOL feed left as it was two minutes ago (stale: the bank allows 60 s); USDC refreshed; the fallback
/// at `fallback_e8` published now.
fn pyth_down_fallback_at(market: &mut Market, fallback_e8: i64) {
    market.env.advance(120);
    let usdc = market.usdc;
    market.env.set_price(&usdc, USDC_PRICE, USDC_CONF);
    let now = market.env.now;
    market.env.set_pull_feed(&FEED, &PullFeed::new(fallback_e8, fallback_e8 as u64 / 1_000, now));
}

#[tokio::test]
async fn the_pull_feeds_the_sdk_writes_are_what_switchboards_own_type_reads() {
    use switchboard_on_demand::on_demand::accounts::pull_feed::PullFeedAccountData;
    let feed = PullFeed {
        value: 72_821_400_000_000_000_001,
        std_dev: 38_600_000_000_000_000,
        range: 90_000_000_000_000_000,
        samples: 5,
        publish_time: 1_785_538_408,
    };
    let data = feed.data();
    assert_eq!(data.len(), 8 + core::mem::size_of::<PullFeedAccountData>());
    assert_eq!(&data[..8], <PullFeedAccountData as switchboard_on_demand::Discriminator>::DISCRIMINATOR);
    let theirs: PullFeedAccountData = bytemuck::pod_read_unaligned(&data[8..]);
    assert_eq!(
        (theirs.result.value, theirs.result.std_dev, theirs.result.range),
        (feed.value, feed.std_dev, feed.range)
    );
    assert_eq!((theirs.result.num_samples, theirs.result_ts()), (5, feed.publish_time));
    let ours = read_pull_feed(&SWITCHBOARD_ON_DEMAND_ID, &data).unwrap();
    let wide = |value: i128| margin_risk::fallback::SwitchboardDecimal::from_le_bytes(value.to_le_bytes());
    assert_eq!(
        (ours.value, ours.std_dev, ours.range, ours.publish_time),
        (wide(feed.value), wide(feed.std_dev), wide(feed.range), feed.publish_time)
    );
    // What the reader refuses, by name.
    let other_owner = read_pull_feed(&pyth_solana_receiver_sdk::ID, &data).unwrap_err();
    assert_eq!(other_owner, MarginError::FallbackNotSwitchboard.into());
    let empty = PullFeed { samples: 0, ..feed }.data();
    for bad in [&empty[..], &data[..data.len() - 1], &[0u8; 3_208][..]] {
        assert_eq!(
            read_pull_feed(&SWITCHBOARD_ON_DEMAND_ID, bad).unwrap_err(),
            MarginError::InvalidFallbackAccount.into()
        );
    }
}

#[tokio::test]
async fn governance_sets_a_fallback_only_by_a_timelocked_proposal_naming_a_live_pull_feed() {
    let mut market = Market::new().await;
    let (sol, now) = (market.sol.bank, market.env.now);
    market.env.set_pull_feed(&FEED, &PullFeed::new(SOL_PRICE, SOL_CONF, now));
    // Not a pull feed: the Pyth account, Switchboard-owned bytes of another kind, a bound above 50 %.
    let pyth = FallbackOracle { price_account: market.sol.price_account, ..fallback() };
    let garbage = Pubkey::new_unique();
    let garbage_account =
        Account { data: vec![1; 3_208], owner: SWITCHBOARD_ON_DEMAND_ID, lamports: 1, ..Account::default() };
    market.env.set_account(&garbage, garbage_account);
    let refusals = [
        (pyth, MarginError::FallbackNotSwitchboard),
        (FallbackOracle { price_account: garbage, ..fallback() }, MarginError::InvalidFallbackAccount),
        (FallbackOracle { max_divergence_bps: 5_001, ..fallback() }, MarginError::InvalidOracleConfig),
    ];
    for (proposal, error) in refusals {
        assert_eq!(market.env.propose_fallback_oracle(&sol, proposal).await, Err(code(error)), "{proposal:?}");
    }
    // The account passed must be the one proposed.
    let (id, payer, admin) =
        (market.env.group_state().await.proposal_count, market.env.payer(), market.env.admin_key());
    let mut swapped =
        margin_sdk::instructions::propose_fallback_oracle(&payer, &admin, &market.env.group, id, &sol, fallback());
    swapped.accounts[4].pubkey = garbage;
    assert_eq!(market.env.send_as_admin(swapped).await, Err(code(MarginError::WrongFallbackAccount)));
    // Only the admin proposes.
    let stranger = market.env.funded_keypair().await;
    let by_stranger = margin_sdk::instructions::propose_fallback_oracle(
        &payer,
        &stranger.pubkey(),
        &market.env.group,
        id,
        &sol,
        fallback(),
    );
    assert_eq!(market.env.send(&[by_stranger], &[&stranger]).await, Err(code(MarginError::NotAdmin)));
    // The admin's proposal waits its eta; then anyone executes it and the bank names the feed.
    let proposal = market.env.propose_fallback_oracle(&sol, fallback()).await.unwrap();
    let executor = Keypair::new();
    assert_eq!(
        market.env.execute_fallback_oracle(&executor, &proposal, &sol).await,
        Err(code(MarginError::ProposalNotReady))
    );
    let eta = market.env.proposal_state(&proposal).await.eta;
    market.env.advance(eta - market.env.now);
    // A bank proposal's executor is not this one's.
    assert_eq!(market.env.execute_bank_change(&executor, &proposal, &sol).await, Err(code(MarginError::WrongProposal)));
    market.env.execute_fallback_oracle(&executor, &proposal, &sol).await.unwrap();
    assert_eq!(market.env.bank_state(&sol).await.fallback, fallback());
    assert_eq!(
        market.env.execute_fallback_oracle(&executor, &proposal, &sol).await,
        Err(code(MarginError::ProposalNotPending))
    );
    assert_eq!(market.env.propose_fallback_oracle(&sol, fallback()).await, Err(code(MarginError::NoChange)));
    // Removal: the zero address (the system program passed as the account), through the same timelock.
    let removal = market.env.propose_fallback_oracle(&sol, FallbackOracle::default()).await.unwrap();
    let eta = market.env.proposal_state(&removal).await.eta;
    market.env.advance(eta - market.env.now);
    market.env.execute_fallback_oracle(&executor, &removal, &sol).await.unwrap();
    assert_eq!(market.env.bank_state(&sol).await.fallback, FallbackOracle::default());
}

#[tokio::test]
async fn a_bank_with_a_fallback_takes_its_account_in_every_health_check() {
    let mut market = borrowed_with_fallback().await;
    let (trader, account, to) = (market.trader.insecure_clone(), market.trader_account, market.trader_usdc);
    // Without the fallback's slot, the next account lands in it and is named; another account in it too; the
    // list one short does not add up.
    let mut usdc = market.usdc;
    let mut sol_without = market.sol;
    sol_without.fallback_price_account = None;
    let health = margin_sdk::accounts::health_accounts_after(
        &market.env.account_state(&account).await,
        &usdc.addresses(),
        |bank| [sol_without.addresses(), usdc.addresses()].into_iter().find(|keys| keys.bank == *bank),
    )
    .unwrap();
    let (owner, usdc_addresses, group) = (trader.pubkey(), usdc.addresses(), market.env.group);
    let accounts = margin_sdk::instructions::TokenActionAccounts {
        owner: &owner,
        account: &account,
        group: &group,
        bank: &usdc_addresses,
        user_token_account: &to,
    };
    let borrow = margin_sdk::instructions::borrow(&accounts, USDC, health.clone());
    assert_eq!(market.env.send(&[borrow], &[&trader]).await, Err(code(MarginError::WrongFallbackAccount)));
    let mut wrong = health.clone();
    wrong.insert(2, solana_sdk::instruction::AccountMeta::new_readonly(usdc.price_account, false));
    let borrow = margin_sdk::instructions::borrow(&accounts, USDC, wrong.clone());
    assert_eq!(market.env.send(&[borrow], &[&trader]).await, Err(code(MarginError::WrongFallbackAccount)));
    wrong[2].pubkey = FEED;
    wrong.pop();
    let borrow = margin_sdk::instructions::borrow(&accounts, USDC, wrong);
    assert_eq!(market.env.send(&[borrow], &[&trader]).await, Err(code(MarginError::BadRemainingAccounts)));
    // The SDK's packing carries it: the same borrow goes through.
    market.borrow_usdc(USDC).await.unwrap();
    usdc = market.usdc;
    assert!(market
        .env
        .snapshot(&account, &[usdc.bank])
        .await
        .health_accounts(&account)
        .unwrap()
        .iter()
        .any(|meta| meta.pubkey == FEED));
}

#[tokio::test]
async fn a_stale_pyth_feed_hands_liquidation_to_the_fallback_which_opens_nothing() {
    // Control: the same crash without a fallback leaves the account unliquidatable while Pyth is stale.
    let mut alone = Market::with_sol_collateral().await;
    alone.borrow_usdc(1_100 * USDC).await.unwrap();
    alone.env.advance(120);
    let usdc = alone.usdc;
    alone.env.set_price(&usdc, USDC_PRICE, USDC_CONF);
    let (liquidator, pay, receive) = alone.liquidator(10_000 * USDC).await;
    let (account, sol) = (alone.trader_account, alone.sol);
    let refused = alone.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 100 * USDC).await;
    assert_eq!(refused, Err(code(MarginError::StalePrice)));

    let mut market = borrowed_with_fallback().await;
    let on_fallback =
        |snapshot: &margin_sdk::snapshot::Snapshot, bank| snapshot.market(bank).unwrap().price.unwrap().on_fallback;
    let (account, sol_bank) = (market.trader_account, market.sol.bank);
    assert!(!on_fallback(&market.env.snapshot(&account, &[]).await, &sol_bank), "Pyth fresh: Pyth prices it");
    pyth_down_fallback_at(&mut market, 120_00000000);
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let snapshot = market.env.snapshot(&account, &[]).await;
    // A market screen says so (the SDK's market view, which the web app shows).
    assert!(on_fallback(&snapshot, &sol.bank) && !on_fallback(&snapshot, &usdc.bank));
    assert!(snapshot.is_liquidatable(&account).unwrap());
    let plan = snapshot.plan_liquidation(&account, (&usdc.bank, &sol.bank), 100 * USDC).unwrap();
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 100 * USDC).await.unwrap();
    assert_eq!(market.env.balance(&receive).await, plan.seized_to_liquidator);
    // The seizure is priced at the fallback's $120: 100 USDC buys at least 100/120 SOL, plus the bonus.
    assert!(plan.seized_to_liquidator > 100 * SOL / 120);
    // The bank records the fallback's publish time as the last price it used.
    assert_eq!(market.env.bank_state(&sol.bank).await.last_price_publish_time, market.env.now);
    // Nothing opens on the fallback alone: the SOL deposit counts 0 for Init.
    assert_eq!(market.borrow_usdc(USDC).await, Err(code(MarginError::InitHealthNegative)));
    market.assert_vaults().await;
}

#[tokio::test]
async fn a_lying_fallback_while_pyth_is_valid_liquidates_nobody_and_lends_nothing() {
    let mut market = borrowed_with_fallback().await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let honest = market.env.snapshot(&account, &[usdc.bank]).await;
    let max_honest = honest.max_borrow(&account, &usdc.bank).unwrap();
    assert!(max_honest > USDC);
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    for lie in [60_00000000, 300_00000000] {
        let now = market.env.now;
        market.env.set_pull_feed(&FEED, &PullFeed::new(lie, 1_000_000, now));
        let lied = market.env.snapshot(&account, &[usdc.bank]).await;
        for health in [HealthType::Maint, HealthType::LiqEnd] {
            assert_eq!(lied.health(&account, health).unwrap(), honest.health(&account, health).unwrap(), "{lie}");
        }
        let refused = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 100 * USDC).await;
        assert_eq!(refused, Err(code(MarginError::NotLiquidatable)), "{lie}");
        // The sources disagree by more than 2 %: no new risk until they agree again.
        assert_eq!(lied.max_borrow(&account, &usdc.bank).unwrap(), 0, "{lie}");
        assert_eq!(market.borrow_usdc(USDC).await, Err(code(MarginError::InitHealthNegative)), "{lie}");
    }
    // Within the bound again (1 % lower): borrowing resumes, at most what Pyth alone allows.
    let now = market.env.now;
    market.env.set_pull_feed(&FEED, &PullFeed::new(148_50000000, 15_000_000, now));
    let agreed = market.env.snapshot(&account, &[usdc.bank]).await.max_borrow(&account, &usdc.bank).unwrap();
    assert!(agreed > 0 && agreed <= max_honest, "{agreed} vs {max_honest}");
    market.borrow_usdc(agreed).await.unwrap();
}

#[tokio::test]
async fn a_lagging_or_closed_fallback_never_blocks_what_pyth_allows_nor_serves_an_old_price() {
    let mut market = borrowed_with_fallback().await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    // SOL crashes to $120 on Pyth; the fallback lags at $150 (within its age, 30 s old): Pyth liquidates.
    market.env.advance(30);
    market.set_prices(120_00000000, 12_000_000);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 50 * USDC).await.unwrap();
    // Closed (lamports taken, data gone): Pyth alone, the account still liquidatable.
    market.env.set_account(&FEED, Account { lamports: 1, ..Account::default() });
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 50 * USDC).await.unwrap();
    let last_used = market.env.bank_state(&sol.bank).await.last_price_publish_time;
    assert_eq!(last_used, market.env.now);
    // Pyth goes stale; the fallback posts a result older than the last price the bank used: refused, so the
    // liquidation waits on the primary's error rather than run on an older price.
    market.env.advance(120);
    market.env.set_price(&usdc, USDC_PRICE, USDC_CONF);
    market.env.set_pull_feed(&FEED, &PullFeed::new(150_00000000, 150_000, last_used - 1));
    let refused = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 50 * USDC).await;
    assert_eq!(refused, Err(code(MarginError::StalePrice)));
    // A fresh fallback result takes over.
    let now = market.env.now;
    market.env.set_pull_feed(&FEED, &PullFeed::new(120_00000000, 120_000, now));
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 50 * USDC).await.unwrap();
    market.assert_vaults().await;
}
