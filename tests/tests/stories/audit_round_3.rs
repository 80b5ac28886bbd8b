//! The second independent audit's findings (issue 21), each written as the attack it describes, against the
//! program as it now stands: `finding_n_*` for finding n. Finding 14 (numerics) is in the engine's own
//! differential test, `crates/margin-risk/tests/differential.rs` (`finding_14*` and the properties there).

use margin::errors::MarginError;
use margin::events::{BankruptcyResolved, Liquidated, LiquidationFlagCleared};
use margin::instructions::GroupChangeArgs;
use margin::state::{BankParams, BankStatus, GovernanceSettings, RiskParams};
use margin_risk::health::{compute_health, HealthType};
use margin_risk::interest::{deposit_tokens_of, INDEX_SCALE};
use margin_tests::pyth::PriceUpdate;
use margin_tests::*;
use solana_sdk::instruction::AccountMeta;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

const DAY: i64 = 86_400;
const DELAY: i64 = 2 * DAY;

/// Maint and LiqEnd of `account` now (the program's health, computed by the SDK), as signed quote units.
async fn maint_and_liq_end(env: &mut Env, account: &Pubkey) -> (i64, i64) {
    let view = env.health_view(account).await;
    let value = |health_type| compute_health(&view, health_type).unwrap().value().unwrap();
    (value(HealthType::Maint), value(HealthType::LiqEnd))
}

/// A funded keypair with a cross margin account (index 0): (keypair, account).
async fn someone_with_an_account(env: &mut Env) -> (Keypair, Pubkey) {
    let keypair = env.funded_keypair().await;
    let account = env.open_account(&keypair, 0, 0).await.unwrap();
    (keypair, account)
}

// Finding 1 (high): an emptied collateral vault blocked every liquidation.

#[tokio::test]
async fn finding_1_an_account_below_maint_is_liquidated_whatever_the_collateral_vault_holds() {
    // The audit's setting: a 10 SOL / 1,100 USDC account; a second account lends 10 SOL; a third borrows
    // 18 SOL (90 %); the lender withdraws the last 2. The SOL vault is empty.
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let sol = market.sol;
    let (sol_lender, sol_lender_account) = someone_with_an_account(&mut market.env).await;
    let lender_wallet = market.env.funded_token_account(&sol_lender.pubkey(), &sol, 10 * SOL).await;
    market.env.deposit(&sol_lender, &sol_lender_account, &sol, &lender_wallet, 10 * SOL).await.unwrap();
    let (borrower, borrower_account) = someone_with_an_account(&mut market.env).await;
    let usdc = market.usdc;
    let borrower_usdc = market.env.funded_token_account(&borrower.pubkey(), &usdc, 10_000 * USDC).await;
    market.env.deposit(&borrower, &borrower_account, &usdc, &borrower_usdc, 10_000 * USDC).await.unwrap();
    let borrower_sol = market.env.funded_token_account(&borrower.pubkey(), &sol, 0).await;
    market.env.borrow(&borrower, &borrower_account, &sol, &borrower_sol, 18 * SOL).await.unwrap();
    market.env.withdraw(&sol_lender, &sol_lender_account, &sol, &lender_wallet, 2 * SOL).await.unwrap();
    assert_eq!(market.env.balance(&sol.vault).await, 0, "the collateral vault is empty");

    // SOL −47 %: the trader is deep below Maint.
    market.set_prices(79_50000000, 7_950_000);
    let account = market.trader_account;
    let (maint, _) = maint_and_liq_end(&mut market.env, &account).await;
    assert!(maint < -400_000_000, "Maint {maint}");
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    // Without a margin account to take the collateral in, the refusal is named (it used to be SPL Token's
    // insufficient funds, Custom(1), for every liquidator).
    let refused = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(refused, Err(code(MarginError::CollateralVaultShort)));
    // With its own margin account, the liquidator takes the collateral as a deposit there.
    let liquidator_account = market.env.open_account(&liquidator, 0, 0).await.unwrap();
    market.env.receive_account = Some(liquidator_account);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    let event = market.env.events::<Liquidated>().remove(0);
    assert!(event.seized_as_deposit && event.seized_to_liquidator > 0);
    assert_eq!(market.env.balance(&receive).await, 0, "no token left the empty vault");
    let credited = market.env.account_state(&liquidator_account).await;
    let sol_index = market.env.bank_state(&sol.bank).await.deposit_index;
    let held = deposit_tokens_of(credited.positions[0].deposit_shares, sol_index).unwrap();
    assert_eq!(credited.positions[0].bank, sol.bank);
    assert!(
        held <= event.seized_to_liquidator && event.seized_to_liquidator - held <= 1,
        "{held} for {}",
        event.seized_to_liquidator
    );
    let (maint_after, _) = maint_and_liq_end(&mut market.env, &account).await;
    assert!(maint_after > maint, "the liquidation helped: {maint} → {maint_after}");
    market.assert_vaults().await;
    // A wrong receiving account is refused by name: another owner's, or the liquidatee itself.
    market.env.receive_account = Some(sol_lender_account);
    let foreign = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(foreign, Err(code(MarginError::NotOwner)));
    market.env.receive_account = Some(account);
    let itself = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(itself, Err(code(MarginError::SelfLiquidation)));
}

// Finding 2 (medium): an unrelated pending proposal undid the guardian's tightening.

#[tokio::test]
async fn finding_2_executing_a_proposal_never_loosens_what_the_guardian_tightened_since() {
    let mut market = Market::new().await;
    let sol = market.sol.bank;
    let base = market.env.bank_state(&sol).await.params();
    // An unrelated proposal: the max bonus 8 % → 9 %.
    let bonus = BankParams { risk: RiskParams { max_bonus_bps: 900, ..base.risk }, ..base };
    let proposal = market.env.propose_bank_change(&sol, bonus).await.unwrap();
    // Meanwhile the guardian makes the bank reduce-only and cuts its Init weight 8000 → 7600.
    let guardian = market.env.guardian.insecure_clone();
    let tightened = BankParams {
        risk: RiskParams { init_asset_weight_bps: 7_600, ..base.risk },
        status: BankStatus::ReduceOnly,
        ..base
    };
    market.env.tighten_bank(&guardian, &sol, tightened).await.unwrap();
    market.env.advance(DELAY);
    let anyone = market.env.funded_keypair().await;
    market.env.execute_bank_change(&anyone, &proposal, &sol).await.unwrap();
    let after = market.env.bank_state(&sol).await.params();
    assert_eq!(after.risk.max_bonus_bps, 900, "the proposal's own change applies");
    assert_eq!(after.status, BankStatus::ReduceOnly, "it used to go back to Active");
    assert_eq!(after.risk.init_asset_weight_bps, 7_600, "it used to go back to 8000");
    assert_eq!(after, BankParams { risk: RiskParams { max_bonus_bps: 900, ..tightened.risk }, ..tightened });
}

// Finding 3 (medium): lenders exited ahead of a write-off and the next depositor paid.

#[tokio::test]
async fn finding_3_the_liquidation_that_takes_the_last_collateral_books_the_loss_so_nobody_runs_ahead() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    market.set_prices(50_00000000, 5_000_000); // 10 SOL = $500 against $1,100
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let lender_before = market.env.health_view(&market.lender_account.clone()).await[0].deposit_tokens;
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    // Booked in the same instruction: the lender's deposit already bears the loss, the account owes nothing.
    let resolved = market.env.events::<BankruptcyResolved>();
    assert_eq!(resolved.len(), 1);
    let lender_after = market.env.health_view(&market.lender_account.clone()).await[0].deposit_tokens;
    assert!(lender_before - lender_after >= resolved[0].socialized && resolved[0].socialized > 500 * USDC);
    assert!(!market.env.account_state(&account).await.has_debt());
    // With the debt gone the flag is down, and the liquidation's event says what the account holds.
    assert_eq!(market.env.account_state(&account).await.being_liquidated, 0);
    assert!(!market.env.events::<Liquidated>()[0].being_liquidated);
    // A newcomer depositing now buys in at the written-down index: its 10,000 USDC stay 10,000 (to a unit),
    // where the audit saw them worth 9,358 after a resolve that came later.
    let (newcomer, newcomer_account) = someone_with_an_account(&mut market.env).await;
    let wallet = market.env.funded_token_account(&newcomer.pubkey(), &usdc, 10_000 * USDC).await;
    market.env.deposit(&newcomer, &newcomer_account, &usdc, &wallet, 10_000 * USDC).await.unwrap();
    let worth = market.env.health_view(&newcomer_account).await[0].deposit_tokens;
    assert!(worth >= 10_000 * USDC - 1, "{worth}");
    market.assert_vaults().await;
}

#[tokio::test]
async fn finding_3_resolve_is_never_blocked_by_a_pause_and_a_loss_beyond_the_deposits_is_booked_as_far_as_it_goes() {
    // A USDT bank whose only lender deposits 1,000 USDT; the trader borrows all of it against SOL and also
    // keeps a dust USDT-like position in a third bank, so the liquidation cannot book the loss itself.
    let mut market = Market::with_sol_collateral().await;
    let usdt = market.env.add_bank(6, USDC_PRICE, USDC_CONF, stable_config(3)).await.unwrap();
    let (lender, lender_account) = someone_with_an_account(&mut market.env).await;
    let lender_usdt = market.env.funded_token_account(&lender.pubkey(), &usdt, 1_000 * USDC).await;
    market.env.deposit(&lender, &lender_account, &usdt, &lender_usdt, 1_000 * USDC).await.unwrap();
    let dusty = market.env.add_bank(6, USDC_PRICE, USDC_CONF, stable_config(4)).await.unwrap();
    let (trader, account, sol) = (market.trader.insecure_clone(), market.trader_account, market.sol);
    let dust_wallet = market.env.funded_token_account(&trader.pubkey(), &dusty, 10).await;
    market.env.deposit(&trader, &account, &dusty, &dust_wallet, 10).await.unwrap();
    let trader_usdt = market.env.funded_token_account(&trader.pubkey(), &usdt, 0).await;
    // 90 % utilization is the most a borrow may take: 900 USDT.
    market.env.borrow(&trader, &account, &usdt, &trader_usdt, 900 * USDC).await.unwrap();
    market.set_prices(20_00000000, 2_000_000); // 10 SOL = $200 against $900
    market.env.set_price(&usdt, USDC_PRICE, USDC_CONF);
    market.env.set_price(&dusty, USDC_PRICE, USDC_CONF);
    let (liquidator, _, receive) = market.liquidator(0).await;
    let pay = market.env.funded_token_account(&liquidator.pubkey(), &usdt, 10_000 * USDC).await;
    market.env.liquidate(&liquidator, &account, &usdt, &sol, &pay, &receive, u64::MAX).await.unwrap();
    assert!(market.env.events::<BankruptcyResolved>().is_empty(), "the dust deposit keeps it for resolve");
    // The lender withdraws every idle token, then the guardian pauses the group: resolve still runs.
    let idle = market.env.balance(&usdt.vault).await;
    market.env.withdraw(&lender, &lender_account, &usdt, &lender_usdt, idle).await.unwrap();
    let guardian = market.env.guardian.insecure_clone();
    market.env.pause_group(&guardian, 3_600).await.unwrap();
    market.env.resolve_bankruptcy(&account, &usdt).await.unwrap();
    let resolved = market.env.events::<BankruptcyResolved>().remove(0);
    // Deposits left ≈ the loss: it used to fail (LossExceedsDeposits) and wait for a newcomer's money. Now the
    // depositors bear what they hold, down to the index floor, and the rest is recorded on the bank.
    assert_eq!(resolved.from_insurance + resolved.socialized + resolved.unbooked, resolved.debt_written_off);
    let state = market.env.bank_state(&usdt.bank).await;
    assert_eq!(state.unbooked_bad_debt, resolved.unbooked);
    assert_eq!(state.deposit_index, resolved.new_deposit_index);
    assert!(state.deposit_index >= margin_risk::bankruptcy::MIN_DEPOSIT_INDEX);
    assert!(!market.env.account_state(&account).await.has_debt());
    market.env.assert_vault_covers(&usdt).await;
}

// Finding 4 (medium): collateral worth less than one debt share kept bad debt on the books for ever.

#[tokio::test]
async fn finding_4_collateral_worth_less_than_one_debt_share_is_forfeit_and_the_debt_written_off() {
    let mut market = Market::new().await;
    let (sol, usdc) = (market.sol, market.usdc);
    let usdt = market.env.add_bank(6, USDC_PRICE, USDC_CONF, stable_config(3)).await.unwrap();
    let (usdt_lender, usdt_lender_account) = someone_with_an_account(&mut market.env).await;
    let lender_usdt = market.env.funded_token_account(&usdt_lender.pubkey(), &usdt, 100_000 * USDC).await;
    market.env.deposit(&usdt_lender, &usdt_lender_account, &usdt, &lender_usdt, 100_000 * USDC).await.unwrap();
    // The audit's account: 1 µUSDC + 10 SOL of collateral, 1,100 USDT of debt.
    let (attacker, account) = someone_with_an_account(&mut market.env).await;
    let one_unit = market.env.funded_token_account(&attacker.pubkey(), &usdc, 1).await;
    let attacker_sol = market.env.funded_token_account(&attacker.pubkey(), &sol, 10 * SOL).await;
    let attacker_usdt = market.env.funded_token_account(&attacker.pubkey(), &usdt, 0).await;
    market.env.deposit(&attacker, &account, &usdc, &one_unit, 1).await.unwrap();
    market.env.deposit(&attacker, &account, &sol, &attacker_sol, 10 * SOL).await.unwrap();
    market.env.borrow(&attacker, &account, &usdt, &attacker_usdt, 1_100 * USDC).await.unwrap();
    // A month of interest takes the USDT borrow index above 1; then SOL crashes and is seized.
    market.env.advance(30 * DAY);
    market.set_prices(50_00000000, 5_000_000);
    market.env.set_price(&usdt, USDC_PRICE, USDC_CONF);
    market.env.accrue_interest(&usdt).await.unwrap();
    assert!(market.env.bank_state(&usdt.bank).await.borrow_index > INDEX_SCALE);
    let (liquidator, _, receive_sol) = market.liquidator(0).await;
    let pay = market.env.funded_token_account(&liquidator.pubkey(), &usdt, 10_000 * USDC).await;
    market.env.liquidate(&liquidator, &account, &usdt, &sol, &pay, &receive_sol, u64::MAX).await.unwrap();
    assert!(market.env.account_state(&account).await.has_debt());
    // Seizing the 1 µUSDC: it used to fail (RepayBelowOneShare), and resolve with it (NotBankrupt). It is
    // forfeit to the USDC depositors, nothing paid, and the debt it cannot repay is written off at once.
    let receive_usdc = market.env.funded_token_account(&liquidator.pubkey(), &usdc, 0).await;
    let paid_before = market.env.balance(&pay).await;
    market.env.liquidate(&liquidator, &account, &usdt, &usdc, &pay, &receive_usdc, u64::MAX).await.unwrap();
    let event = market.env.events::<Liquidated>().remove(0);
    assert_eq!((event.repaid, event.seized_to_liquidator, event.collateral_forfeit), (0, 0, 1));
    assert_eq!(market.env.balance(&pay).await, paid_before);
    let resolved = market.env.events::<BankruptcyResolved>();
    assert_eq!(resolved.len(), 1);
    assert!(resolved[0].debt_written_off > 600 * USDC, "the bad debt is off the books");
    // 30 days later nothing has grown: there is no debt left to charge interest on, nor lenders credited
    // interest nobody pays.
    assert!(!market.env.account_state(&account).await.has_debt());
    assert_eq!(market.env.bank_state(&usdt.bank).await.borrow_shares, 0);
    market.env.advance(30 * DAY);
    market.env.accrue_interest(&usdt).await.unwrap();
    assert_eq!(market.env.bank_state(&usdt.bank).await.borrow_shares, 0);
    market.env.assert_vault_covers(&usdt).await;
    market.env.assert_vault_covers(&usdc).await;
}

// Finding 5 (medium): the liquidation flag outlived a full recovery.

#[tokio::test]
async fn finding_5_a_liquidation_attempt_on_a_recovered_account_clears_its_flag() {
    let (mut market, (liquidator, pay, receive)) = Market::partially_liquidated().await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    // SOL back at $150: Maint and LiqEnd ≥ 0. An attempt now moves nothing and clears the flag.
    market.set_prices(SOL_PRICE, SOL_CONF);
    let (maint, liq_end) = maint_and_liq_end(&mut market.env, &account).await;
    assert!(maint >= 0 && liq_end >= 0);
    let (pay_before, receive_before) = (market.env.balance(&pay).await, market.env.balance(&receive).await);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    assert_eq!(market.env.events::<LiquidationFlagCleared>().len(), 1);
    assert!(market.env.events::<Liquidated>().is_empty());
    assert_eq!((market.env.balance(&pay).await, market.env.balance(&receive).await), (pay_before, receive_before));
    assert_eq!(market.env.account_state(&account).await.being_liquidated, 0);
    // A month later at $130.50 the account is Maint-healthy (LiqEnd < 0): it is not liquidated.
    market.env.advance(30 * DAY);
    market.set_prices(130_50000000, 13_050_000);
    let (maint, liq_end) = maint_and_liq_end(&mut market.env, &account).await;
    assert!(maint >= 0 && liq_end < 0, "the audit's setting: Maint {maint}, LiqEnd {liq_end}");
    let attempt = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(attempt, Err(code(MarginError::NotLiquidatable)));
    assert_eq!(market.env.balance(&receive).await, receive_before);
}

// Finding 6 (low): anyone could resolve a healthy account and burn its deposits.

#[tokio::test]
async fn finding_6_only_an_account_under_water_has_its_dust_burned() {
    let mut market = Market::new().await;
    let usdc = market.usdc;
    // A USDT bank with a 1 USDT dust threshold.
    let config = with_params(stable_config(3), |params| params.limits.dust_threshold = USDC);
    let usdt = market.env.add_bank(6, USDC_PRICE, USDC_CONF, config).await.unwrap();
    // 0.90 USDT deposited, 0.40 USDC owed: Maint ≈ +$0.47.
    let (owner, account) = someone_with_an_account(&mut market.env).await;
    let owner_usdt = market.env.funded_token_account(&owner.pubkey(), &usdt, 900_000).await;
    market.env.deposit(&owner, &account, &usdt, &owner_usdt, 900_000).await.unwrap();
    let owner_usdc = market.env.funded_token_account(&owner.pubkey(), &usdc, 0).await;
    market.env.borrow(&owner, &account, &usdc, &owner_usdc, 400_000).await.unwrap();
    let (maint, _) = maint_and_liq_end(&mut market.env, &account).await;
    assert!(maint > 400_000, "Maint {maint}");
    // A stranger's resolve: refused, the deposit intact (it used to be burned and the debt socialised).
    assert_eq!(market.env.resolve_bankruptcy(&account, &usdc).await, Err(code(MarginError::NotBankrupt)));
    let state = market.env.account_state(&account).await;
    assert!(state.positions[0].deposit_shares > 0 && state.has_debt());
    // The USDT feed reports a collapse to $0.20: under water, the dust is forfeit and the debt written off.
    market.env.set_price(&usdt, 20_000_000, 20_000);
    market.env.set_price(&usdc, USDC_PRICE, USDC_CONF);
    assert!(maint_and_liq_end(&mut market.env, &account).await.0 < 0);
    market.env.resolve_bankruptcy(&account, &usdc).await.unwrap();
    assert_eq!(market.env.events::<margin::events::DepositForfeited>()[0].tokens, 900_000);
    assert!(market.env.account_state(&account).await.is_empty());
}

// Finding 7 (low): a price older than one already used was accepted.

#[tokio::test]
async fn finding_7_a_bank_never_uses_a_price_older_than_the_last_it_used() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    // A verified SOL update at $115, published now; kept aside.
    let older = PriceUpdate::new(sol.feed_id, 115_00000000, 11_500_000, market.env.now);
    // Ten seconds on, SOL trades at $120 and a partial liquidation uses it: the SOL bank records its time.
    market.env.advance(10);
    market.set_prices(120_00000000, 12_000_000);
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 100 * USDC).await.unwrap();
    assert_eq!(market.env.bank_state(&sol.bank).await.last_price_publish_time, market.env.now);
    // The feed account rewritten with the older update (Pyth's push oracle never does this; an account
    // anyone posts through the receiver could be): refused by name, whatever it would have allowed.
    market.env.set_price_account(&sol.price_account, &older);
    let refused = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(refused, Err(code(MarginError::PriceOlderThanLastUsed)));
    // Clients judge it as the program does (the SDK's snapshot runs the program's price check).
    let view = market.env.health_view(&account).await;
    assert_eq!(view[0].price, Err(margin_risk::RiskError::PriceOlderThanLastUsed));
    // And listings pin only the feed's push-oracle account: `setup::add_bank_refuses_price_accounts_...`.
    assert_eq!(sol.price_account, margin_sdk::addresses::push_feed(&sol.feed_id));
}

// Finding 8 (low): coarse tokens lost a native unit per action.

#[tokio::test]
async fn finding_8_a_token_whose_native_unit_is_worth_a_cent_or_more_is_not_listed() {
    let mut env = Env::new().await;
    // The audit's token: 0 decimals at $19. One native unit would be rounded per action: refused, named.
    let coarse = env.add_bank(0, 19_00000000, 1_900_000, volatile_config(7)).await;
    assert_eq!(coarse.err(), Some(code(MarginError::NativeUnitTooValuable)));
    // $0.0099 a native unit is listed (2 decimals at $0.99), and so is BTC-like at 8 decimals.
    env.add_bank(2, 99_000_000, 99_000, volatile_config(8)).await.unwrap();
    env.add_bank(8, 9_900_000_000_000, 99_000_000, volatile_config(9)).await.unwrap();
}

// Finding 9 (low): the insurance fee landed where bankruptcy never draws.

#[tokio::test]
async fn finding_9_the_insurance_fee_is_paid_in_the_debt_token_and_covers_that_banks_bad_debt() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    // A partial liquidation at $120: the 1 % fee goes to the USDC bank's insurance vault, in USDC.
    market.set_prices(120_00000000, 12_000_000);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 100 * USDC).await.unwrap();
    let fee = market.env.events::<Liquidated>()[0].insurance_fee;
    assert_eq!(fee, USDC);
    assert_eq!(market.env.balance(&usdc.insurance_vault).await, fee);
    assert_eq!(market.env.balance(&sol.insurance_vault).await, 0);
    // The crash that follows leaves bad debt: the fee is the first thing that covers it.
    market.set_prices(40_00000000, 4_000_000);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    let fees = fee + market.env.events::<Liquidated>()[0].insurance_fee;
    let resolved = market.env.events::<BankruptcyResolved>().remove(0);
    assert_eq!(resolved.from_insurance, fees, "every fee paid into the USDC insurance vault covers USDC bad debt");
    assert_eq!(market.env.balance(&usdc.insurance_vault).await, 0);
}

// Finding 10: the dust defences were off by default.

#[tokio::test]
async fn finding_10_a_dust_threshold_of_zero_or_under_a_cent_is_refused_and_the_defaults_are_on() {
    let mut env = Env::new().await;
    assert!(volatile_params().limits.dust_threshold > 0 && stable_params().limits.dust_threshold > 0);
    // A listing that switches the defence off, or sets it below a cent: refused by name.
    let off = with_params(volatile_config(1), |params| params.limits.dust_threshold = 0);
    let mint = env.create_mint(9).await;
    let price_account = margin_sdk::addresses::push_feed(&[1; 32]);
    env.set_price_account(&price_account, &PriceUpdate::new([1; 32], 150_00000000, 15_000_000, env.now));
    assert_eq!(
        env.propose_listing(mint, price_account, off).await.err(),
        Some(code(MarginError::InvalidDustThreshold))
    );
    let sol = env.add_bank(9, 150_00000000, 15_000_000, volatile_config(1)).await.unwrap();
    // A proposal (or a tightening) can never take it to 0 either.
    let params = env.bank_state(&sol.bank).await.params();
    let zero = BankParams { limits: margin::state::LimitParams { dust_threshold: 0, ..params.limits }, ..params };
    assert_eq!(env.propose_bank_change(&sol.bank, zero).await, Err(code(MarginError::InvalidDustThreshold)));
    // Under a cent at the listing price ($0.0075 of a 9-decimal $150 token): refused at add_bank.
    let mint = env.create_mint(9).await;
    let price_account = margin_sdk::addresses::push_feed(&[2; 32]);
    env.set_price_account(&price_account, &PriceUpdate::new([2; 32], 150_00000000, 15_000_000, env.now));
    let cheap_dust = with_params(volatile_config(2), |params| params.limits.dust_threshold = 50_000);
    let now = env.now;
    env.set_clock(now - DELAY);
    let proposal = env.propose_listing(mint, price_account, cheap_dust).await.unwrap();
    env.set_clock(now);
    env.set_price_account(&price_account, &PriceUpdate::new([2; 32], 150_00000000, 15_000_000, env.now));
    let listed = env.execute_listing(&proposal, mint, price_account, anchor_spl::token::ID).await;
    assert_eq!(listed.err(), Some(code(MarginError::InvalidDustThreshold)));
}

#[tokio::test]
async fn finding_10_an_owners_dust_deposit_in_an_unpriceable_bank_does_not_block_its_liquidation() {
    // With the default dust threshold, the owner's 1-lamport deposit in a bank whose price is stale counts 0.
    let (mut market, _, _) = Market::with_stale_deposit(volatile_config(5), 1, 1).await;
    let account = market.trader_account;
    let (liquidator, pay, receive) = market.liquidator(1_000 * USDC).await;
    let (usdc, sol) = (market.usdc, market.sol);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 10 * USDC).await.unwrap();
    assert!(market.env.balance(&receive).await > 0);
}

// Finding 11: a wide confidence interval froze liquidation in a crash.

#[tokio::test]
async fn finding_11_an_interval_wider_than_the_liquidation_limit_still_liquidates_an_account_under_water() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    // A crash to $90 with Pyth's interval at 7 % of the price (the SOL bank's liquidation limit is 5 %):
    // under water by every reading of the interval ($83.70 to $96.30 × 10 SOL < $1,100 of debt).
    market.set_prices(90_00000000, 6_30000000);
    let (maint, _) = maint_and_liq_end(&mut market.env, &account).await;
    assert!(maint < 0);
    // It used to be refused (ConfidenceTooWideToLiquidate) until the interval narrowed; now the haircut is
    // the one at the limit, and the liquidation goes ahead.
    // The same crash at exactly the limit's width prices the same (the cap is continuous), and the wide
    // interval backs no new risk.
    let view_wide = market.env.health_view(&account).await;
    assert!(!view_wide[0].price.unwrap().usable_to_open);
    let at_limit = PriceUpdate::new(sol.feed_id, 90_00000000, 4_50000000, market.env.now);
    market.env.set_price_account(&sol.price_account, &at_limit);
    let view_at_limit = market.env.health_view(&account).await;
    assert_eq!(view_wide[0].price.unwrap().maint_asset, view_at_limit[0].price.unwrap().maint_asset);
    market.set_prices(90_00000000, 6_30000000);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    let event = market.env.events::<Liquidated>().remove(0);
    assert!(event.repaid > 0 && event.seized_to_liquidator == 10 * SOL, "all the collateral goes");
    market.assert_vaults().await;
}

// Finding 12: an account held mutably, passed in a price slot, failed with an unnamed borrow error.

#[tokio::test]
async fn finding_12_an_account_the_instruction_holds_passed_as_a_price_is_refused_by_name() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    market.set_prices(120_00000000, 12_000_000);
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    // In the SOL position's price slot: the liquidatee (held mutably), the debt bank, the collateral bank.
    for held in [account, usdc.bank, sol.bank] {
        let mut ix = market
            .env
            .liquidate_instruction(&liquidator.pubkey(), &account, (&usdc, &sol), &pay, &receive, u64::MAX)
            .await;
        let slot = ix.accounts.len() - 3; // remaining: SOL bank, SOL price, USDC bank, USDC price
        ix.accounts[slot] = AccountMeta::new_readonly(held, false);
        let result = market.env.send(&[ix], &[&liquidator]).await;
        assert_eq!(result, Err(code(MarginError::WrongPriceAccount)), "{held}");
    }
}

// Finding 13: one proposal replaced both roles and shortened the delay, the new admin's next change coming
// after the short delay.

#[tokio::test]
async fn finding_13_a_shortened_delay_takes_effect_only_after_the_delay_it_replaced() {
    let mut market = Market::new().await;
    let (new_admin, new_guardian) = (Keypair::new(), Keypair::new());
    let short = GovernanceSettings { timelock_delay_seconds: 3_600, ..governance_settings() };
    let takeover = GroupChangeArgs { admin: new_admin.pubkey(), guardian: new_guardian.pubkey(), settings: short };
    let proposal = market.env.propose_group_change(takeover).await.unwrap();
    // The guardian cannot cancel a proposal that replaces it; the combination runs after the current delay.
    let guardian = market.env.guardian.insecure_clone();
    let cancel = market.env.cancel_proposal(&guardian, &proposal).await;
    assert_eq!(cancel, Err(code(MarginError::GuardianCannotCancelItsReplacement)));
    market.env.advance(DELAY);
    let anyone = market.env.funded_keypair().await;
    market.env.execute_group_change(&anyone, &proposal).await.unwrap();
    let group = market.env.group_state().await;
    assert_eq!((group.admin, group.governance.timelock_delay_seconds), (new_admin.pubkey(), 3_600));
    assert_eq!((group.delay_floor_seconds, group.delay_floor_until), (DELAY as u32, market.env.now + DELAY));
    // The new admin's first change still waits the old two days, not one hour: users have the notice they
    // were promised before the takeover.
    market.env.admin = new_admin.insecure_clone();
    let sol = market.sol.bank;
    let params = market.env.bank_state(&sol).await.params();
    let raise = BankParams { risk: RiskParams { init_asset_weight_bps: 8_500, ..params.risk }, ..params };
    let first = market.env.propose_bank_change(&sol, raise).await.unwrap();
    assert_eq!(market.env.proposal_state(&first).await.eta, market.env.now + DELAY);
    // Once the old delay has run since the change, the short one is in force.
    market.env.advance(DELAY);
    let later = BankParams { risk: RiskParams { max_bonus_bps: 900, ..params.risk }, ..params };
    let second = market.env.propose_bank_change(&sol, later).await.unwrap();
    assert_eq!(market.env.proposal_state(&second).await.eta, market.env.now + 3_600);
}
