#![allow(deprecated)] // program-test marks its context "unstable" from v4; pinned at 3.1.12
//! Every governance command on the in-process chain: show, what-if, tighten, propose, execute, cancel, pause,
//! unpause, and the multisig path that prints a vault message instead of sending.
use margin_cli::governance::{self, Authority};
use margin_cli::scenario::Scenario;
use margin_cli::sim::Simulation;
use margin_sdk::chain::{load_snapshot, Chain};
use solana_sdk::message::Message;
use solana_sdk::pubkey::Pubkey;

/// The market with 20 SOL longs at 85–95 % of their max borrow.
const MARKET: &str = concat!(
    include_str!("fixtures/market.toml"),
    "[[cohorts]]\nname = \"longs\"\naccounts = 20\ncollateral = \"SOL\"\ndebt = \"USDC\"\n",
    "leverage = [0.85, 0.95]\nsize_usd = [1000.0, 10000.0]\n"
);

fn key(keypair: &solana_sdk::signature::Keypair) -> Authority {
    Authority::Key { keypair: keypair.insecure_clone(), dry_run: false }
}

#[tokio::test]
async fn governance_commands_show_tighten_propose_execute_cancel_pause_and_what_if() {
    let scenario: Scenario = toml::from_str(MARKET).unwrap();
    let simulation = Simulation::new(scenario, std::path::Path::new(".")).await.unwrap();
    let guardian = simulation.guardian();
    let (mut chain, group, banks, accounts) = simulation.populated(1).await.unwrap();
    let admin = chain.payer();
    let sol = banks[0].bank;
    assert_eq!(accounts.len(), 20);

    let shown = governance::show_group(&mut chain, &group).await.unwrap();
    assert!(shown.contains(&admin.pubkey_string()) && shown.contains("proposals 2"), "{shown}");
    assert!(governance::show_bank(&mut chain, &sol).await.unwrap().contains("init_asset_weight_bps = 8000"));

    // What-if: cutting SOL's maint weight to 0.60 puts accounts below Maint that are not there now.
    let mut snapshot = load_snapshot(&mut chain, &[sol, banks[1].bank], &accounts).await.unwrap();
    snapshot.now = chain.unix_timestamp().await.unwrap();
    let cut = governance::changed_params(
        &mut chain,
        &sol,
        &["maint_asset_weight_bps=6000".into(), "init_asset_weight_bps=5000".into()],
    )
    .await
    .unwrap();
    let what_if = governance::what_if(&snapshot, &sol, &cut).unwrap();
    assert_eq!(what_if.maint_before.accounts, 0);
    assert!(what_if.maint_after.accounts >= 10 && what_if.maint_after.debt > 0, "{what_if:?}");
    assert!(what_if.init_after.accounts >= what_if.maint_after.accounts);

    // Tighten at once (the guardian), not the way back.
    governance::tighten(&mut chain, &key(&guardian), &sol, &["init_asset_weight_bps=7500".into()]).await.unwrap();
    assert!(governance::show_bank(&mut chain, &sol).await.unwrap().contains("init_asset_weight_bps = 7500"));
    let back = governance::tighten(&mut chain, &key(&guardian), &sol, &["init_asset_weight_bps=8000".into()]).await;
    assert_eq!(back.unwrap_err(), "NotRiskReducing");

    // Propose (the admin), too early to execute, then executed after the timelock.
    let proposed =
        governance::propose_bank_change(&mut chain, &key(&admin), &sol, &["maint_asset_weight_bps=8600".into()])
            .await
            .unwrap();
    let proposal: Pubkey = proposed.split_whitespace().nth(1).unwrap().trim_end_matches(':').parse().unwrap();
    assert_eq!(governance::execute(&mut chain, &key(&admin), &proposal).await.unwrap_err(), "ProposalNotReady");
    let now = chain.unix_timestamp().await.unwrap();
    chain.set_clock(now + 2 * 86_400 + 1, 1_000_000);
    // The same transaction again needs a new blockhash (the refused one was processed).
    chain.context.get_new_latest_blockhash().await.unwrap();
    governance::execute(&mut chain, &key(&admin), &proposal).await.unwrap();
    assert!(governance::show_bank(&mut chain, &sol).await.unwrap().contains("maint_asset_weight_bps = 8600"));

    // Cancel a second proposal; pause (the guardian) and unpause (the admin).
    let proposed =
        governance::propose_bank_change(&mut chain, &key(&admin), &sol, &["deposit_cap=1000".into()]).await.unwrap();
    let second: Pubkey = proposed.split_whitespace().nth(1).unwrap().trim_end_matches(':').parse().unwrap();
    governance::cancel(&mut chain, &key(&guardian), &second).await.unwrap();
    assert_eq!(governance::execute(&mut chain, &key(&admin), &second).await.unwrap_err(), "ProposalNotPending");
    governance::pause(&mut chain, &key(&guardian), &group, 60).await.unwrap();
    assert_eq!(governance::pause(&mut chain, &key(&admin), &group, 60).await.unwrap_err(), "NotGuardian");
    governance::unpause(&mut chain, &key(&admin), &group).await.unwrap();

    // A listing proposal and a group change, executed after the delay: a third bank, a new guardian.
    let mint = chain.write_mint(6);
    let price_account = margin_sdk::addresses::push_feed(&[9; 32]);
    let now = chain.unix_timestamp().await.unwrap();
    let update = margin_sdk::pyth::PriceUpdate::new([9; 32], 100_000_000, 10_000, now);
    chain.set_account(&price_account, update.account(price_account));
    let feed = governance::feed_id(&"09".repeat(32)).unwrap();
    let listing = (&group, &mint, &price_account);
    let listed =
        governance::propose_listing(&mut chain, &key(&admin), listing, feed, margin_sdk::presets::stable_params())
            .await
            .unwrap();
    let listing_proposal: Pubkey = listed.split_whitespace().nth(1).unwrap().trim_end_matches(':').parse().unwrap();
    let new_guardian = Pubkey::new_unique();
    let changed =
        governance::propose_group_change(&mut chain, &key(&admin), &group, (&admin.pubkey_key(), &new_guardian))
            .await
            .unwrap();
    let group_proposal: Pubkey = changed.split_whitespace().nth(1).unwrap().trim_end_matches(':').parse().unwrap();
    chain.set_clock(now + 2 * 86_400 + 1, 2_000_000);
    chain.set_account(
        &price_account,
        margin_sdk::pyth::PriceUpdate::new([9; 32], 100_000_000, 10_000, now + 2 * 86_400 + 1).account(price_account),
    );
    governance::execute(&mut chain, &key(&admin), &listing_proposal).await.unwrap();
    governance::execute(&mut chain, &key(&admin), &group_proposal).await.unwrap();
    let shown = governance::show_group(&mut chain, &group).await.unwrap();
    assert!(shown.contains("banks 3") && shown.contains(&new_guardian.to_string()), "{shown}");
    assert!(governance::feed_id("12").is_err());

    // A multisig admin: the proposal comes back as a base58 message for the vault to sign, nothing is sent.
    let vault = Pubkey::new_unique();
    let printed =
        governance::propose_bank_change(&mut chain, &Authority::Multisig { vault }, &sol, &["deposit_cap=1000".into()])
            .await
            .unwrap();
    let encoded = printed.split_whitespace().last().unwrap();
    let message: Message = bincode_message(&bs58::decode(encoded).into_vec().unwrap());
    assert_eq!(message.account_keys[0], vault, "the vault pays and signs");
    assert_eq!(message.header.num_required_signatures, 1);
    assert!(message.account_keys.contains(&margin_sdk::margin::ID));
}

/// A legacy message from its wire bytes.
fn bincode_message(bytes: &[u8]) -> Message {
    let versioned: solana_sdk::message::VersionedMessage = bincode::deserialize(bytes).unwrap();
    match versioned {
        solana_sdk::message::VersionedMessage::Legacy(message) => message,
        other => panic!("a legacy message, got {other:?}"),
    }
}

trait PubkeyString {
    fn pubkey_string(&self) -> String;
    fn pubkey_key(&self) -> Pubkey;
}

impl PubkeyString for solana_sdk::signature::Keypair {
    fn pubkey_string(&self) -> String {
        solana_sdk::signature::Signer::pubkey(self).to_string()
    }
    fn pubkey_key(&self) -> Pubkey {
        solana_sdk::signature::Signer::pubkey(self)
    }
}

#[tokio::test]
async fn propose_fallback_sets_and_removes_a_banks_switchboard_feed_through_the_timelock() {
    let scenario: Scenario = toml::from_str(MARKET).unwrap();
    let simulation = Simulation::new(scenario, std::path::Path::new(".")).await.unwrap();
    let (mut chain, _, banks, _) = simulation.populated(1).await.unwrap();
    let admin = chain.payer();
    let sol = banks[0].bank;
    let feed = Pubkey::new_unique();
    let now = chain.unix_timestamp().await.unwrap();
    chain.set_account(&feed, margin_sdk::switchboard::PullFeed::new(150_00000000, 10_000_000, now).account());
    let fallback = margin_sdk::margin::state::FallbackOracle { max_divergence_bps: 150, price_account: feed };
    // A Pyth account is not a pull feed: refused by name when proposed.
    let pyth = margin_sdk::margin::state::FallbackOracle { price_account: banks[0].price_account, ..fallback };
    let refused = governance::propose_fallback(&mut chain, &key(&admin), &sol, pyth).await;
    assert_eq!(refused.unwrap_err(), "FallbackNotSwitchboard");
    let proposed = governance::propose_fallback(&mut chain, &key(&admin), &sol, fallback).await.unwrap();
    let proposal: Pubkey = proposed.split_whitespace().nth(1).unwrap().trim_end_matches(':').parse().unwrap();
    assert_eq!(governance::execute(&mut chain, &key(&admin), &proposal).await.unwrap_err(), "ProposalNotReady");
    chain.set_clock(now + 2 * 86_400 + 1, 1_000_000);
    chain.context.get_new_latest_blockhash().await.unwrap();
    governance::execute(&mut chain, &key(&admin), &proposal).await.unwrap();
    let shown = governance::show_bank(&mut chain, &sol).await.unwrap();
    assert!(shown.contains(&format!("fallback price account {feed} (Switchboard), within 150 bps")), "{shown}");
    // Removal takes the same timelock.
    let removal = margin_sdk::margin::state::FallbackOracle::default();
    let proposed = governance::propose_fallback(&mut chain, &key(&admin), &sol, removal).await.unwrap();
    let proposal: Pubkey = proposed.split_whitespace().nth(1).unwrap().trim_end_matches(':').parse().unwrap();
    chain.set_clock(now + 4 * 86_400 + 2, 2_000_000);
    chain.context.get_new_latest_blockhash().await.unwrap();
    governance::execute(&mut chain, &key(&admin), &proposal).await.unwrap();
    assert!(!governance::show_bank(&mut chain, &sol).await.unwrap().contains("fallback"));
}
