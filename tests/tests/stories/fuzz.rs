//! Stateful fuzzing of the program, a first step (issue 13): traders, a lender, a liquidator and the guardian send random
//! instructions with random, boundary and hostile amounts (0, 1, a share's worth, everything, u64::MAX) while
//! SOL's price walks with confidence spikes and the clock advances. After every step:
//! - invariant 1 on both banks (the harness checks it after every success);
//! - each bank's share totals equal the sum of its positions over every account;
//! - an account that showed Maint ≥ 0 (and was not being liquidated) is never liquidated;
//! - every refusal is a named error: a margin code the IDL names, or the token program's (codes < 100);
//! - a debt-free lender withdrawing what it holds and the vault can pay is refused only during a bank pause,
//!   which the guardian can set for at most the group's max pause (group pauses never hold it);
//! - no token is created or lost: per mint, wallets + vault + insurance vault hold what they held at the start.
//!
//! Reproducible: `FUZZ_SEED` picks the sequence (printed on failure), `FUZZ_STEPS` its length (default 2,000).
use margin::state::{BankParams, BankStatus};
use margin_sdk::margin_risk::health::HealthType;
use margin_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// Amounts for hostile sequences: boundary values as often as ordinary ones.
trait Amounts {
    fn amount(&mut self, typical: u64) -> u64;
}

impl Amounts for Random {
    fn amount(&mut self, typical: u64) -> u64 {
        match self.below(8) {
            0 => 0,
            1 => 1,
            2 => u64::MAX,
            3 => typical * 1_000,
            _ => 1 + self.below(typical),
        }
    }
}

struct Trader {
    keypair: Keypair,
    account: Pubkey,
    sol_wallet: Pubkey,
    usdc_wallet: Pubkey,
}

/// A refusal the fuzz test accepts: a named margin error, or the token program's own (e.g. insufficient funds).
fn assert_named(failure: &Failure, step: usize, seed: u64) {
    match failure {
        Failure::Custom(code) if *code < 100 => {}
        Failure::Custom(code) => {
            assert!(margin_sdk::errors::describe(*code).is_some(), "seed {seed} step {step}: unnamed error {code}")
        }
        other => panic!("seed {seed} step {step}: refusal without a program error: {other:?}"),
    }
}

/// Tokens held by `accounts` (one mint's every token account), native units.
async fn ledger_total(env: &mut Env, accounts: &[Pubkey]) -> u128 {
    let mut total = 0u128;
    for account in accounts {
        total += u128::from(env.balance(account).await);
    }
    total
}

async fn sum_of_positions(env: &mut Env, accounts: &[Pubkey], bank: &Pubkey) -> (u64, u64) {
    let (mut deposits, mut borrows) = (0u64, 0u64);
    for account in accounts {
        let state = env.account_state(account).await;
        for position in state.used_positions().filter(|position| position.bank == *bank) {
            deposits += position.deposit_shares;
            borrows += position.borrow_shares;
        }
    }
    (deposits, borrows)
}

#[tokio::test]
async fn random_sequences_keep_the_books_and_never_liquidate_a_healthy_account() {
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|text| text.parse().ok()).unwrap_or(0x5EED_F00D);
    let steps: usize = std::env::var("FUZZ_STEPS").ok().and_then(|text| text.parse().ok()).unwrap_or(2_000);
    let mut random = Random::new(seed);
    let mut market = Market::new().await;
    let (sol, usdc) = (market.sol, market.usdc);
    let mut traders = Vec::new();
    for index in 0..4 {
        let keypair = market.env.funded_keypair().await;
        let account = market.env.open_account(&keypair, 0, (index % 2 == 1) as u8).await.unwrap();
        let sol_wallet = market.env.funded_token_account(&keypair.pubkey(), &sol, 100 * SOL).await;
        let usdc_wallet = market.env.funded_token_account(&keypair.pubkey(), &usdc, 5_000 * USDC).await;
        traders.push(Trader { keypair, account, sol_wallet, usdc_wallet });
    }
    let (liquidator, pay, receive) = market.liquidator(1_000_000 * USDC).await;
    let mut accounts: Vec<Pubkey> = traders.iter().map(|trader| trader.account).collect();
    accounts.extend([market.lender_account, market.trader_account]);
    let lender = market.lender.insecure_clone();
    let lender_wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 0).await;
    // Every token account of each mint: the ledger that must not change.
    let mut usdc_accounts = vec![usdc.vault, usdc.insurance_vault, pay, lender_wallet, market.trader_usdc];
    usdc_accounts.extend(traders.iter().map(|trader| trader.usdc_wallet));
    let mut sol_accounts = vec![sol.vault, sol.insurance_vault, receive, market.trader_sol];
    sol_accounts.extend(traders.iter().map(|trader| trader.sol_wallet));
    let ledger =
        [ledger_total(&mut market.env, &sol_accounts).await, ledger_total(&mut market.env, &usdc_accounts).await];
    let mut price = SOL_PRICE;
    let (mut landed, mut refused, mut liquidations) = (0, 0, 0);
    for step in 0..steps {
        let trader = &traders[random.below(traders.len() as u64) as usize];
        let (owner, account) = (trader.keypair.insecure_clone(), trader.account);
        let result = match random.below(12) {
            0 => market.env.deposit(&owner, &account, &sol, &trader.sol_wallet, random.amount(10 * SOL)).await,
            1 => market.env.deposit(&owner, &account, &usdc, &trader.usdc_wallet, random.amount(1_000 * USDC)).await,
            2 => market.env.borrow(&owner, &account, &usdc, &trader.usdc_wallet, random.amount(500 * USDC)).await,
            9 => {
                // Borrow close to the limit: the accounts liquidators will meet.
                let most =
                    market.env.snapshot(&account, &[usdc.bank]).await.max_borrow(&account, &usdc.bank).unwrap_or(0);
                market.env.borrow(&owner, &account, &usdc, &trader.usdc_wallet, most * 19 / 20).await
            }
            3 => market.env.withdraw(&owner, &account, &sol, &trader.sol_wallet, random.amount(5 * SOL)).await,
            4 => {
                let repay_all = random.below(2) == 0;
                market
                    .env
                    .repay(&owner, &account, &usdc, &trader.usdc_wallet, random.amount(500 * USDC), repay_all)
                    .await
            }
            5 | 6 => {
                // SOL moves ±12 % with a confidence that widens with the move; one move in ten is a −25 % crash
                // (accounts near their limit become liquidatable) and one a +25 % rally, around $60–$300.
                let change = match random.below(10) {
                    0 => -2_500,
                    1 => 2_500,
                    _ => random.below(2_400) as i64 - 1_200,
                };
                price = (price + price * change / 10_000).clamp(60_00000000, 300_00000000);
                let conf = (price as u64 / 1_000) * (1 + change.unsigned_abs() / 600);
                market.set_prices(price, conf);
                market.env.advance(random.below(120) as i64);
                market.set_prices(price, conf);
                Ok(())
            }
            7 => {
                let target = accounts[random.below(accounts.len() as u64) as usize];
                let snapshot = market.env.snapshot(&target, &[]).await;
                let healthy = snapshot.health(&target, HealthType::Maint).map(|h| h.is_nonnegative()).unwrap_or(false)
                    && snapshot.account(&target).unwrap().being_liquidated == 0;
                let outcome = market
                    .env
                    .liquidate(&liquidator, &target, &usdc, &sol, &pay, &receive, random.amount(2_000 * USDC))
                    .await;
                if healthy {
                    assert!(outcome.is_err(), "seed {seed} step {step}: a healthy account was liquidated");
                }
                if outcome.is_ok() {
                    liquidations += 1;
                }
                outcome
            }
            10 => {
                // The lender holds no debt: withdrawing what it holds and the vault can pay must go through.
                let snapshot = market.env.snapshot(&market.lender_account, &[]).await;
                let held =
                    snapshot.health_positions(&market.lender_account).unwrap().first().map_or(0, |p| p.deposit_tokens);
                // What the vault can pay once the withdraw has accrued the bank (the fees it owes grow with it).
                let state = market.env.bank_state(&usdc.bank).await.accrued_to(market.env.now).unwrap();
                let free = market.env.balance(&usdc.vault).await.saturating_sub(state.pending_insurance_fees);
                let amount = (1 + random.below(20_000 * USDC)).min(held).min(free);
                if amount == 0 {
                    Ok(())
                } else {
                    let account = market.lender_account;
                    let outcome = market.env.withdraw(&lender, &account, &usdc, &lender_wallet, amount).await;
                    // Only a bank pause, which lasts at most the group's max pause, may hold a debt-free lender.
                    let paused = state.is_paused(market.env.now);
                    if !(paused && outcome == Err(code(margin::errors::MarginError::BankNotActive))) {
                        assert_eq!(outcome, Ok(()), "seed {seed} step {step}: a debt-free lender was refused {amount}");
                    }
                    outcome
                }
            }
            11 => {
                // The guardian: pause the group (any duration, 0 and beyond the limit included), or tighten the
                // USDC bank to paused or reduce-only; or a stranger tries to lift the pause.
                // A bank stays reduce-only once tightened (only a proposal reopens it), so tightening waits for
                // the last quarter of the sequence: the first three keep borrowers and liquidators busy.
                let guardian = market.env.guardian.insecure_clone();
                let late = step >= steps * 3 / 4;
                match random.below(4) {
                    0 => market.env.pause_group(&guardian, random.amount(3_600) as u32).await,
                    1 | 2 if late => {
                        let params = market.env.bank_state(&usdc.bank).await.params();
                        let status = if random.below(2) == 0 { BankStatus::Paused } else { BankStatus::ReduceOnly };
                        market.env.tighten_bank(&guardian, &usdc.bank, BankParams { status, ..params }).await
                    }
                    _ => market.env.unpause_group_as(&owner).await,
                }
            }
            _ => market.env.accrue_interest(if random.below(2) == 0 { &sol } else { &usdc }).await,
        };
        match &result {
            Ok(()) => landed += 1,
            Err(failure) => {
                refused += 1;
                assert_named(failure, step, seed);
            }
        }
        let now =
            [ledger_total(&mut market.env, &sol_accounts).await, ledger_total(&mut market.env, &usdc_accounts).await];
        assert_eq!(now, ledger, "seed {seed} step {step}: tokens created or lost");
        for bank in [&sol, &usdc] {
            let state = market.env.bank_state(&bank.bank).await;
            let (deposits, borrows) = sum_of_positions(&mut market.env, &accounts, &bank.bank).await;
            assert_eq!(
                (state.deposit_shares, state.borrow_shares),
                (deposits, borrows),
                "seed {seed} step {step}: totals"
            );
        }
    }
    market.assert_vaults().await;
    println!(
        "fuzz seed {seed}: {steps} steps, {landed} landed, {refused} refused by name, {liquidations} liquidations"
    );
    assert!(landed > steps / 4 && refused > 0, "the sequence exercised both paths: {landed} landed, {refused} refused");
}
