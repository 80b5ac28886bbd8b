//! Governance stories: a weight raised in bounded, timelocked steps while the guardian cuts at once and a
//! trader's borrow limit follows every change; a compromised admin that the bounds and the guardian stop;
//! the admin as a multisig PDA signing every admin instruction through CPI.

use margin::errors::MarginError;
use margin::instructions::GroupChangeArgs;
use margin::state::{BankParams, LimitParams, ProposalState, RiskParams};
use margin_risk::health::{compute_health, max_borrow, HealthPosition, HealthType};
use margin_risk::price::{validate_price, PythPrice};
use margin_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

const DELAY: i64 = 2 * 86_400;
/// 10 SOL at the Init asset price 150 − 2 × 0.15 = $149.70, in quote units, before the weight.
const SOL_INIT_VALUE: u64 = 1_497_000_000;
/// One USDC of debt at Init: (1 + 2 × 0.0001) × 1.05 = $1.05021, in 10^-6 quote units.
const USDC_INIT_DEBT_PER_UNIT_E6: u64 = 1_050_210;

/// The trader's borrow limit in USDC as margin-risk computes it client-side, after checking the program
/// agrees to the unit: one unit more is refused, the limit itself is lent (and repaid at once).
async fn borrow_limit(market: &mut Market) -> u64 {
    market.set_prices(SOL_PRICE, SOL_CONF);
    let account = market.trader_account;
    let mut view = market.env.health_view(&account).await;
    let usdc = market.env.bank_state(&market.usdc.bank.clone()).await;
    let price = PythPrice {
        price: USDC_PRICE,
        conf: USDC_CONF,
        exponent: -8,
        publish_time: market.env.now,
        ema_price: USDC_PRICE,
        ema_conf: USDC_CONF,
    };
    let price = validate_price(&price, &usdc.oracle_config(), 6, market.env.now);
    view.push(HealthPosition { deposit_tokens: 0, borrow_tokens: 0, weights: usdc.weights(), price });
    let limit = max_borrow(&view, 1).unwrap();
    assert_eq!(market.borrow_usdc(limit + 1).await, Err(code(MarginError::InitHealthNegative)));
    market.borrow_usdc(limit).await.unwrap();
    let (trader, usdc_keys, wallet) = (market.trader.insecure_clone(), market.usdc, market.trader_usdc);
    market.env.repay(&trader, &account, &usdc_keys, &wallet, 0, true).await.unwrap();
    limit
}

/// The limit a weight of `weight_bps` gives: Init collateral over Init debt per USDC, rounded down.
fn expected_limit(weight_bps: u64) -> u64 {
    SOL_INIT_VALUE * weight_bps / 10_000 * 1_000_000 / USDC_INIT_DEBT_PER_UNIT_E6
}

async fn sol_init_assets(market: &mut Market) -> u64 {
    let view = market.env.health_view(&market.trader_account.clone()).await;
    compute_health(&view, HealthType::Init).unwrap().assets
}

#[tokio::test]
async fn story_a_weight_raised_in_bounded_steps_while_the_guardian_cuts_at_once() {
    let mut market = Market::with_sol_collateral().await;
    let guardian = market.env.guardian.insecure_clone();
    let sol = market.sol.bank;
    let keeper = market.env.funded_keypair().await;
    let weight = |params: BankParams, init_asset_weight_bps: u32| BankParams {
        risk: RiskParams { init_asset_weight_bps, ..params.risk },
        ..params
    };

    // The risk team starts SOL at 0.70: a cut, applied at once.
    let listed = market.env.bank_state(&sol).await.params();
    market.env.tighten_bank(&guardian, &sol, weight(listed, 7_000)).await.unwrap();
    assert_eq!(borrow_limit(&mut market).await, expected_limit(7_000));
    assert_eq!(sol_init_assets(&mut market).await, 1_047_900_000);

    // Step 1: 0.70 → 0.75, proposed, executed after the delay; the limit follows at the eta, not before.
    let step_one = market.env.propose_bank_change(&sol, weight(listed, 7_500)).await.unwrap();
    market.env.advance(DELAY - 1);
    assert_eq!(borrow_limit(&mut market).await, expected_limit(7_000));
    market.env.advance(1);
    market.env.execute_bank_change(&keeper, &step_one, &sol).await.unwrap();
    assert_eq!(borrow_limit(&mut market).await, expected_limit(7_500));

    // A jump to 0.80 + 1 bp is beyond one step; 0.80 is proposed as step 2.
    let too_far = market.env.propose_bank_change(&sol, weight(listed, 8_001)).await;
    assert_eq!(too_far, Err(code(MarginError::StepOutOfBounds)));
    let step_two = market.env.propose_bank_change(&sol, weight(listed, 8_000)).await.unwrap();

    // In between, the guardian cuts to 0.60: at once, and the limit follows at once.
    market.env.advance(3_600);
    market.env.tighten_bank(&guardian, &sol, weight(listed, 6_000)).await.unwrap();
    assert_eq!(borrow_limit(&mut market).await, expected_limit(6_000));
    assert_eq!(sol_init_assets(&mut market).await, 898_200_000);

    // At its eta, step 2 (0.75 → 0.80 when proposed) never loosens the guardian's later cut (issue 21,
    // finding 2): the cut stands and, as step 2 moves nothing else, executing it changes nothing.
    market.env.advance(DELAY - 3_600);
    let result = market.env.execute_bank_change(&keeper, &step_two, &sol).await;
    assert_eq!(result, Err(code(MarginError::NoChange)));
    assert_eq!(borrow_limit(&mut market).await, expected_limit(6_000));

    // Once the risk team lifts the cut by cancelling and re-proposing from 0.60, each step is bounded again:
    // 0.65, 0.70, 0.75, 0.80, a delay and an interval apart.
    market.env.cancel_proposal(&guardian, &step_two).await.unwrap();
    for target in [6_500, 7_000, 7_500, 8_000] {
        let proposal = market.env.propose_bank_change(&sol, weight(listed, target)).await.unwrap();
        market.env.advance(DELAY);
        market.env.execute_bank_change(&keeper, &proposal, &sol).await.unwrap();
        assert_eq!(borrow_limit(&mut market).await, expected_limit(u64::from(target)));
    }
    assert_eq!(sol_init_assets(&mut market).await, 1_197_600_000);
    assert_eq!(expected_limit(8_000), 1_140_343_359, "the limit of the program story at 0.80");
}

#[tokio::test]
async fn story_a_compromised_admin_is_stopped_by_the_bounds_and_the_guardian() {
    let mut market = Market::with_sol_collateral().await;
    let guardian = market.env.guardian.insecure_clone();
    let sol = market.sol.bank;
    let before = market.env.bank_state(&sol).await.params();
    let limit_before = borrow_limit(&mut market).await;

    // Weight 1.0 (with maint 1.0) and caps ×100: refused at propose by the bounds.
    let drain = BankParams {
        risk: RiskParams {
            init_asset_weight_bps: 10_000,
            maint_asset_weight_bps: 10_000,
            max_bonus_bps: 0,
            min_bonus_bps: 0,
            insurance_fee_bps: 0,
            ..before.risk
        },
        limits: LimitParams {
            deposit_cap: before.limits.deposit_cap.saturating_mul(100),
            borrow_cap: before.limits.borrow_cap.saturating_mul(100),
            ..before.limits
        },
        ..before
    };
    assert_eq!(market.env.propose_bank_change(&sol, drain).await, Err(code(MarginError::StepOutOfBounds)));
    // The guardian has cut the caps to 1,000 SOL; a hundredfold raise from there is refused as well.
    let cut = BankParams {
        limits: LimitParams { deposit_cap: 1_000 * SOL, borrow_cap: 1_000 * SOL, ..before.limits },
        ..before
    };
    market.env.tighten_bank(&guardian, &sol, cut).await.unwrap();
    let hundredfold = BankParams {
        limits: LimitParams { deposit_cap: 100_000 * SOL, borrow_cap: 100_000 * SOL, ..cut.limits },
        ..cut
    };
    assert_eq!(market.env.propose_bank_change(&sol, hundredfold).await, Err(code(MarginError::StepOutOfBounds)));
    // Nor can it cut the delay or make itself the guardian at once: that is a proposal too. The guardian
    // cannot veto its own replacement (else a lost guardian key would be permanent), so this one runs.
    let takeover = GroupChangeArgs {
        admin: market.env.admin.pubkey(),
        guardian: market.env.admin.pubkey(),
        settings: governance_settings(),
    };
    let takeover = market.env.propose_group_change(takeover).await.unwrap();
    assert_eq!(
        market.env.cancel_proposal(&guardian, &takeover).await,
        Err(code(MarginError::GuardianCannotCancelItsReplacement))
    );

    // A bounded step (+5 points) is accepted, and seen by the guardian, who cancels it before its eta.
    let bounded = BankParams {
        risk: RiskParams { init_asset_weight_bps: before.risk.init_asset_weight_bps + 500, ..cut.risk },
        ..cut
    };
    let proposal = market.env.propose_bank_change(&sol, bounded).await.unwrap();
    market.env.advance(DELAY / 2);
    market.env.cancel_proposal(&guardian, &proposal).await.unwrap();
    market.env.advance(DELAY);
    let anyone = market.env.funded_keypair().await;
    assert_eq!(
        market.env.execute_bank_change(&anyone, &proposal, &sol).await,
        Err(code(MarginError::ProposalNotPending))
    );
    market.env.execute_group_change(&anyone, &takeover).await.unwrap();
    let group = market.env.group_state().await;
    assert_eq!((group.admin, group.guardian), (market.env.admin.pubkey(), market.env.admin.pubkey()));

    // Holding both roles, it still cannot loosen at once, move the Maint side at once, or step past the bounds.
    let admin = market.env.admin.insecure_clone();
    let loosen = BankParams {
        risk: RiskParams { init_asset_weight_bps: before.risk.init_asset_weight_bps + 100, ..cut.risk },
        ..cut
    };
    assert_eq!(market.env.tighten_bank(&admin, &sol, loosen).await, Err(code(MarginError::NotRiskReducing)));
    let maint_cut =
        BankParams { risk: RiskParams { maint_asset_weight_bps: 0, init_asset_weight_bps: 0, ..cut.risk }, ..cut };
    assert_eq!(market.env.tighten_bank(&admin, &sol, maint_cut).await, Err(code(MarginError::NotRiskReducing)));
    assert_eq!(market.env.propose_bank_change(&sol, drain).await, Err(code(MarginError::StepOutOfBounds)));

    // Nothing changed but the guardian's cut of the caps.
    assert_eq!(market.env.bank_state(&sol).await.params(), cut);
    assert_eq!(borrow_limit(&mut market).await, limit_before);
}

#[tokio::test]
async fn story_a_multisig_pda_is_the_admin_and_signs_every_admin_instruction_through_cpi() {
    let mut env = Env::with_admin(true).await;
    let group = env.group_state().await;
    assert_eq!(group.admin, margin_tests::multisig::admin_pda(), "init_group signed by the PDA");
    // propose_listing + add_bank (the harness proposes through the multisig).
    let sol = env.add_bank(9, SOL_PRICE, SOL_CONF, volatile_config(1)).await.unwrap();
    let params = env.bank_state(&sol.bank).await.params();
    // propose_bank_change, then execute by anyone.
    let raise = BankParams { risk: RiskParams { init_asset_weight_bps: 8_500, ..params.risk }, ..params };
    let proposal = env.propose_bank_change(&sol.bank, raise).await.unwrap();
    env.advance(DELAY);
    let keeper = env.funded_keypair().await;
    env.execute_bank_change(&keeper, &proposal, &sol.bank).await.unwrap();
    assert_eq!(env.bank_state(&sol.bank).await.risk.init_asset_weight_bps, 8_500);
    // tighten_bank and cancel_proposal as the PDA.
    let pda = margin_tests::multisig::admin_pda();
    let cut = BankParams { risk: RiskParams { init_asset_weight_bps: 7_000, ..raise.risk }, ..raise };
    env.send_as_admin(env.tighten_instruction(&pda, &sol.bank, cut)).await.unwrap();
    assert_eq!(env.bank_state(&sol.bank).await.risk.init_asset_weight_bps, 7_000);
    let pending = env
        .propose_bank_change(
            &sol.bank,
            BankParams { risk: RiskParams { init_asset_weight_bps: 7_500, ..cut.risk }, ..cut },
        )
        .await
        .unwrap();
    let cancel = cancel_instruction(&env, &pda, &pending);
    env.send_as_admin(cancel).await.unwrap();
    assert_eq!(env.proposal_state(&pending).await.state, ProposalState::Cancelled);
    // unpause_group as the PDA.
    let guardian = env.guardian.insecure_clone();
    env.pause_group(&guardian, 600).await.unwrap();
    env.unpause_group().await.unwrap();
    assert_eq!(env.group_state().await.paused_until, env.now);
    // propose_group_change as the PDA.
    let args = GroupChangeArgs { admin: pda, guardian: guardian.pubkey(), settings: governance_settings() };
    env.propose_group_change(args).await.unwrap();
    // Without the multisig's CPI, the PDA's signature is missing.
    let direct = env.tighten_instruction(
        &pda,
        &sol.bank,
        BankParams { risk: RiskParams { init_asset_weight_bps: 6_000, ..cut.risk }, ..cut },
    );
    let mut unsigned = direct.clone();
    unsigned.accounts[0].is_signer = false;
    assert_eq!(env.send(&[unsigned], &[]).await, Err(Failure::Custom(3010)));
}

fn cancel_instruction(env: &Env, authority: &Pubkey, proposal: &Pubkey) -> solana_sdk::instruction::Instruction {
    margin_sdk::instructions::cancel_proposal(authority, &env.group, proposal)
}
