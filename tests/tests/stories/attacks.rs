//! DESIGN.md's attack classes against the token instructions and liquidation: extreme amounts, accounts of
//! the wrong type or owner, another group's bank, token accounts of the wrong mint, hostile price accounts.

use margin::errors::MarginError;
use margin_tests::pyth::PriceUpdate;
use margin_tests::*;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_sdk::instruction::AccountMeta;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

const CONSTRAINT_TOKEN_MINT: Failure = Failure::Custom(2014);
const DISCRIMINATOR_MISMATCH: Failure = Failure::Custom(3002);
const OWNED_BY_WRONG_PROGRAM: Failure = Failure::Custom(3007);

#[tokio::test]
async fn u64_max_amounts_are_named_errors() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(100 * USDC).await.unwrap();
    let (trader, account) = (market.trader.insecure_clone(), market.trader_account);
    let (sol, usdc, sol_wallet, usdc_wallet) = (market.sol, market.usdc, market.trader_sol, market.trader_usdc);
    // u64::MAX more shares on top of the 10 SOL already held cannot be counted: refused before the cap check.
    assert_eq!(
        market.env.deposit(&trader, &account, &sol, &sol_wallet, u64::MAX).await,
        Err(code(MarginError::MathOverflow))
    );
    assert_eq!(
        market.env.withdraw(&trader, &account, &sol, &sol_wallet, u64::MAX).await,
        Err(code(MarginError::InsufficientDeposit))
    );
    assert_eq!(market.borrow_usdc(u64::MAX).await, Err(code(MarginError::MathOverflow)));
    assert_eq!(
        market.env.repay(&trader, &account, &usdc, &usdc_wallet, u64::MAX, false).await,
        Err(code(MarginError::RepayExceedsDebt))
    );
    market.assert_vaults().await;
}

#[tokio::test]
async fn strangers_cannot_withdraw_borrow_or_repay_on_an_account() {
    let mut market = Market::with_sol_collateral().await;
    let stranger = market.env.funded_keypair().await;
    let (account, sol, usdc) = (market.trader_account, market.sol, market.usdc);
    let sol_wallet = market.env.funded_token_account(&stranger.pubkey(), &sol, 0).await;
    let usdc_wallet = market.env.funded_token_account(&stranger.pubkey(), &usdc, 0).await;
    assert_eq!(
        market.env.withdraw(&stranger, &account, &sol, &sol_wallet, SOL).await,
        Err(code(MarginError::NotOwner))
    );
    assert_eq!(
        market.env.borrow(&stranger, &account, &usdc, &usdc_wallet, USDC).await,
        Err(code(MarginError::NotOwner))
    );
    assert_eq!(
        market.env.repay(&stranger, &account, &usdc, &usdc_wallet, USDC, false).await,
        Err(code(MarginError::NotOwner))
    );
}

#[tokio::test]
async fn a_token_account_of_another_mint_is_refused() {
    let mut market = Market::with_sol_collateral().await;
    let (trader, account, usdc, sol_wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.usdc, market.trader_sol);
    assert_eq!(market.env.borrow(&trader, &account, &usdc, &sol_wallet, USDC).await, Err(CONSTRAINT_TOKEN_MINT));
}

#[tokio::test]
async fn a_bank_of_another_group_is_refused() {
    let mut market = Market::with_sol_collateral().await;
    let home = market.env.group;
    market.env.group = market.env.init_group(2).await.unwrap();
    let foreign = market.env.add_bank(6, 100_000_000, 10_000, stable_config(2)).await.unwrap();
    market.env.group = home;
    let (trader, account) = (market.trader.insecure_clone(), market.trader_account);
    let wallet = market.env.funded_token_account(&trader.pubkey(), &foreign, USDC).await;
    assert_eq!(
        market.env.deposit(&trader, &account, &foreign, &wallet, USDC).await,
        Err(code(MarginError::WrongGroup))
    );
}

/// Type cosplay: a bank passed where a margin account belongs, and a margin account's bytes under a
/// foreign owner.
#[tokio::test]
async fn accounts_of_the_wrong_type_or_owner_are_refused() {
    let mut market = Market::with_sol_collateral().await;
    let (trader, sol, wallet) = (market.trader.insecure_clone(), market.sol, market.trader_sol);
    assert_eq!(market.env.deposit(&trader, &sol.bank, &sol, &wallet, SOL).await, Err(DISCRIMINATOR_MISMATCH));
    let copy = Pubkey::new_unique();
    let mut forged = market.env.account(&market.trader_account.clone()).await.unwrap();
    forged.owner = Pubkey::new_unique();
    market.env.set_account(&copy, forged);
    assert_eq!(market.env.deposit(&trader, &copy, &sol, &wallet, SOL).await, Err(OWNED_BY_WRONG_PROGRAM));
}

#[tokio::test]
async fn a_closed_account_cannot_be_used_or_closed_again() {
    let mut market = Market::new().await;
    let (trader, account, sol, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.sol, market.trader_sol);
    market.env.close_account(&trader, &account).await.unwrap();
    // A closed account is the system program's again: Anchor refuses it as owned by the wrong program.
    assert_eq!(market.env.close_account(&trader, &account).await, Err(OWNED_BY_WRONG_PROGRAM));
    assert_eq!(market.env.deposit(&trader, &account, &sol, &wallet, SOL).await, Err(OWNED_BY_WRONG_PROGRAM));
}

/// A price that cannot be trusted blocks liquidation with its own error: partially verified, not owned by
/// the receiver, non-positive, or with an absurd exponent. (A wide confidence does not: it is capped at the
/// liquidation limit, `audit_findings::finding_11_*`.)
#[tokio::test]
async fn liquidation_refuses_hostile_prices() {
    let fresh = |market: &Market| PriceUpdate::new(market.sol.feed_id, 120_00000000, 12_000_000, market.env.now);
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let (liquidator, pay, receive) = market.liquidator(2_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let cases = [
        (
            PriceUpdate { verification: VerificationLevel::Partial { num_signatures: 13 }, ..fresh(&market) },
            MarginError::PriceNotFullyVerified,
        ),
        (PriceUpdate { owner: Pubkey::new_unique(), ..fresh(&market) }, MarginError::PriceAccountNotPyth),
        (PriceUpdate { price: -120_00000000, ..fresh(&market) }, MarginError::NonPositivePrice),
        (PriceUpdate { exponent: -40, ..fresh(&market) }, MarginError::ExponentOutOfRange),
        (
            PriceUpdate {
                publish_time: market.env.now + margin_risk::price::MAX_PUBLISH_LEAD_SECONDS + 1,
                ..fresh(&market)
            },
            MarginError::FuturePrice,
        ),
        (PriceUpdate { feed_id: [42; 32], ..fresh(&market) }, MarginError::WrongFeedId),
    ];
    for (update, error) in cases {
        market.env.set_price_account(&sol.price_account, &update);
        let result = market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await;
        assert_eq!(result, Err(code(error)), "{update:?}");
    }
    // The honest price at the same level liquidates.
    market.env.set_price_account(&sol.price_account, &fresh(&market));
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
}

/// A price account that is not the bank's pinned one, in the remaining accounts of a liquidation.
#[tokio::test]
async fn liquidation_refuses_an_unpinned_price_account() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    market.set_prices(120_00000000, 12_000_000);
    // An impostor price account with a juicy price and the right feed, owned by the receiver.
    let impostor = Pubkey::new_unique();
    let update = PriceUpdate::new(market.sol.feed_id, 10_00000000, 0, market.env.now);
    market.env.set_price_account(&impostor, &update);
    let (liquidator, pay, receive) = market.liquidator(1_000 * USDC).await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let mut liquidate =
        market.env.liquidate_instruction(&liquidator.pubkey(), &account, (&usdc, &sol), &pay, &receive, u64::MAX).await;
    let pinned = liquidate.accounts.iter_mut().find(|meta| meta.pubkey == sol.price_account).unwrap();
    pinned.pubkey = impostor;
    let result = market.env.send(&[liquidate], &[&liquidator]).await;
    assert_eq!(result, Err(code(MarginError::WrongPriceAccount)));
}

#[tokio::test]
async fn accrue_interest_is_permissionless_and_idempotent_within_a_second() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_000 * USDC).await.unwrap();
    market.env.advance(3_600);
    let usdc = market.usdc;
    market.env.accrue_interest(&usdc).await.unwrap();
    let once = market.env.bank_state(&usdc.bank).await;
    assert!(once.borrow_index > margin_risk::interest::INDEX_SCALE);
    assert_eq!(once.last_accrual, market.env.now);
    let accrued = market.env.events::<margin::events::InterestAccrued>();
    assert_eq!(accrued.len(), 1);
    assert_eq!((accrued[0].bank, accrued[0].borrow_index), (usdc.bank, once.borrow_index));
    market.env.accrue_interest(&usdc).await.unwrap();
    assert_eq!(market.env.bank_state(&usdc.bank).await.totals(), once.totals());
    assert!(market.env.events::<margin::events::InterestAccrued>().is_empty(), "nothing accrued, no event");
    market.assert_vaults().await;
}

/// Every instruction that accrues a bank emits its accrual: a deposit an hour later reports the interest
/// it booked first, with the indices the bank now holds.
#[tokio::test]
async fn every_accrual_is_an_event() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_000 * USDC).await.unwrap();
    market.env.advance(3_600);
    let (lender, account, usdc) = (market.lender.insecure_clone(), market.lender_account, market.usdc);
    let wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, USDC).await;
    market.env.deposit(&lender, &account, &usdc, &wallet, USDC).await.unwrap();
    let accrued = market.env.events::<margin::events::InterestAccrued>();
    let state = market.env.bank_state(&usdc.bank).await;
    assert_eq!(accrued.len(), 1);
    assert!(accrued[0].interest > 0);
    assert_eq!((accrued[0].deposit_index, accrued[0].borrow_index), (state.deposit_index, state.borrow_index));
}

/// A liquidatable account and a funded liquidator, for the account-mismatch cases below.
async fn underwater() -> (Market, solana_sdk::signature::Keypair, Pubkey, Pubkey) {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    market.set_prices(120_00000000, 12_000_000);
    let (liquidator, pay, receive) = market.liquidator(1_000 * USDC).await;
    (market, liquidator, pay, receive)
}

#[tokio::test]
async fn liquidation_names_a_debt_the_account_does_not_owe() {
    let (mut market, liquidator, pay, receive) = underwater().await;
    let (account, sol) = (market.trader_account, market.sol);
    // SOL as the "debt" bank: the account holds SOL deposits only.
    let other = market.env.add_bank(6, USDC_PRICE, USDC_CONF, stable_config(3)).await.unwrap();
    let pay_other = market.env.funded_token_account(&liquidator.pubkey(), &other, USDC).await;
    let result = market.env.liquidate(&liquidator, &account, &other, &sol, &pay_other, &receive, u64::MAX).await;
    assert_eq!(result, Err(code(MarginError::NoDebtToRepay)));
    let _ = pay;
}

#[tokio::test]
async fn liquidation_names_a_collateral_the_account_does_not_hold() {
    let (mut market, liquidator, pay, _) = underwater().await;
    let (account, usdc) = (market.trader_account, market.usdc);
    let other = market.env.add_bank(6, USDC_PRICE, USDC_CONF, stable_config(3)).await.unwrap();
    let receive_other = market.env.funded_token_account(&liquidator.pubkey(), &other, 0).await;
    let result = market.env.liquidate(&liquidator, &account, &usdc, &other, &pay, &receive_other, u64::MAX).await;
    assert_eq!(result, Err(code(MarginError::NoCollateralToSeize)));
}

#[tokio::test]
async fn liquidation_refuses_vaults_that_are_not_the_banks() {
    let (mut market, liquidator, pay, receive) = underwater().await;
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    // The collateral's vault, the debt's vault and the debt's insurance vault (which takes the fee) swapped.
    let cases = [
        (usdc, BankKeys { vault: sol.insurance_vault, ..sol }),
        (BankKeys { vault: market.trader_usdc, ..usdc }, sol),
        (BankKeys { insurance_vault: sol.insurance_vault, ..usdc }, sol),
    ];
    for (debt, collateral) in cases {
        let result = market.env.liquidate(&liquidator, &account, &debt, &collateral, &pay, &receive, u64::MAX).await;
        assert_eq!(result, Err(code(MarginError::WrongVault)), "{debt:?} {collateral:?}");
    }
}

#[tokio::test]
async fn resolve_bankruptcy_refuses_another_banks_insurance_vault() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
    let forged = BankKeys { insurance_vault: sol.insurance_vault, ..usdc };
    assert_eq!(market.env.resolve_bankruptcy(&account, &forged).await, Err(code(MarginError::WrongVault)));
}

/// `resolve_bankruptcy` takes, per used position in order, its bank (writable, to burn forfeit deposits) then
/// its price account: short, padded, reordered and read-only lists are refused; the right one burns a dust
/// deposit of an account under water and resolves.
#[tokio::test]
async fn resolve_bankruptcy_refuses_bad_bank_lists_and_burns_a_dust_deposit() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(1_100 * USDC).await.unwrap();
    // A bank whose dust threshold is 1,000 native units; the trader keeps 10 units there.
    let dusty = with_params(stable_config(3), |params| params.limits.dust_threshold = 1_000);
    let usdt = market.env.add_bank(6, USDC_PRICE, USDC_CONF, dusty).await.unwrap();
    let (trader, account) = (market.trader.insecure_clone(), market.trader_account);
    let wallet = market.env.funded_token_account(&trader.pubkey(), &usdt, 10).await;
    market.env.deposit(&trader, &account, &usdt, &wallet, 10).await.unwrap();
    // A crash: all the SOL goes to a liquidator; USDC debt and the 10 USDT units are left.
    market.set_prices(50_00000000, 5_000_000);
    market.env.set_price(&usdt, USDC_PRICE, USDC_CONF);
    let (liquidator, pay, receive) = market.liquidator(2_000 * USDC).await;
    let (usdc, sol) = (market.usdc, market.sol);
    market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, u64::MAX).await.unwrap();
    let positions: Vec<Pubkey> = market.env.account_state(&account).await.used_positions().map(|p| p.bank).collect();
    assert_eq!(positions, vec![usdc.bank, usdt.bank]);

    let group = market.env.group;
    let resolve = |banks: Vec<AccountMeta>| {
        margin_sdk::instructions::resolve_bankruptcy(&account, &group, &usdc.addresses(), banks)
    };
    let bad = || code(MarginError::BadRemainingAccounts);
    let pair = |bank: &BankKeys| {
        vec![AccountMeta::new(bank.bank, false), AccountMeta::new_readonly(bank.price_account, false)]
    };
    let (usdc_pair, usdt_pair, sol_pair) = (pair(&usdc), pair(&usdt), pair(&sol));
    let lists = [
        (vec![], bad()),
        (usdc_pair.clone(), bad()),
        ([usdt_pair.clone(), usdc_pair.clone()].concat(), bad()),
        ([usdc_pair.clone(), usdt_pair.clone(), sol_pair].concat(), bad()),
        (
            [
                usdc_pair.clone(),
                vec![AccountMeta::new(account, false), AccountMeta::new_readonly(usdt.price_account, false)],
            ]
            .concat(),
            bad(),
        ),
        // Banks only, as before issue 21: a bank then its price account is the convention now.
        (vec![AccountMeta::new(usdc.bank, false), AccountMeta::new(usdt.bank, false)], bad()),
        // Read-only: the forfeit shares cannot be burned. Anchor's AccountNotMutable.
        (
            [
                usdc_pair.clone(),
                vec![AccountMeta::new_readonly(usdt.bank, false), AccountMeta::new_readonly(usdt.price_account, false)],
            ]
            .concat(),
            Failure::Custom(3006),
        ),
    ];
    for (banks, error) in lists {
        let ix = resolve(banks.clone());
        assert_eq!(market.env.send(&[ix], &[]).await, Err(error), "{banks:?}");
    }
    let usdt_shares = market.env.bank_state(&usdt.bank).await.deposit_shares;
    market.env.resolve_bankruptcy(&account, &usdc).await.unwrap();
    let forfeited = market.env.events::<margin::events::DepositForfeited>();
    assert_eq!((forfeited[0].bank, forfeited[0].tokens), (usdt.bank, 10));
    assert_eq!(market.env.bank_state(&usdt.bank).await.deposit_shares, usdt_shares - forfeited[0].shares);
    assert_eq!(market.env.account_state(&account).await.used_positions().count(), 0);
    market.env.assert_vault_covers(&usdt).await;
}

#[tokio::test]
async fn a_mint_with_more_than_eighteen_decimals_cannot_be_listed() {
    let mut env = Env::new().await;
    assert_eq!(
        env.add_bank(19, 100_000_000, 10_000, stable_config(9)).await.err(),
        Some(code(MarginError::DecimalsOutOfRange))
    );
    // Eighteen is the most: listed.
    assert!(env.add_bank(18, 100_000_000, 10_000, stable_config(10)).await.is_ok());
}

#[tokio::test]
async fn a_borrow_is_refused_while_the_debt_price_is_too_wide_to_open() {
    let mut market = Market::with_sol_collateral().await;
    let (sol, usdc) = (market.sol, market.usdc);
    // USDC ± 3 %: beyond the 2 % open limit, within the 5 % liquidation limit.
    market.env.set_price(&sol, SOL_PRICE, SOL_CONF);
    market.env.set_price(&usdc, USDC_PRICE, 3_000_000);
    assert_eq!(market.borrow_usdc(10 * USDC).await, Err(code(MarginError::ConfidenceTooWideToOpen)));
    // Calm again: the same borrow goes through.
    market.env.set_price(&usdc, USDC_PRICE, USDC_CONF);
    assert_eq!(market.borrow_usdc(10 * USDC).await, Ok(()));
}

/// Anchor refuses the same bank passed twice as mutable (ConstraintDuplicateMutableAccount) before the
/// program's own InvalidLiquidationPair check could.
const DUPLICATE_MUTABLE_ACCOUNT: Failure = Failure::Custom(2040);

#[tokio::test]
async fn liquidating_a_bank_against_itself_is_refused() {
    let mut market = Market::with_sol_collateral().await;
    market.borrow_usdc(900 * USDC).await.unwrap();
    let (liquidator, pay, _) = market.liquidator(10_000 * USDC).await;
    let (account, usdc) = (market.trader_account, market.usdc);
    assert_eq!(
        market.env.liquidate(&liquidator, &account, &usdc, &usdc, &pay, &pay, 100 * USDC).await,
        Err(DUPLICATE_MUTABLE_ACCOUNT)
    );
}

#[tokio::test]
async fn a_bank_named_with_another_mint_is_refused() {
    let mut market = Market::new().await;
    let (trader, account, sol, usdc, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.sol, market.usdc, market.trader_sol);
    // The SOL bank, its vault and price, but the USDC mint.
    let addresses = margin_sdk::addresses::BankAddresses { mint: usdc.mint, ..sol.addresses() };
    let owner = trader.pubkey();
    let ix = margin_sdk::instructions::deposit(&market.env.token_action(&owner, &account, &addresses, &wallet), SOL);
    assert_eq!(market.env.send(&[ix], &[&trader]).await, Err(code(MarginError::WrongMint)));
}
