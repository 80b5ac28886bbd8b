//! A captured mainnet Pyth account written into the in-process chain at its own (pinned) address reads back
//! through the chain and the program's own check as the same price.
#![cfg(feature = "program-test")]

use margin::state::Bank;
use margin_sdk::chain::{margin_program_test, Chain, ProgramTestChain};
use margin_sdk::pyth;

#[tokio::test]
async fn a_captured_price_account_is_served_at_its_pinned_address() {
    let mut chain = ProgramTestChain::start(margin_program_test()).await;
    let (address, account) = pyth::cli_account(include_str!("fixtures/pyth-v2-sol-usd-full-2025.json")).unwrap();
    chain.set_account(&address, account.clone());
    let served = chain.account(&address).await.unwrap().expect("the account is there");
    assert_eq!((served.owner, &served.data), (account.owner, &account.data));
    let mut bank: Bank = bytemuck::Zeroable::zeroed();
    bank.price_account = address;
    bank.feed_id = pyth::PriceUpdate::from_account(&served).unwrap().feed_id;
    let price = margin::oracle::pyth_price_from(&address, &served.owner, &served.data, &bank).unwrap();
    assert_eq!((price.price, price.exponent), (21_568_137_069, -8));
}
