//! Token-2022 mints at `add_bank`: extensions that change amounts or give someone power over the vault are
//! refused with a named error; a mint with only a metadata pointer is listed like any other.

use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
use margin::errors::MarginError;
use margin_tests::pyth::PriceUpdate;
use margin_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

async fn list(env: &mut Env, mint: Pubkey) -> Result<BankKeys, Failure> {
    let price_account = margin_sdk::addresses::push_feed(&[5; 32]);
    env.set_price_account(&price_account, &PriceUpdate::new([5; 32], 100_000_000, 10_000, START));
    env.add_bank_for_program(mint, price_account, stable_config(5), anchor_spl::token_2022::ID).await
}

#[tokio::test]
async fn a_transfer_fee_mint_is_refused() {
    let mut env = Env::new().await;
    let mint = env.create_mint_2022(6, &[ExtensionType::TransferFeeConfig]).await;
    assert_eq!(list(&mut env, mint).await.err(), Some(code(MarginError::UnsupportedMintExtension)));
}

#[tokio::test]
async fn a_permanent_delegate_mint_is_refused() {
    let mut env = Env::new().await;
    let mint = env.create_mint_2022(6, &[ExtensionType::PermanentDelegate]).await;
    assert_eq!(list(&mut env, mint).await.err(), Some(code(MarginError::UnsupportedMintExtension)));
}

#[tokio::test]
async fn a_metadata_pointer_mint_and_a_plain_token_2022_mint_are_listed() {
    let mut env = Env::new().await;
    let with_metadata = env.create_mint_2022(6, &[ExtensionType::MetadataPointer]).await;
    let bank = list(&mut env, with_metadata).await.unwrap();
    let state = env.bank_state(&bank.bank).await;
    assert_eq!((state.token_program, state.decimals), (anchor_spl::token_2022::ID, 6));
    assert_eq!(env.account(&bank.vault).await.unwrap().owner, anchor_spl::token_2022::ID);
    let plain = env.create_mint_2022(9, &[]).await;
    let mut config = stable_config(6);
    config.feed_id = [6; 32];
    let price_account = margin_sdk::addresses::push_feed(&[6; 32]);
    env.set_price_account(&price_account, &PriceUpdate::new([6; 32], 100_000_000, 10_000, START));
    let bank = env.add_bank_for_program(plain, price_account, config, anchor_spl::token_2022::ID).await.unwrap();
    assert_eq!(env.bank_state(&bank.bank).await.decimals, 9);
}

#[tokio::test]
async fn a_mint_of_the_other_token_program_is_refused() {
    let mut env = Env::new().await;
    let classic = env.create_mint(6).await;
    let price_account = margin_sdk::addresses::push_feed(&[5; 32]);
    env.set_price_account(&price_account, &PriceUpdate::new([5; 32], 100_000_000, 10_000, START));
    let result = env.add_bank_for_program(classic, price_account, stable_config(5), anchor_spl::token_2022::ID).await;
    // The mint's owner is not the token program named: refused before the program's own checks.
    assert_eq!(result.err(), Some(Failure::Instruction("IncorrectProgramId".into())));
}

/// A token action naming the other token program than the bank's is refused by name (not as a wrong mint), and
/// a price error names the bank in the log.
#[tokio::test]
async fn the_wrong_token_program_is_named_and_a_price_error_names_its_bank() {
    let mut market = Market::with_sol_collateral().await;
    let (trader, account, sol, wallet) =
        (market.trader.insecure_clone(), market.trader_account, market.sol, market.trader_sol);
    let mut addresses = sol.addresses();
    addresses.token_program = anchor_spl::token_2022::ID;
    let (owner, group) = (trader.pubkey(), market.env.group);
    let accounts = margin_sdk::instructions::TokenActionAccounts {
        owner: &owner,
        account: &account,
        group: &group,
        bank: &addresses,
        user_token_account: &wallet,
    };
    let deposit = margin_sdk::instructions::deposit(&accounts, SOL);
    assert_eq!(market.env.send(&[deposit], &[&trader]).await, Err(code(MarginError::WrongTokenProgram)));

    market.env.advance(3_600); // every price stale
    let usdc = market.usdc;
    let to = market.trader_usdc;
    assert_eq!(market.env.borrow(&trader, &account, &usdc, &to, USDC).await, Err(code(MarginError::StalePrice)));
    let named = format!("bank {}: price unusable: StalePrice", sol.bank);
    assert!(market.env.last_logs.iter().any(|line| line.contains(&named)), "{:?}", market.env.last_logs);
}
