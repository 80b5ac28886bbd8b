//! Correlation groups (issue 26, portfolio margin) in the program. Governance groups SOL with a SOL staking
//! token (LST) by a timelocked proposal that must hold a de-peg scenario; a trader who deposits SOL and
//! borrows LST is then charged for the hedge's worst leg and the spread, not for both legs: it borrows more,
//! exactly what the SDK computes; it survives a joint crash that makes the same account liquidatable under
//! per-position weights; when the LST de-pegs upward it becomes liquidatable and a liquidation by the SDK's
//! plan moves exactly the plan. Dissolving the group restores per-position weights.
use margin::errors::MarginError;
use margin::events::{CorrelationGroupChanged, Liquidated};
use margin::instructions::CorrelationGroupArgs;
use margin_risk::health::{compute_health, HealthType};
use margin_risk::portfolio::MAX_SCENARIOS;
use margin_tests::*;
use solana_sdk::instruction::AccountMeta;
use solana_sdk::signature::{Keypair, Signer};

/// Both −20 %, both +20 %, and the LST 5 % off SOL either way (the de-peg).
fn moves(depeg_bps: i16) -> [i16; MAX_SCENARIOS] {
    let mut moves = [0i16; MAX_SCENARIOS];
    moves[..4].copy_from_slice(&[-2_000, 2_000, depeg_bps, -depeg_bps]);
    moves
}

fn sol_lst_group() -> CorrelationGroupArgs {
    CorrelationGroupArgs { init_scale_bps: 12_000, moves_bps: vec![moves(0), moves(500)] }
}

/// The market, an LST bank at SOL's price with 1,000 LST lent, the trader's 10 SOL deposited.
async fn hedge_market() -> (Market, BankKeys) {
    let mut market = Market::with_sol_collateral().await;
    let lst = market.env.add_bank(9, SOL_PRICE, SOL_CONF, volatile_config(3)).await.unwrap();
    let lender = market.lender.insecure_clone();
    let wallet = market.env.funded_token_account(&lender.pubkey(), &lst, 1_000 * SOL).await;
    let lender_account = market.lender_account;
    market.env.deposit(&lender, &lender_account, &lst, &wallet, 1_000 * SOL).await.unwrap();
    (market, lst)
}

/// The trader borrows `amount` LST into a new wallet.
async fn borrow_lst(market: &mut Market, lst: &BankKeys, amount: u64) -> Result<(), Failure> {
    let trader = market.trader.insecure_clone();
    let wallet = market.env.funded_token_account(&trader.pubkey(), lst, 0).await;
    let account = market.trader_account;
    market.env.borrow(&trader, &account, lst, &wallet, amount).await
}

/// Maint health of the trader by per-position weights (as the program counted before groups).
async fn maint_alone(market: &mut Market) -> i64 {
    let positions = market.env.health_view(&market.trader_account.clone()).await;
    compute_health(&positions, HealthType::Maint).unwrap().value().unwrap()
}

#[tokio::test]
async fn governance_forms_a_group_only_by_a_timelocked_proposal_with_a_depeg_for_every_pair() {
    let (mut market, lst) = hedge_market().await;
    let (sol, usdc) = (market.sol.bank, market.usdc.bank);
    let banks = [sol, lst.bank];
    let refused = [
        (
            vec![sol],
            CorrelationGroupArgs { moves_bps: vec![moves(0)], ..sol_lst_group() },
            MarginError::InvalidCorrelationGroup,
        ),
        (
            banks.to_vec(),
            CorrelationGroupArgs { moves_bps: vec![moves(0), moves(99)], ..sol_lst_group() },
            MarginError::InvalidCorrelationGroup,
        ),
        (
            banks.to_vec(),
            CorrelationGroupArgs { moves_bps: vec![moves(0)], ..sol_lst_group() },
            MarginError::InvalidCorrelationGroup,
        ),
        (
            banks.to_vec(),
            CorrelationGroupArgs { init_scale_bps: 30_001, ..sol_lst_group() },
            MarginError::InvalidCorrelationGroup,
        ),
        (vec![sol, sol], sol_lst_group(), MarginError::DuplicateBank),
        (vec![sol, usdc], CorrelationGroupArgs { init_scale_bps: 0, moves_bps: vec![] }, MarginError::NoChange),
    ];
    for (named, args, error) in refused {
        assert_eq!(market.env.propose_correlation_group(&named, args.clone()).await, Err(code(error)), "{args:?}");
    }
    // A bank of another group cannot be grouped in this one.
    let home = market.env.group;
    market.env.group = market.env.init_group(2).await.unwrap();
    let foreign = market.env.add_bank(6, USDC_PRICE, USDC_CONF, stable_config(9)).await.unwrap();
    market.env.group = home;
    let with_foreign = market.env.propose_correlation_group(&[sol, foreign.bank], sol_lst_group()).await;
    assert_eq!(with_foreign, Err(code(MarginError::WrongGroup)));
    // Only the admin proposes.
    let stranger = market.env.funded_keypair().await;
    let id = market.env.group_state().await.proposal_count;
    let by_stranger = margin_sdk::instructions::propose_correlation_group(
        &stranger.pubkey(),
        &stranger.pubkey(),
        &market.env.group,
        id,
        &banks,
        sol_lst_group(),
    );
    assert_eq!(market.env.send(&[by_stranger], &[&stranger]).await, Err(code(MarginError::NotAdmin)));

    // The proposal waits its eta; then anyone executes it on exactly its banks, writable, in its order.
    let proposal = market.env.propose_correlation_group(&banks, sol_lst_group()).await.unwrap();
    let executor = Keypair::new();
    let not_ready = market.env.execute_correlation_group(&executor, &proposal, &banks).await;
    assert_eq!(not_ready, Err(code(MarginError::ProposalNotReady)));
    let eta = market.env.proposal_state(&proposal).await.eta;
    market.env.advance(eta - market.env.now);
    market.set_prices(SOL_PRICE, SOL_CONF);
    for wrong in [vec![lst.bank, sol], vec![sol], vec![sol, lst.bank, usdc]] {
        let result = market.env.execute_correlation_group(&executor, &proposal, &wrong).await;
        assert_eq!(result, Err(code(MarginError::BadRemainingAccounts)), "{wrong:?}");
    }
    let mut read_only =
        margin_sdk::instructions::execute_correlation_group(&executor.pubkey(), &market.env.group, &proposal, &banks);
    read_only.accounts[3] = AccountMeta::new_readonly(sol, false);
    assert_eq!(market.env.send(&[read_only], &[&executor]).await, Err(code(MarginError::BadRemainingAccounts)));
    assert_eq!(market.env.execute_bank_change(&executor, &proposal, &sol).await, Err(code(MarginError::WrongProposal)));
    market.env.execute_correlation_group(&executor, &proposal, &banks).await.unwrap();
    let group_id = market.env.proposal_state(&proposal).await.id + 1;
    for (bank, expected) in banks.iter().zip([moves(0), moves(500)]) {
        let correlation = market.env.bank_state(bank).await.correlation;
        assert_eq!(
            (correlation.group_id, correlation.moves_bps, correlation.init_scale_bps),
            (group_id, expected, 12_000)
        );
    }
    assert_eq!(market.env.bank_state(&usdc).await.correlation.group_id, 0);
    let event = market.env.events::<CorrelationGroupChanged>().pop().unwrap();
    assert_eq!((event.group_id, event.banks, event.moves_bps), (group_id, banks.to_vec(), vec![moves(0), moves(500)]));
    let again = market.env.execute_correlation_group(&executor, &proposal, &banks).await;
    assert_eq!(again, Err(code(MarginError::ProposalNotPending)));

    // Dissolving goes through the same timelock; the banks are margined alone again.
    let dissolve = CorrelationGroupArgs { init_scale_bps: 0, moves_bps: vec![] };
    market.env.set_correlation_group(&banks, dissolve).await.unwrap();
    for bank in banks {
        assert_eq!(market.env.bank_state(&bank).await.correlation, Default::default());
    }
    assert_eq!(market.env.events::<CorrelationGroupChanged>().pop().unwrap().group_id, 0);
}

#[tokio::test]
async fn a_hedge_borrows_more_survives_a_joint_crash_and_is_liquidated_on_a_depeg_by_the_plan() {
    let (mut market, lst) = hedge_market().await;
    let account = market.trader_account;
    let max_alone = market.env.snapshot(&account, &[lst.bank]).await.max_borrow(&account, &lst.bank).unwrap();
    market.env.set_correlation_group(&[market.sol.bank, lst.bank], sol_lst_group()).await.unwrap();
    // Grouped: the SOL deposit hedges the LST debt, so the account borrows more, exactly the SDK's figure.
    let max_grouped = market.env.snapshot(&account, &[lst.bank]).await.max_borrow(&account, &lst.bank).unwrap();
    assert!(max_grouped > max_alone * 6 / 5, "{max_grouped} vs {max_alone}");
    assert_eq!(borrow_lst(&mut market, &lst, max_grouped + 1).await, Err(code(MarginError::InitHealthNegative)));
    borrow_lst(&mut market, &lst, max_grouped).await.unwrap();

    // SOL and LST fall 40 % together and their confidence widens to 1.8 %: per-position weights would
    // liquidate the account (each leg haircut on its own); the group, which charges the worst leg, does not.
    market.set_prices(90_00000000, 162_000_000);
    market.env.set_price(&lst, 90_00000000, 162_000_000);
    assert!(maint_alone(&mut market).await < 0);
    let snapshot = market.env.snapshot(&account, &[]).await;
    assert!(!snapshot.is_liquidatable(&account).unwrap());
    let liquidator = market.env.funded_keypair().await;
    let pay = market.env.funded_token_account(&liquidator.pubkey(), &lst, 20 * SOL).await;
    let receive = market.env.funded_token_account(&liquidator.pubkey(), &market.sol, 0).await;
    let sol = market.sol;
    let attempt = market.env.liquidate(&liquidator, &account, &lst, &sol, &pay, &receive, 20 * SOL).await;
    assert_eq!(attempt, Err(code(MarginError::NotLiquidatable)));

    // The LST de-pegs 10 % upward against SOL: now the hedge is short and Maint is below 0.
    market.env.set_price(&lst, 99_00000000, 178_000_000);
    let snapshot = market.env.snapshot(&account, &[]).await;
    assert!(snapshot.is_liquidatable(&account).unwrap());
    let plan = snapshot.plan_liquidation(&account, (&lst.bank, &sol.bank), 20 * SOL).unwrap();
    let debt_before = snapshot.health_positions(&account).unwrap()[1].borrow_tokens;
    market.env.liquidate(&liquidator, &account, &lst, &sol, &pay, &receive, 20 * SOL).await.unwrap();
    assert_eq!(market.env.balance(&receive).await, plan.seized_to_liquidator);
    assert_eq!(20 * SOL - market.env.balance(&pay).await, plan.repay_tokens + plan.insurance_fee_tokens);
    let after = market.env.snapshot(&account, &[]).await;
    assert_eq!(after.health_positions(&account).unwrap()[1].borrow_tokens, debt_before - plan.debt_cleared_tokens);
    let event = market.env.events::<Liquidated>().pop().unwrap();
    assert_eq!((event.repaid, event.seized_to_liquidator), (plan.repay_tokens, plan.seized_to_liquidator));
    assert!(plan.maint_after.value().unwrap() >= plan.maint_before.value().unwrap(), "{plan:?}");
    assert_eq!(after.health(&account, HealthType::Maint).unwrap(), plan.maint_after);
    market.assert_vaults().await;
    market.env.assert_vault_covers(&lst).await;
}

#[tokio::test]
async fn a_group_never_lends_against_a_bank_it_does_not_hold_and_unrelated_accounts_are_untouched() {
    let (mut market, lst) = hedge_market().await;
    let (account, usdc) = (market.trader_account, market.usdc.bank);
    let before = market.env.snapshot(&account, &[usdc]).await;
    market.env.set_correlation_group(&[market.sol.bank, lst.bank], sol_lst_group()).await.unwrap();
    let after = market.env.snapshot(&account, &[usdc]).await;
    // A long-only SOL account: the group's −20 % (×1.2 for Init) is charged next to SOL's own 20 % haircut, so
    // its USDC max borrow does not rise; Maint is the larger of the −20 % and SOL's own 10 %.
    let (before_max, after_max) =
        (before.max_borrow(&account, &usdc).unwrap(), after.max_borrow(&account, &usdc).unwrap());
    assert!(after_max <= before_max, "{after_max} vs {before_max}");
    assert_eq!(market.borrow_usdc(after_max + 1).await, Err(code(MarginError::InitHealthNegative)));
    market.borrow_usdc(after_max).await.unwrap();
    // An account in banks of no group is counted as before.
    let saver = market.env.funded_keypair().await;
    let saver_account = market.env.open_account(&saver, 0, 0).await.unwrap();
    let usdc_keys = market.usdc;
    let wallet = market.env.funded_token_account(&saver.pubkey(), &usdc_keys, 500 * USDC).await;
    market.env.deposit(&saver, &saver_account, &usdc_keys, &wallet, 500 * USDC).await.unwrap();
    let snapshot = market.env.snapshot(&saver_account, &[]).await;
    let positions = snapshot.health_positions(&saver_account).unwrap();
    for health_type in [HealthType::Init, HealthType::Maint] {
        let alone = compute_health(&positions, health_type).unwrap();
        assert_eq!(snapshot.health(&saver_account, health_type).unwrap(), alone);
    }
}
