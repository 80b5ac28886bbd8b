#![allow(deprecated)] // program-test marks its context "unstable" from v4; pinned at 3.1.12
//! `margin deploy` (migrations/, issue 22) on the in-process chain: run after run it does only what is missing
//! (group, listings proposed, listed after the delay, insurance funded, the admin handed to a multisig), and a
//! run on a complete deployment changes nothing.
use margin_cli::deploy::{deploy, BankPlan, DeployPlan};
use margin_sdk::addresses::{self, BankAddresses};
use margin_sdk::chain::{margin_program_test, Chain, ProgramTestChain};
use margin_sdk::pyth::PriceUpdate;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

const DELAY: i64 = 2 * 86_400;

fn bank(name: &str, mint: &Pubkey, feed: u8, preset: &str, (insurance, from): (u64, &Pubkey)) -> BankPlan {
    BankPlan {
        name: name.to_string(),
        mint: mint.to_string(),
        feed_id: format!("{feed:02x}").repeat(32),
        preset: preset.to_string(),
        dust_threshold: None,
        insurance,
        insurance_from: Some(from.to_string()),
    }
}

/// Writes both feeds' push-oracle accounts at the clock (SOL $150, USDC $1).
async fn post_prices(chain: &mut ProgramTestChain) {
    let now = chain.unix_timestamp().await.unwrap();
    for (feed, price, conf) in [(1u8, 150_00000000, 15_000_000), (2, 100_000_000, 10_000)] {
        let address = addresses::push_feed(&[feed; 32]);
        chain.set_account(&address, PriceUpdate::new([feed; 32], price, conf, now).account(address));
    }
}

/// Every account the deployment writes, for comparing a run's before and after.
async fn state(chain: &mut ProgramTestChain, addresses: &[Pubkey]) -> Vec<Option<Vec<u8>>> {
    let mut data = Vec::new();
    for address in addresses {
        data.push(chain.account(address).await.unwrap().map(|account| account.data));
    }
    data
}

#[tokio::test]
async fn deploy_bootstraps_a_group_run_after_run_and_a_complete_deployment_changes_nothing() {
    let mut chain = ProgramTestChain::start(margin_program_test()).await;
    let admin = chain.payer();
    let (sol, usdc) = (chain.write_mint(9), chain.write_mint(6));
    let sol_funds = chain.write_token_account(&admin.pubkey(), &sol, 100_000_000_000);
    let usdc_funds = chain.write_token_account(&admin.pubkey(), &usdc, 10_000_000_000);
    let (guardian, multisig) = (Keypair::new().pubkey(), Pubkey::new_unique());
    let plan = DeployPlan {
        group_id: 7,
        guardian: guardian.to_string(),
        multisig: Some(multisig.to_string()),
        banks: vec![
            bank("SOL", &sol, 1, "volatile", (5_000_000_000, &sol_funds)),
            bank("USDC", &usdc, 2, "stable", (1_000_000_000, &usdc_funds)),
        ],
    };
    let group = addresses::group(7);
    let banks: Vec<BankAddresses> = [(sol, 1u8), (usdc, 2)]
        .iter()
        .map(|(mint, feed)| {
            BankAddresses::derive(&group, mint, &anchor_spl::token::ID, &addresses::push_feed(&[*feed; 32]))
        })
        .collect();
    let watched: Vec<Pubkey> =
        [group].into_iter().chain(banks.iter().flat_map(|bank| [bank.bank, bank.insurance_vault])).collect();
    post_prices(&mut chain).await;
    let start = chain.unix_timestamp().await.unwrap();

    // Run 1: the group, and both listings proposed.
    let report = deploy(&mut chain, &admin, &plan).await.unwrap();
    assert!(report[0].contains("created"), "{report:?}");
    assert!(report[1].starts_with("SOL: listing proposed") && report[2].starts_with("USDC: listing proposed"));
    // Run 2, at once: both wait for their eta; nothing is proposed twice.
    let before = state(&mut chain, &watched).await;
    let report = deploy(&mut chain, &admin, &plan).await.unwrap();
    assert!(report.iter().all(|line| line.contains("waits for its eta")), "{report:?}");
    assert_eq!(state(&mut chain, &watched).await, before);

    // Run 3, after the delay: listed, insurance funded, the handover proposed.
    chain.set_clock(start + DELAY, 1_000_000);
    post_prices(&mut chain).await;
    let report = deploy(&mut chain, &admin, &plan).await.unwrap();
    assert_eq!(report.iter().filter(|line| line.contains(": listed")).count(), 2, "{report:?}");
    assert_eq!(report.iter().filter(|line| line.contains("insurance funded")).count(), 2);
    assert!(report.last().unwrap().contains("handover to the multisig proposed"));
    assert_eq!(chain.token_balance(&banks[0].insurance_vault).await.unwrap(), 5_000_000_000);
    assert_eq!(chain.token_balance(&banks[1].insurance_vault).await.unwrap(), 1_000_000_000);
    // Run 4: the handover waits.
    let report = deploy(&mut chain, &admin, &plan).await.unwrap();
    assert_eq!(report.len(), 1, "{report:?}");
    assert!(report[0].contains("handover") && report[0].contains("waits for its eta"));

    // Run 5, after the delay again: the multisig is the admin.
    chain.set_clock(start + 2 * DELAY + 1, 2_000_000);
    let report = deploy(&mut chain, &admin, &plan).await.unwrap();
    assert_eq!(report, vec![format!("admin: handed to the multisig {multisig}")]);
    let group_state = margin_sdk::accounts::group(&chain.account(&group).await.unwrap().unwrap().data).unwrap();
    assert_eq!((group_state.admin, group_state.guardian), (multisig, guardian));

    // Run 6: complete; nothing moves.
    let before = state(&mut chain, &watched).await;
    assert_eq!(deploy(&mut chain, &admin, &plan).await.unwrap(), vec!["nothing left to do".to_string()]);
    assert_eq!(state(&mut chain, &watched).await, before);
}

#[tokio::test]
async fn a_plan_with_an_unknown_preset_or_a_bad_address_is_refused_by_name() {
    let mut chain = ProgramTestChain::start(margin_program_test()).await;
    let admin = chain.payer();
    let mint = chain.write_mint(6);
    let mut plan = DeployPlan {
        group_id: 8,
        guardian: "not-an-address".to_string(),
        multisig: None,
        banks: vec![bank("X", &mint, 3, "exotic", (0, &mint))],
    };
    let refused = deploy(&mut chain, &admin, &plan).await.unwrap_err();
    assert!(refused.contains("guardian") && refused.contains("not a base58 address"), "{refused}");
    plan.guardian = Pubkey::new_unique().to_string();
    let refused = deploy(&mut chain, &admin, &plan).await.unwrap_err();
    assert!(refused.contains("unknown preset \"exotic\""), "{refused}");
}

#[test]
fn the_shipped_plan_parses_and_names_its_banks() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/deploy.toml")).unwrap();
    let plan: DeployPlan = toml::from_str(&text).unwrap();
    let names: Vec<&str> = plan.banks.iter().map(|bank| bank.name.as_str()).collect();
    assert_eq!(names, ["SOL", "USDC"]);
    assert!(plan.banks.iter().all(|bank| bank.feed_id.len() == 64 && bank.insurance > 0));
}
