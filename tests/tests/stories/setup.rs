//! Story: governance creates a group and lists banks; traders open and close accounts.

use margin::errors::MarginError;
use margin_tests::pyth::PriceUpdate;
use margin_tests::*;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// Anchor's `has_one` constraint violation.
/// What the runtime answers when `init` meets an existing account (re-initialisation), natively run.
fn already_in_use() -> Failure {
    Failure::Instruction("InvalidInstructionData".into())
}

#[tokio::test]
async fn init_group_records_admin_and_guardian() {
    let mut env = Env::new().await;
    let data = env.account(&env.group.clone()).await.unwrap().data;
    let group: margin::state::Group = anchor_lang::AccountDeserialize::try_deserialize(&mut &data[..]).unwrap();
    assert_eq!(group.admin, env.admin.pubkey());
    assert_eq!(group.guardian, env.guardian.pubkey());
    assert_eq!(group.group_id, 1);
    assert_eq!(group.bank_count, 0);
}

#[tokio::test]
async fn init_group_cannot_be_reinitialised() {
    let mut env = Env::new().await;
    let other_admin = Keypair::new();
    let original_admin = std::mem::replace(&mut env.admin, other_admin);
    assert_eq!(env.init_group(1).await, Err(already_in_use()));
    let data = env.account(&Env::group_address(1)).await.unwrap().data;
    let group: margin::state::Group = anchor_lang::AccountDeserialize::try_deserialize(&mut &data[..]).unwrap();
    assert_eq!(group.admin, original_admin.pubkey(), "a re-initialisation must not take the group over");
    assert!(env.init_group(2).await.is_ok());
}

#[tokio::test]
async fn add_bank_creates_vaults_owned_by_the_bank() {
    let mut env = Env::new().await;
    let sol = env.add_bank(9, 150_00000000, 15_000_000, volatile_config(1)).await.unwrap();
    let bank = env.bank_state(&sol.bank).await;
    assert_eq!((bank.mint, bank.vault, bank.insurance_vault), (sol.mint, sol.vault, sol.insurance_vault));
    assert_eq!(bank.price_account, sol.price_account);
    assert_eq!(bank.feed_id, [1; 32]);
    assert_eq!(bank.decimals, 9);
    assert_eq!(bank.deposit_index, margin_risk::interest::INDEX_SCALE);
    assert_eq!(bank.last_accrual, START);
    for vault in [sol.vault, sol.insurance_vault] {
        let data = env.account(&vault).await.unwrap().data;
        let token =
            <anchor_spl::token::spl_token::state::Account as solana_sdk::program_pack::Pack>::unpack(&data).unwrap();
        assert_eq!((token.mint, token.owner, token.amount), (sol.mint, sol.bank, 0));
    }
}

#[tokio::test]
async fn add_bank_needs_the_admin() {
    let mut env = Env::new().await;
    env.admin = Keypair::new();
    let result = env.add_bank(9, 150_00000000, 15_000_000, volatile_config(1)).await;
    assert_eq!(result.err(), Some(code(MarginError::NotAdmin)));
}

#[tokio::test]
async fn add_bank_refuses_the_same_mint_twice() {
    let mut env = Env::new().await;
    let sol = env.add_bank(9, 150_00000000, 15_000_000, volatile_config(1)).await.unwrap();
    let result = env.add_bank_with(sol.mint, sol.price_account, volatile_config(1)).await;
    assert_eq!(result.err(), Some(already_in_use()));
}

#[tokio::test]
async fn add_bank_validates_every_parameter() {
    let mut env = Env::new().await;
    let base = volatile_config(1);
    let cases = [
        (with_params(base, |params| params.risk.init_asset_weight_bps = 9_500), MarginError::InvalidRiskWeights),
        (with_params(base, |params| params.risk.init_liability_weight_bps = 10_500), MarginError::InvalidRiskWeights),
        (with_params(base, |params| params.risk.conf_multiplier_init_bps = 5_000), MarginError::InvalidOracleConfig),
        (with_params(base, |params| params.risk.max_conf_open_bps = 900), MarginError::InvalidOracleConfig),
        (
            with_params(base, |params| params.risk.curve = [0, 8_000, 400, 5_000, 1_000, 10_000]),
            MarginError::InvalidInterestCurve,
        ),
        (with_params(base, |params| params.risk.max_bonus_bps = 2_000), MarginError::InvalidLiquidationConfig),
        (with_params(base, |params| params.risk.protocol_fee_bps = 10_001), MarginError::InvalidInterestCurve),
    ];
    for (config, error) in cases {
        let result = env.add_bank(9, 150_00000000, 15_000_000, config).await;
        assert_eq!(result.err(), Some(code(error)), "{config:?}");
    }
}

/// Price accounts that are not the real thing: wrong owner, partial verification, another feed, not a
/// PriceUpdateV2 at all.
#[tokio::test]
async fn add_bank_refuses_price_accounts_that_are_not_a_full_pyth_update_of_the_feed() {
    let mut env = Env::new().await;
    let config = volatile_config(1);
    let good = PriceUpdate::new([1; 32], 150_00000000, 15_000_000, START);
    let cases = [
        (PriceUpdate { owner: Pubkey::new_unique(), ..good }, MarginError::PriceAccountNotPyth),
        (
            PriceUpdate { verification: VerificationLevel::Partial { num_signatures: 5 }, ..good },
            MarginError::PriceNotFullyVerified,
        ),
        (PriceUpdate { feed_id: [9; 32], ..good }, MarginError::WrongFeedId),
    ];
    for (update, error) in cases {
        let mint = env.create_mint(9).await;
        let price_account = margin_sdk::addresses::push_feed(&[1; 32]);
        env.set_price_account(&price_account, &update);
        assert_eq!(env.add_bank_with(mint, price_account, config).await.err(), Some(code(error)));
    }
    let mint = env.create_mint(9).await;
    let garbage = margin_sdk::addresses::push_feed(&[1; 32]);
    let mut account = good.account(garbage);
    account.data[0] ^= 0xff; // break the discriminator: a different account type (cosplay)
    env.set_account(&garbage, account);
    assert_eq!(env.add_bank_with(mint, garbage, config).await.err(), Some(code(MarginError::InvalidPriceAccount)));
    // Issue 21, finding 7: a fully verified update of the feed at any other address than the feed's Pyth
    // push-oracle account (which only moves forward) is refused: its poster could rewrite it with an older one.
    let mint = env.create_mint(9).await;
    let posted_by_anyone = Pubkey::new_unique();
    env.set_price_account(&posted_by_anyone, &good);
    let refused = env.add_bank_with(mint, posted_by_anyone, config).await.err();
    assert_eq!(refused, Some(code(MarginError::PriceAccountNotPushFeed)));
}

#[tokio::test]
async fn open_account_of_each_kind_and_refuse_unknown_kinds() {
    let mut env = Env::new().await;
    let trader = env.funded_keypair().await;
    let cross = env.open_account(&trader, 0, 0).await.unwrap();
    let isolated = env.open_account(&trader, 1, 1).await.unwrap();
    assert_eq!(env.account_state(&cross).await.kind, 0);
    let state = env.account_state(&isolated).await;
    assert_eq!((state.kind, state.index, state.owner, state.group), (1, 1, trader.pubkey(), env.group));
    // An unknown kind does not deserialize (Anchor's InstructionDidNotDeserialize).
    assert_eq!(env.open_account(&trader, 2, 2).await.err(), Some(Failure::Custom(102)));
    assert_eq!(env.open_account(&trader, 0, 0).await.err(), Some(already_in_use()));
}

#[tokio::test]
async fn close_account_only_when_empty_and_only_by_its_owner() {
    let mut market = Market::with_sol_collateral().await;
    let (trader, account) = (market.trader.insecure_clone(), market.trader_account);
    assert_eq!(market.env.close_account(&trader, &account).await, Err(code(MarginError::AccountNotEmpty)));
    let stranger = market.env.funded_keypair().await;
    assert_eq!(market.env.close_account(&stranger, &account).await, Err(code(MarginError::NotOwner)));
    let (sol, to) = (market.sol, market.trader_sol);
    market.env.withdraw(&trader, &account, &sol, &to, 10 * SOL).await.unwrap();
    let lamports_before = market.env.account(&trader.pubkey()).await.unwrap().lamports;
    let rent = market.env.account(&account).await.unwrap().lamports;
    market.env.close_account(&trader, &account).await.unwrap();
    assert!(market.env.account(&account).await.is_none());
    assert_eq!(market.env.account(&trader.pubkey()).await.unwrap().lamports, lamports_before + rent);
}

#[tokio::test]
async fn one_owner_holds_many_accounts_in_one_group() {
    let mut env = Env::new().await;
    let trader = env.funded_keypair().await;
    let mut addresses = Vec::new();
    for index in 0..4 {
        addresses.push(env.open_account(&trader, index, (index % 2) as u8).await.unwrap());
    }
    addresses.sort();
    addresses.dedup();
    assert_eq!(addresses.len(), 4);
    for (index, address) in (0..4u16).zip([0, 1, 2, 3].map(|i| env.account_address(&trader.pubkey(), i))) {
        assert_eq!(env.account_state(&address).await.index, index);
    }
}
