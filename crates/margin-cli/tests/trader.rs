//! Every trader command on the in-process chain (the real program): balances, health and the program's
//! refusals, as a trader sees them through the CLI's functions.
use margin_cli::scenario::Scenario;
use margin_cli::sim::Simulation;
use margin_cli::trader::{self, Action};
use margin_sdk::instructions::AccountKind;
use solana_sdk::account::Account;
use solana_sdk::signature::{Keypair, Signer};

const MARKET: &str = include_str!("fixtures/market.toml");

#[tokio::test]
async fn a_trader_opens_deposits_borrows_the_max_repays_withdraws_and_closes() {
    let scenario: Scenario = toml::from_str(MARKET).unwrap();
    let (mut chain, group, banks) = Simulation::new(scenario, std::path::Path::new(".")).await.unwrap().into_parts();
    let (sol, usdc) = (banks[0], banks[1]);
    let owner = Keypair::new();
    chain.set_account(&owner.pubkey(), Account { lamports: 10_000_000_000, ..Account::default() });
    let sol_wallet = chain.write_token_account(&owner.pubkey(), &sol.mint, 10_000_000_000);
    let usdc_wallet = chain.write_token_account(&owner.pubkey(), &usdc.mint, 0);

    let account = trader::open(&mut chain, &owner, (&group, 0, AccountKind::Cross), false).await.unwrap();
    let deposit = (&account, &sol.bank, &sol_wallet);
    trader::token_action(&mut chain, &owner, deposit, Action::Deposit(10_000_000_000), false).await.unwrap();
    assert_eq!(chain.token_balance(&sol_wallet).await.unwrap(), 0);

    // A dry run changes nothing; the max borrow passes and one unit more is refused by name.
    let most = trader::max_borrow(&mut chain, &account, &usdc.bank).await.unwrap();
    assert!(most > 1_000_000_000 && most < 1_500_000_000, "10 SOL at $150 × 0.8 ÷ 1.05: {most}");
    let borrow = (&account, &usdc.bank, &usdc_wallet);
    let simulated = trader::token_action(&mut chain, &owner, borrow, Action::Borrow(most), true).await.unwrap();
    assert!(simulated.dry_run);
    assert_eq!(chain.token_balance(&usdc_wallet).await.unwrap(), 0);
    let refused = trader::token_action(&mut chain, &owner, borrow, Action::Borrow(most + 1), false).await;
    assert_eq!(refused.unwrap_err(), "InitHealthNegative");
    trader::token_action(&mut chain, &owner, borrow, Action::Borrow(most), false).await.unwrap();
    assert_eq!(chain.token_balance(&usdc_wallet).await.unwrap(), most);

    // Health: Init at (or a hair above) zero after a max borrow, Maint above it; not liquidatable.
    let report = trader::health(&mut chain, &account).await.unwrap();
    assert_eq!(report.positions.len(), 2);
    let (init_assets, init_liabilities) = report.healths[0].1.clone().unwrap();
    assert!(init_assets >= init_liabilities && init_assets - init_liabilities < 10, "{:?}", report.healths[0]);
    let (maint_assets, maint_liabilities) = report.healths[2].1.clone().unwrap();
    assert!(maint_assets > maint_liabilities);
    assert_eq!(report.liquidatable, Ok(false));
    assert!(report.text().contains("Init: "));
    // SOL at $150 ± $0.15 (10 bp), k_init 2: the Init asset price is 20 bp under the oracle.
    let sol_line = report.positions.iter().find(|line| line.deposit > 0).unwrap();
    assert!(sol_line.haircut.starts_with("asset -20.0/-10.0"), "{}", sol_line.haircut);
    assert_eq!(trader::max_withdraw(&mut chain, &account, &sol.bank).await.unwrap(), 0);

    // Repay everything (what is owed now), withdraw everything, close.
    // A little more USDC than borrowed, for the interest accrued since.
    let mut wallet = margin_sdk::chain::Chain::account(&mut chain, &usdc_wallet).await.unwrap().unwrap();
    wallet.data[64..72].copy_from_slice(&(most + 10).to_le_bytes());
    chain.set_account(&usdc_wallet, wallet);
    trader::token_action(&mut chain, &owner, borrow, Action::Repay(None), false).await.unwrap();
    let all = trader::max_withdraw(&mut chain, &account, &sol.bank).await.unwrap();
    assert_eq!(all, 10_000_000_000);
    trader::token_action(&mut chain, &owner, deposit, Action::Withdraw(all), false).await.unwrap();
    assert_eq!(chain.token_balance(&sol_wallet).await.unwrap(), 10_000_000_000);
    trader::close(&mut chain, &owner, &account, false).await.unwrap();
    assert!(margin_sdk::chain::Chain::account(&mut chain, &account).await.unwrap().is_none());
}
