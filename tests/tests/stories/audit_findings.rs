//! The independent audit's findings (issue 9), each written as the attack it describes: the attacker's
//! moves, and what the program now does instead of losing or freezing funds. Finding n is `finding_n_*`;
//! the two questions the audit left open are `settled_*`.

use margin::errors::MarginError;
use margin::events::{BankruptcyResolved, DepositForfeited, FeesSwept, LiquidationFlagCleared};
use margin::instructions::GroupChangeArgs;
use margin::state::{BankParams, BankStatus, GovernanceSettings, RiskParams};
use margin_risk::health::{compute_health, max_borrow, HealthPosition, HealthType};
use margin_risk::interest::{borrow_tokens_of, deposit_tokens_of, INDEX_SCALE};
use margin_risk::liquidation::{plan_liquidation, LiquidationPlan, LiquidationRequest, RepayLimit};
use margin_risk::price::{validate_price, PythPrice, MAX_PUBLISH_LEAD_SECONDS};
use margin_tests::pyth::PriceUpdate;
use margin_tests::*;
use solana_sdk::signature::{Keypair, Signer};

const DAY: i64 = 86_400;
const DELAY: i64 = 2 * DAY;
/// The test group's longest pause (`governance_settings`).
const MAX_PAUSE: i64 = 6 * 3_600;

/// The trader's USDC borrow limit as the program will compute it (client-side, banks accrued to now).
async fn usdc_borrow_limit(market: &mut Market) -> u64 {
    let account = market.trader_account;
    let mut view = market.env.health_view(&account).await;
    let state = market.env.account_state(&account).await;
    let index = match state.position_index(&market.usdc.bank) {
        Some(index) => index,
        None => {
            view.push(unpriced_position(market, &market.usdc.clone()).await);
            view.len() - 1
        }
    };
    max_borrow(&view, index).unwrap()
}

/// An empty position of `bank` at $1 ± 0.0001, for a borrow that opens it.
async fn unpriced_position(market: &mut Market, bank: &BankKeys) -> HealthPosition {
    let state = market.env.bank_state(&bank.bank).await;
    let now = market.env.now;
    let pyth = PythPrice {
        price: USDC_PRICE,
        conf: USDC_CONF,
        exponent: -8,
        publish_time: now,
        ema_price: USDC_PRICE,
        ema_conf: USDC_CONF,
    };
    let price = validate_price(&pyth, &state.oracle_config(), bank.decimals, now);
    HealthPosition { deposit_tokens: 0, borrow_tokens: 0, weights: state.weights(), price }
}

/// Maint and LiqEnd of the trader's account now, as the program computes them.
async fn maint_and_liq_end(market: &mut Market) -> (bool, bool) {
    let view = market.env.health_view(&market.trader_account.clone()).await;
    (
        compute_health(&view, HealthType::Maint).unwrap().is_nonnegative(),
        compute_health(&view, HealthType::LiqEnd).unwrap().is_nonnegative(),
    )
}

/// A stablecoin bank (6 decimals, $1) with `amount` deposited by a lender of its own.
async fn funded_stable_bank(market: &mut Market, feed_byte: u8, amount: u64) -> BankKeys {
    let bank = market.env.add_bank(6, USDC_PRICE, USDC_CONF, stable_config(feed_byte)).await.unwrap();
    let lender = market.env.funded_keypair().await;
    let account = market.env.open_account(&lender, 0, 0).await.unwrap();
    let wallet = market.env.funded_token_account(&lender.pubkey(), &bank, amount).await;
    market.env.deposit(&lender, &account, &bank, &wallet, amount).await.unwrap();
    bank
}

async fn sol_params(market: &mut Market) -> BankParams {
    market.env.bank_state(&market.sol.bank.clone()).await.params()
}

// Finding 1: the being-liquidated flag never cleared.

#[tokio::test]
async fn finding_1_an_account_that_repaid_and_borrowed_again_is_liquidatable_only_below_maint() {
    let (mut market, (liquidator, pay, receive)) = Market::partially_liquidated().await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);

    // The trader recovers and repays everything: the flag clears, with its event.
    market.set_prices(SOL_PRICE, SOL_CONF);
    let (trader, wallet) = (market.trader.insecure_clone(), market.trader_usdc);
    market.env.repay(&trader, &account, &usdc, &wallet, 0, true).await.unwrap();
    assert_eq!(market.env.account_state(&account).await.being_liquidated, 0);
    assert_eq!(market.env.events::<LiquidationFlagCleared>().len(), 1);

    // 30 days later it borrows again, to its Init limit; then SOL dips 13 %.
    market.env.advance(30 * DAY);
    market.set_prices(SOL_PRICE, SOL_CONF);
    let limit = usdc_borrow_limit(&mut market).await;
    market.borrow_usdc(limit).await.unwrap();
    market.set_prices(130_50000000, 13_050_000);
    assert_eq!(maint_and_liq_end(&mut market).await, (true, false), "the audit's setting: Maint ≥ 0 > LiqEnd");
    let seized_so_far = market.env.balance(&receive).await;
    let attempt = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(attempt, Err(code(MarginError::NotLiquidatable)));
    assert_eq!(market.env.balance(&receive).await, seized_so_far, "nothing seized from a Maint-healthy account");

    // Below Maint it is liquidatable again, as anyone's account is.
    market.set_prices(115_00000000, 11_500_000);
    assert!(!maint_and_liq_end(&mut market).await.0);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 10 * USDC).await.unwrap();
}

#[tokio::test]
async fn finding_1_a_passed_init_check_clears_the_flag_without_repaying_everything() {
    let (mut market, (liquidator, pay, receive)) = Market::partially_liquidated().await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);

    // SOL recovers; a 1-USDC borrow passes Init (so LiqEnd ≥ 0): the flag clears.
    market.set_prices(SOL_PRICE, SOL_CONF);
    market.borrow_usdc(USDC).await.unwrap();
    assert_eq!(market.env.account_state(&account).await.being_liquidated, 0);
    assert_eq!(market.env.events::<LiquidationFlagCleared>().len(), 1);
    market.set_prices(135_00000000, 13_500_000);
    assert_eq!(maint_and_liq_end(&mut market).await, (true, false));
    let attempt = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
    assert_eq!(attempt, Err(code(MarginError::NotLiquidatable)));
}

// Finding 2: a guardian key could freeze lenders for good.

#[tokio::test]
async fn finding_2_a_guardians_bank_pause_lapses_and_lenders_withdraw() {
    let mut market = Market::new().await;
    let guardian = market.env.guardian.insecure_clone();
    let (lender, lender_account, usdc) = (market.lender.insecure_clone(), market.lender_account, market.usdc);
    let wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 0).await;
    let paused = BankParams { status: BankStatus::Paused, ..market.env.bank_state(&usdc.bank).await.params() };
    market.env.tighten_bank(&guardian, &usdc.bank, paused).await.unwrap();
    let amount = 1_000 * USDC;
    let refused = market.env.withdraw(&lender, &lender_account, &usdc, &wallet, amount).await;
    assert_eq!(refused, Err(code(MarginError::BankNotActive)));
    market.env.advance(MAX_PAUSE - 1);
    let refused = market.env.withdraw(&lender, &lender_account, &usdc, &wallet, amount).await;
    assert_eq!(refused, Err(code(MarginError::BankNotActive)));
    // The pause lapses after the group's longest pause; the bank is reduce-only from then on.
    market.env.advance(1);
    market.env.withdraw(&lender, &lender_account, &usdc, &wallet, amount).await.unwrap();
    assert_eq!(market.env.balance(&wallet).await, amount);
    assert_eq!(
        market.env.deposit(&lender, &lender_account, &usdc, &wallet, USDC).await,
        Err(code(MarginError::BankNotActive))
    );
    // The guardian cannot renew it: status is already "paused"; going back needs a proposal first.
    assert_eq!(market.env.tighten_bank(&guardian, &usdc.bank, paused).await, Err(code(MarginError::NoChange)));
}

#[tokio::test]
async fn finding_2_the_guardian_cannot_cancel_the_proposal_that_replaces_it() {
    let mut market = Market::new().await;
    let guardian = market.env.guardian.insecure_clone();
    let admin = market.env.admin_key();
    let new_guardian = Keypair::new();
    let replace = GroupChangeArgs { admin, guardian: new_guardian.pubkey(), settings: governance_settings() };
    let replacement = market.env.propose_group_change(replace).await.unwrap();
    assert_eq!(
        market.env.cancel_proposal(&guardian, &replacement).await,
        Err(code(MarginError::GuardianCannotCancelItsReplacement))
    );
    // It still cancels other group changes.
    let slower = GovernanceSettings { timelock_delay_seconds: 3 * DAY as u32, ..governance_settings() };
    let other = GroupChangeArgs { admin, guardian: guardian.pubkey(), settings: slower };
    let other = market.env.propose_group_change(other).await.unwrap();
    market.env.cancel_proposal(&guardian, &other).await.unwrap();

    market.env.advance(DELAY);
    let anyone = market.env.funded_keypair().await;
    market.env.execute_group_change(&anyone, &replacement).await.unwrap();
    assert_eq!(market.env.group_state().await.guardian, new_guardian.pubkey());
    let sol = market.sol.bank;
    let base = sol_params(&mut market).await;
    let cut = BankParams { risk: RiskParams { init_asset_weight_bps: 7_000, ..base.risk }, ..base };
    assert_eq!(market.env.tighten_bank(&guardian, &sol, cut).await, Err(code(MarginError::NotAdminOrGuardian)));
}

#[tokio::test]
async fn finding_2_a_zero_max_utilization_stops_borrows_not_lenders() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let guardian = market.env.guardian.insecure_clone();
    let usdc = market.usdc;
    let base = market.env.bank_state(&usdc.bank).await.params();
    let frozen = BankParams { risk: RiskParams { max_utilization_bps: 0, ..base.risk }, ..base };
    market.env.tighten_bank(&guardian, &usdc.bank, frozen).await.unwrap();
    assert_eq!(market.borrow_usdc(USDC).await, Err(code(MarginError::UtilizationTooHigh)));
    let (lender, lender_account) = (market.lender.insecure_clone(), market.lender_account);
    let wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 0).await;
    market.env.withdraw(&lender, &lender_account, &usdc, &wallet, 1_000 * USDC).await.unwrap();
    assert_eq!(market.env.balance(&wallet).await, 1_000 * USDC);
}

#[tokio::test]
async fn finding_2_oracle_limits_cannot_be_tightened_below_the_floors_that_keep_liquidation_possible() {
    let mut market = Market::new().await;
    let guardian = market.env.guardian.insecure_clone();
    let sol = market.sol.bank;
    let base = sol_params(&mut market).await;
    let floor_age = margin_risk::price::MIN_MAX_AGE_SECONDS;
    let floor_conf = margin_risk::price::MIN_CONF_LIQUIDATION_BPS;
    let too_young = BankParams { risk: RiskParams { max_age_seconds: floor_age - 1, ..base.risk }, ..base };
    let too_narrow = BankParams {
        risk: RiskParams { max_conf_open_bps: 100, max_conf_liquidation_bps: floor_conf - 1, ..base.risk },
        ..base
    };
    let one_second = BankParams { risk: RiskParams { max_age_seconds: 1, ..base.risk }, ..base };
    for params in [too_young, too_narrow, one_second] {
        let result = market.env.tighten_bank(&guardian, &sol, params).await;
        assert_eq!(result, Err(code(MarginError::InvalidOracleConfig)), "{params:?}");
    }
    let at_floors = BankParams {
        risk: RiskParams {
            max_age_seconds: floor_age,
            max_conf_open_bps: 100,
            max_conf_liquidation_bps: floor_conf,
            ..base.risk
        },
        ..base
    };
    market.env.tighten_bank(&guardian, &sol, at_floors).await.unwrap();
    assert_eq!(sol_params(&mut market).await, at_floors);
}

#[tokio::test]
async fn finding_2_pause_settings_cannot_add_up_to_a_permanent_pause() {
    let mut env = Env::new().await;
    let forever =
        GovernanceSettings { max_pause_seconds: 7 * DAY as u32, max_pauses_per_day: 4, ..governance_settings() };
    assert_eq!(env.init_group_with(2, forever).await, Err(code(MarginError::InvalidGovernanceConfig)));
    let args = GroupChangeArgs { admin: env.admin_key(), guardian: env.guardian.pubkey(), settings: forever };
    assert_eq!(env.propose_group_change(args).await, Err(code(MarginError::InvalidGovernanceConfig)));
    // 2 pauses of 6 hours a day is the most the test group allows: 12 hours.
    let half_day = GovernanceSettings { max_pause_seconds: 6 * 3_600 + 1, ..governance_settings() };
    assert_eq!(env.init_group_with(3, half_day).await, Err(code(MarginError::InvalidGovernanceConfig)));
    env.init_group_with(4, governance_settings()).await.unwrap();
}

// Finding 3: an instant cut of a Maint parameter drained a healthy account.

#[tokio::test]
async fn finding_3_the_guardian_cannot_make_a_healthy_account_liquidatable() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(500 * USDC).await.unwrap(); // $1,500 of SOL backs $500: 3×
    let guardian = market.env.guardian.insecure_clone();
    let sol = market.sol.bank;
    let base = sol_params(&mut market).await;
    for maint_cut in [
        BankParams { risk: RiskParams { init_asset_weight_bps: 0, maint_asset_weight_bps: 0, ..base.risk }, ..base },
        BankParams { risk: RiskParams { conf_multiplier_maint_bps: 20_000, ..base.risk }, ..base },
        BankParams { risk: RiskParams { max_conf_discount_bps: 10_000, ..base.risk }, ..base },
    ] {
        let result = market.env.tighten_bank(&guardian, &sol, maint_cut).await;
        assert_eq!(result, Err(code(MarginError::NotRiskReducing)), "{maint_cut:?}");
    }
    // What stops new risk still applies at once: the Init weight to 0.
    let init_cut = BankParams { risk: RiskParams { init_asset_weight_bps: 0, ..base.risk }, ..base };
    market.env.tighten_bank(&guardian, &sol, init_cut).await.unwrap();
    assert_eq!(market.borrow_usdc(USDC).await, Err(code(MarginError::InitHealthNegative)));
    let (accomplice, pay, receive) = market.liquidator(1_000 * USDC).await;
    let (account, usdc, sol_keys) = (market.trader_account, market.usdc, market.sol);
    let attempt = market.env.liquidate(&accomplice, &account, &usdc, &sol_keys, &pay, &receive, 500 * USDC).await;
    assert_eq!(attempt, Err(code(MarginError::NotLiquidatable)));
    assert_eq!(market.env.balance(&receive).await, 0);
    // The Maint side moves through the timelock, in bounded steps.
    let cliff = BankParams { risk: RiskParams { maint_asset_weight_bps: 0, ..init_cut.risk }, ..init_cut };
    assert_eq!(market.env.propose_bank_change(&sol, cliff).await, Err(code(MarginError::StepOutOfBounds)));
    let step = BankParams {
        risk: RiskParams { maint_asset_weight_bps: base.risk.maint_asset_weight_bps - 500, ..init_cut.risk },
        ..init_cut
    };
    market.env.propose_bank_change(&sol, step).await.unwrap();
}

// Finding 4: withdrawals were held to max utilization.

#[tokio::test]
async fn finding_4_a_lender_withdraws_idle_tokens_at_ninety_percent_utilization() {
    let mut market = Market::new().await;
    let (sol, usdc) = (market.sol, market.usdc);
    let whale = market.env.funded_keypair().await;
    let whale_account = market.env.open_account(&whale, 0, 0).await.unwrap();
    let whale_sol = market.env.funded_token_account(&whale.pubkey(), &sol, 1_000 * SOL).await;
    let whale_usdc = market.env.funded_token_account(&whale.pubkey(), &usdc, 0).await;
    market.env.deposit(&whale, &whale_account, &sol, &whale_sol, 1_000 * SOL).await.unwrap();
    market.env.borrow(&whale, &whale_account, &usdc, &whale_usdc, 90_000 * USDC).await.unwrap();
    // 90 % borrowed, 10,000 USDC idle: the lender takes 1,000 of them.
    let (lender, lender_account) = (market.lender.insecure_clone(), market.lender_account);
    let wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 0).await;
    market.env.withdraw(&lender, &lender_account, &usdc, &wallet, 1_000 * USDC).await.unwrap();
    // Only the vault limits a withdraw: one unit more than it holds is a named error.
    let idle = market.env.balance(&usdc.vault).await;
    assert_eq!(idle, 9_000 * USDC);
    assert_eq!(
        market.env.withdraw(&lender, &lender_account, &usdc, &wallet, idle + 1).await,
        Err(code(MarginError::InsufficientLiquidity))
    );
    market.env.withdraw(&lender, &lender_account, &usdc, &wallet, idle).await.unwrap();
    assert_eq!(market.env.balance(&wallet).await, 10_000 * USDC);
}

// Finding 5: shares worth 0 tokens blocked bankruptcy.

#[tokio::test]
async fn finding_5_worthless_shares_do_not_keep_bad_debt_on_the_books() {
    let mut market = Market::new().await;
    let (sol, usdc) = (market.sol, market.usdc);
    let usdt = funded_stable_bank(&mut market, 3, 10_000 * USDC).await;
    // A trader whose bankruptcy will socialise a loss over the USDC lenders.
    let (trader, trader_account, trader_sol) =
        (market.trader.insecure_clone(), market.trader_account, market.trader_sol);
    market.env.deposit(&trader, &trader_account, &sol, &trader_sol, 10 * SOL).await.unwrap();
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    // The attacker: 1 native unit of USDC (1 share), 10 SOL, and 1,100 USDT of debt.
    let attacker = market.env.funded_keypair().await;
    let account = market.env.open_account(&attacker, 0, 0).await.unwrap();
    let one_unit = market.env.funded_token_account(&attacker.pubkey(), &usdc, 2).await;
    let attacker_sol = market.env.funded_token_account(&attacker.pubkey(), &sol, 10 * SOL).await;
    let attacker_usdt = market.env.funded_token_account(&attacker.pubkey(), &usdt, 0).await;
    market.env.deposit(&attacker, &account, &usdc, &one_unit, 1).await.unwrap();
    market.env.deposit(&attacker, &account, &sol, &attacker_sol, 10 * SOL).await.unwrap();
    market.env.borrow(&attacker, &account, &usdt, &attacker_usdt, 1_100 * USDC).await.unwrap();

    // SOL crashes; the trader's bankruptcy lowers the USDC deposit index below 1.0.
    market.set_prices(50_00000000, 5_000_000);
    market.env.set_price(&usdt, USDC_PRICE, USDC_CONF);
    let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
    // The liquidation that takes the trader's last collateral writes its bad debt off at once (issue 21).
    market.env.liquidate(&liquidator, &trader_account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    assert_eq!(market.env.events::<BankruptcyResolved>().len(), 1);
    let usdc_index = market.env.bank_state(&usdc.bank).await.deposit_index;
    assert!(usdc_index < INDEX_SCALE);
    assert_eq!(deposit_tokens_of(1, usdc_index).unwrap(), 0, "the attacker's share is now worth nothing");
    // A new deposit of one unit would mint shares worth nothing: refused.
    assert_eq!(
        market.env.deposit(&attacker, &account, &usdc, &one_unit, 1).await,
        Err(code(MarginError::DepositBelowOneShare))
    );

    // The attacker's SOL is liquidated; USDT debt is left, and the worthless USDC share.
    let pay_usdt = market.env.funded_token_account(&liquidator.pubkey(), &usdt, 10_000 * USDC).await;
    market.env.liquidate(&liquidator, &account, &usdt, &sol, &pay_usdt, &receive, u64::MAX).await.unwrap();
    let usdc_shares_before = market.env.bank_state(&usdc.bank).await.deposit_shares;
    // The debt is written off; the share is burned.
    market.env.resolve_bankruptcy(&account, &usdt).await.unwrap();
    let forfeited = market.env.events::<DepositForfeited>();
    assert_eq!((forfeited[0].bank, forfeited[0].shares, forfeited[0].tokens), (usdc.bank, 1, 0));
    let resolved = market.env.events::<BankruptcyResolved>();
    assert!(resolved[0].debt_written_off > 600 * USDC, "the bad debt is off the books");
    assert_eq!(market.env.bank_state(&usdc.bank).await.deposit_shares, usdc_shares_before - 1);
    assert_eq!(market.env.account_state(&account).await.used_positions().count(), 0);
    market.env.assert_vault_covers(&usdc).await;
    market.env.close_account(&attacker, &account).await.unwrap();
}

// Finding 6: a repay below one borrow share cleared no debt but paid the liquidator.

#[tokio::test]
async fn finding_6_liquidations_below_one_debt_share_take_nothing() {
    let mut market = Market::with_sol_collateral().await;
    // A 2-decimal token at $0.99: one native unit is $0.0099 (the top of the listable range since issue 21).
    let token = market.env.add_bank(2, 99_000_000, 99_000, volatile_config(4)).await.unwrap();
    let lender = market.env.funded_keypair().await;
    let lender_account = market.env.open_account(&lender, 0, 0).await.unwrap();
    let lender_wallet = market.env.funded_token_account(&lender.pubkey(), &token, 100_000).await;
    market.env.deposit(&lender, &lender_account, &token, &lender_wallet, 100_000).await.unwrap();
    let (trader, account) = (market.trader.insecure_clone(), market.trader_account);
    let wallet = market.env.funded_token_account(&trader.pubkey(), &token, 0).await;
    market.env.borrow(&trader, &account, &token, &wallet, 90_000).await.unwrap();
    // 30 days at 90 % utilization: a borrow share is now worth more than one native unit.
    market.env.advance(30 * DAY);
    market.set_prices(108_00000000, 10_800_000);
    market.env.set_price(&token, 99_000_000, 99_000);
    market.env.accrue_interest(&token).await.unwrap();
    let borrow_index = market.env.bank_state(&token.bank).await.borrow_index;
    assert!(borrow_index > INDEX_SCALE && borrow_index < 2 * INDEX_SCALE, "index {borrow_index}");
    assert!(!maint_and_liq_end(&mut market).await.0, "below maintenance");

    let liquidator = market.env.funded_keypair().await;
    let pay = market.env.funded_token_account(&liquidator.pubkey(), &token, 10).await;
    let receive = market.env.funded_token_account(&liquidator.pubkey(), &market.sol.clone(), 0).await;
    let sol = market.sol;
    let before = market.env.account_state(&account).await;
    for _ in 0..5 {
        let attempt = market.env.liquidate(&liquidator, &account, &token, &sol, &pay, &receive, 1).await;
        assert_eq!(attempt, Err(code(MarginError::RepayBelowOneShare)));
    }
    assert_eq!(market.env.account_state(&account).await.positions, before.positions, "no collateral gone");
    assert_eq!(market.env.balance(&receive).await, 0);

    // Two units clear one share; the collateral follows the one unit of debt surely cleared.
    let view = market.env.health_view(&account).await;
    let request = LiquidationRequest {
        debt_position: 1,
        collateral_position: 0,
        max_repay_tokens: 2,
        being_liquidated: false,
        debt_dust_tokens: 0,
        debt_borrow_index: borrow_index,
    };
    let sol_bank = market.env.bank_state(&sol.bank).await;
    let plan: LiquidationPlan = plan_liquidation(&view, &request, &sol_bank.liquidation_config()).unwrap();
    assert_eq!((plan.repay_tokens, plan.debt_cleared_tokens), (2, 1));
    market.env.liquidate(&liquidator, &account, &token, &sol, &pay, &receive, 2).await.unwrap();
    assert_eq!(
        market.env.balance(&pay).await,
        10 - 2 - plan.insurance_fee_tokens,
        "the repay and the 1 % fee, rounded up"
    );
    assert_eq!(market.env.balance(&receive).await, plan.seized_to_liquidator);
    let after = market.env.account_state(&account).await;
    assert_eq!(after.positions[1].borrow_shares, before.positions[1].borrow_shares - 1);
    let debt_after = borrow_tokens_of(after.positions[1].borrow_shares, borrow_index).unwrap();
    assert!(debt_after <= view[1].borrow_tokens - plan.debt_cleared_tokens);
}

// Finding 7: dust on a wide-confidence feed blocked liquidation.

/// Lists a token of `decimals` at `price` · 10^`exponent` USD (conf 0.1 %), a feed of `feed_byte`.
async fn list_at(
    env: &mut Env,
    decimals: u8,
    (price, exponent): (i64, i32),
    feed_byte: u8,
) -> Result<BankKeys, Failure> {
    let mint = env.create_mint(decimals).await;
    let price_account = margin_sdk::addresses::push_feed(&[feed_byte; 32]);
    let update = PriceUpdate {
        price,
        conf: price as u64 / 1_000,
        exponent,
        ema_price: price,
        ema_conf: price as u64 / 1_000,
        ..PriceUpdate::new([feed_byte; 32], 1, 0, env.now)
    };
    env.set_price_account(&price_account, &update);
    let config = with_params(stable_config(feed_byte), |params| params.limits.deposit_cap = u64::MAX);
    env.add_bank_with(mint, price_account, config).await
}

#[tokio::test]
async fn issue_10_every_token_from_a_billionth_of_a_dollar_to_ten_million_is_listed_and_priced() {
    let mut market = Market::new().await;
    // Outside $10^-9 .. $10^7 per whole token: refused, named.
    let out = code(MarginError::PriceOutOfListingRange);
    assert_eq!(list_at(&mut market.env, 9, (1, -10), 20).await.unwrap_err(), out);
    assert_eq!(list_at(&mut market.env, 0, (10_000_000, 0), 21).await.unwrap_err(), out);
    // An 18-decimal $1 token used to count 0 as collateral: 10 whole tokens now back 9.03 USDC of debt.
    let eighteen = list_at(&mut market.env, 18, (100_000_000, -8), 22).await.unwrap();
    let (trader, account) = (market.trader.insecure_clone(), market.trader_account);
    let wallet = market.env.funded_token_account(&trader.pubkey(), &eighteen, 10 * 10u64.pow(18)).await;
    market.env.deposit(&trader, &account, &eighteen, &wallet, 10 * 10u64.pow(18)).await.unwrap();
    let limit = usdc_borrow_limit(&mut market).await;
    // 10 × $0.998 × 0.95 = $9.481 of Init collateral over $1.0002 × 1.05 per USDC owed.
    assert!(limit > 9_020_000 && limit < 9_030_000, "{limit}");
    assert_eq!(market.borrow_usdc(limit + 1).await, Err(code(MarginError::InitHealthNegative)));
    market.borrow_usdc(limit).await.unwrap();
    // A 0-decimal $19 token (item 3c) is refused since issue 21 (finding 8: a native unit worth more than a
    // cent); a 9-decimal $2.9·10^-9 token (item 4: priced to 1 digit) is priced to 13 digits, and so is a
    // 2-decimal $0.99 token.
    let coarse = list_at(&mut market.env, 0, (19_00000000, -8), 23).await.unwrap_err();
    assert_eq!(coarse, code(MarginError::NativeUnitTooValuable));
    let dear = list_at(&mut market.env, 2, (99_000_000, -8), 25).await.unwrap();
    let cheap = list_at(&mut market.env, 9, (2_900, -12), 24).await.unwrap();
    for (bank, amount) in [(dear, 100), (cheap, 10u64.pow(18))] {
        let wallet = market.env.funded_token_account(&trader.pubkey(), &bank, amount).await;
        market.env.deposit(&trader, &account, &bank, &wallet, amount).await.unwrap();
    }
    market.set_prices(SOL_PRICE, SOL_CONF);
    let view = market.env.health_view(&account).await;
    // At the Maint price p − conf and the stable weight 0.98, in quote units, exactly:
    // 1 × ($0.99 − $0.00099) × 0.98 = 969,229 (rounded down) and 10^9 tokens × (2,900 − 2)·10^-12 × 0.98 =
    // 2,840,040.
    let maint = compute_health(&view[2..], HealthType::Maint).unwrap();
    assert_eq!(maint.assets, 969_229 + 2_840_040);
}

#[tokio::test]
async fn finding_7_a_dust_deposit_on_an_unpriceable_feed_does_not_block_liquidation() {
    // A $10 token whose dust threshold is 0.001 token; the owner, below maintenance, deposits 1,000 native
    // units into it, and nobody posts its price for longer than its maximum age. (A wide confidence no longer
    // makes a price unusable, issue 21's finding 11.)
    let config = with_params(volatile_config(5), |params| params.limits.dust_threshold = 1_000_000);
    let (mut market, thin, wallet) = Market::with_stale_deposit(config, SOL, 1_000).await;
    let (trader, account) = (market.trader.insecure_clone(), market.trader_account);
    let (liquidator, pay, receive) = market.liquidator(1_000 * USDC).await;
    let (usdc, sol) = (market.usdc, market.sol);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 10 * USDC).await.unwrap();
    assert!(market.env.balance(&receive).await > 0);
    // A real deposit there (above the dust threshold) with an unusable price makes the account wait for a
    // usable price, as DESIGN.md says; it is not counted 0, which would let a liquidator pick the moment.
    market.env.deposit(&trader, &account, &thin, &wallet, SOL / 2).await.unwrap();
    let waits = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 10 * USDC).await;
    assert_eq!(waits, Err(code(MarginError::StalePrice)));
    market.env.set_price(&thin, 10_00000000, 1_000_000);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 10 * USDC).await.unwrap();
}

// Finding 8: protocol fees never reached the insurance vault.

#[tokio::test]
async fn finding_8_anyone_sweeps_protocol_fees_into_the_insurance_vault() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let usdc = market.usdc;
    market.env.advance(365 * DAY);
    market.env.accrue_interest(&usdc).await.unwrap();
    let owed = market.env.bank_state(&usdc.bank).await.pending_insurance_fees;
    assert!(owed > 0);
    let vault_before = market.env.balance(&usdc.vault).await;
    // No signer but the fee payer: permissionless. Invariant 1 is checked by the harness after it.
    market.env.sweep_fees(&usdc).await.unwrap();
    assert_eq!(market.env.balance(&usdc.insurance_vault).await, owed);
    assert_eq!(market.env.balance(&usdc.vault).await, vault_before - owed);
    assert_eq!(market.env.bank_state(&usdc.bank).await.pending_insurance_fees, 0);
    let swept = market.env.events::<FeesSwept>();
    assert_eq!((swept[0].bank, swept[0].amount, swept[0].still_owed), (usdc.bank, owed, 0));
    assert_eq!(market.env.sweep_fees(&usdc).await, Err(code(MarginError::ZeroAmount)));
    // Another bank's insurance vault is refused; so is an account of another type in the bank's place.
    let forged = BankKeys { insurance_vault: market.sol.insurance_vault, ..usdc };
    market.env.advance(DAY);
    assert_eq!(market.env.sweep_fees(&forged).await, Err(code(MarginError::WrongVault)));
    let cosplay = BankKeys { bank: market.trader_account, ..usdc };
    assert_eq!(market.env.sweep_fees(&cosplay).await, Err(Failure::Custom(3002)), "AccountDiscriminatorMismatch");
}

// Finding 9: other banks were not accrued before a health check.

#[tokio::test]
async fn finding_9_health_counts_the_interest_owed_in_banks_the_instruction_does_not_touch() {
    let mut market = Market::with_sol_collateral().await;
    let (sol, usdc) = (market.sol, market.usdc);
    let usdt = funded_stable_bank(&mut market, 3, 10_000 * USDC).await;
    // A whale takes USDC to 85 % utilization: about 32 % APR.
    let whale = market.env.funded_keypair().await;
    let whale_account = market.env.open_account(&whale, 0, 0).await.unwrap();
    let whale_sol = market.env.funded_token_account(&whale.pubkey(), &sol, 1_000 * SOL).await;
    let whale_usdc = market.env.funded_token_account(&whale.pubkey(), &usdc, 0).await;
    market.env.deposit(&whale, &whale_account, &sol, &whale_sol, 1_000 * SOL).await.unwrap();
    market.env.borrow(&whale, &whale_account, &usdc, &whale_usdc, 84_000 * USDC).await.unwrap();
    market.borrow_usdc(500 * USDC).await.unwrap();
    // A year later, nobody has touched the USDC bank. The trader borrows USDT.
    market.env.advance(365 * DAY);
    market.set_prices(SOL_PRICE, SOL_CONF);
    market.env.set_price(&usdt, USDC_PRICE, USDC_CONF);
    let account = market.trader_account;
    let mut view = market.env.health_view(&account).await;
    view.push(unpriced_position(&mut market, &usdt).await);
    let limit = max_borrow(&view, 2).unwrap();
    // At the stale USDC index the debt would look ~30 % smaller and the limit far larger.
    let stale_index = market.env.bank_state(&usdc.bank).await.borrow_index;
    let shares = market.env.account_state(&account).await.positions[1].borrow_shares;
    view[1].borrow_tokens = borrow_tokens_of(shares, stale_index).unwrap();
    let stale_limit = max_borrow(&view, 2).unwrap();
    assert!(stale_limit > limit + 100 * USDC, "stale {stale_limit} vs accrued {limit}");
    let (trader, wallet) = (market.trader.insecure_clone(), market.env.funded_token_account(&account, &usdt, 0).await);
    assert_eq!(
        market.env.borrow(&trader, &account, &usdt, &wallet, limit + 1).await,
        Err(code(MarginError::InitHealthNegative))
    );
    market.env.borrow(&trader, &account, &usdt, &wallet, limit).await.unwrap();
}

// Finding 10: Pyth publish times ahead of the cluster clock were refused.

#[tokio::test]
async fn finding_10_a_price_published_a_little_ahead_of_the_cluster_clock_is_accepted() {
    let mut market = Market::with_sol_collateral().await;
    let usdc = market.usdc;
    let now = market.env.now;
    let ahead = |seconds: i64| PriceUpdate::new(usdc.feed_id, USDC_PRICE, USDC_CONF, now + seconds);
    market.env.set_price_account(&usdc.price_account, &ahead(MAX_PUBLISH_LEAD_SECONDS + 1));
    assert_eq!(market.borrow_usdc(100 * USDC).await, Err(code(MarginError::FuturePrice)));
    market.env.set_price_account(&usdc.price_account, &ahead(MAX_PUBLISH_LEAD_SECONDS));
    market.borrow_usdc(100 * USDC).await.unwrap();
}

// Settled: an owner can make a liquidator's account list stale, a bounded number of times.

#[tokio::test]
async fn settled_an_owner_adding_positions_stales_a_liquidators_list_a_bounded_number_of_times() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let usdt = funded_stable_bank(&mut market, 3, 1_000 * USDC).await;
    market.set_prices(120_00000000, 12_000_000);
    market.env.set_price(&usdt, USDC_PRICE, USDC_CONF);
    let (liquidator, pay, receive) = market.liquidator(1_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let stale = market
        .env
        .liquidate_instruction(&liquidator.pubkey(), &account, (&usdc, &sol), &pay, &receive, 10 * USDC)
        .await;
    // The owner front-runs with a deposit into a new bank: one more position.
    let trader = market.trader.insecure_clone();
    let trader_usdt = market.env.funded_token_account(&trader.pubkey(), &usdt, USDC).await;
    market.env.deposit(&trader, &account, &usdt, &trader_usdt, USDC).await.unwrap();
    let result = market.env.send(&[stale], &[&liquidator]).await;
    assert_eq!(result, Err(code(MarginError::BadRemainingAccounts)));
    // It cannot shrink or reorder the list while below maintenance: a withdraw needs Init ≥ 0. So each change
    // costs it a real deposit in a new bank, at most 16 − (positions used) times, and each helps the account.
    assert_eq!(
        market.env.withdraw(&trader, &account, &usdt, &trader_usdt, USDC / 2).await,
        Err(code(MarginError::InitHealthNegative))
    );
    // A refreshed list liquidates.
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 10 * USDC).await.unwrap();
}

// Settled: the bonus is not capped by the account's equity.

#[tokio::test]
async fn settled_a_collateral_limited_liquidation_keeps_its_bonus_and_insurance_covers_the_rest_first() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    // SOL at $115: 10 SOL are worth $1,150 against $1,100 of debt, +$50 of equity at the oracle price.
    market.set_prices(115_00000000, 11_500_000);
    let account = market.trader_account;
    let view = market.env.health_view(&account).await;
    let request = LiquidationRequest {
        debt_position: 1,
        collateral_position: 0,
        max_repay_tokens: u64::MAX,
        being_liquidated: false,
        debt_dust_tokens: 0,
        debt_borrow_index: INDEX_SCALE,
    };
    let sol_bank = market.env.bank_state(&market.sol.bank.clone()).await;
    let plan = plan_liquidation(&view, &request, &sol_bank.liquidation_config()).unwrap();
    assert_eq!((plan.limit, plan.bonus_bps), (RepayLimit::Collateral, 800));
    let (liquidator, pay, receive) = market.liquidator(2_000 * USDC).await;
    let (usdc, sol) = (market.usdc, market.sol);
    market.env.mint_to(&usdc.mint, &usdc.insurance_vault, 30 * USDC).await;
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    // The liquidator is paid its full 8 % bonus on what it repaid: $1,150 / 1.09 ≈ $1,055.05 repaid for all
    // 10 SOL, and pays the 1 % insurance fee on top, in USDC, into the USDC bank's insurance vault.
    assert_eq!(market.env.balance(&pay).await, 2_000 * USDC - plan.repay_tokens - plan.insurance_fee_tokens);
    assert_eq!(market.env.balance(&receive).await, plan.seized_to_liquidator);
    let bad_debt = view[1].borrow_tokens - plan.debt_cleared_tokens;
    // Bounded by what bonus and fee take beyond the equity: 1,150 · 0.09 / 1.09 − 50 = $44.95.
    assert!(bad_debt <= 44_954_129 + 1, "bad debt {bad_debt}");
    // The liquidation took the last collateral, so it wrote the rest off at once (issue 21, finding 3):
    // insurance first (the 30 USDC there and the fee just paid), the depositors the rest, exactly.
    let resolved = market.env.events::<BankruptcyResolved>();
    assert_eq!(resolved[0].debt_written_off, bad_debt);
    assert_eq!(resolved[0].from_insurance, 30 * USDC + plan.insurance_fee_tokens);
    assert_eq!(resolved[0].socialized, bad_debt - 30 * USDC - plan.insurance_fee_tokens);
    assert!(!market.env.account_state(&account).await.has_debt());
}
