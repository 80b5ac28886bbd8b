//! Captured mainnet `PriceUpdateV2` accounts through the SDK's reading path (which is the program's own,
//! `margin::oracle::pyth_price_from`): Full updates owned by the Pyth receiver give their decoded fields; a
//! Partial update, another program's account, another feed or another address are refused by name.
use anchor_lang::prelude::Pubkey;
use margin::errors::MarginError;
use margin::state::Bank;
use margin_sdk::{errors, pyth, SdkError};
use pyth_solana_receiver_sdk::price_update::VerificationLevel;

fn bank_pinned_to(price_account: Pubkey, feed_id: [u8; 32]) -> Bank {
    let mut bank: Bank = bytemuck::Zeroable::zeroed();
    (bank.price_account, bank.feed_id) = (price_account, feed_id);
    bank
}

fn read(address: &Pubkey, owner: &Pubkey, data: &[u8], bank: &Bank) -> Result<margin_risk::price::PythPrice, SdkError> {
    margin::oracle::pyth_price_from(address, owner, data, bank).map_err(SdkError::from_anchor)
}

fn refused(error: MarginError) -> Result<margin_risk::price::PythPrice, SdkError> {
    Err(SdkError::Program(errors::code(error)))
}

fn feed(hex: &str) -> [u8; 32] {
    let bytes: Vec<u8> = (0..64).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    bytes.try_into().unwrap()
}

const SOL_FEED: &str = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";

#[test]
fn the_sol_2025_account_reads_as_215_68137069_plus_minus_0_20134469() {
    let (address, account) = pyth::cli_account(include_str!("fixtures/pyth-v2-sol-usd-full-2025.json")).unwrap();
    assert_eq!(address.to_string(), "7UVimffxr9ow1uXYxsr4LHAcV58mLzhmwaeKvJ1pjLiE");
    assert_eq!(account.owner, pyth_solana_receiver_sdk::ID);
    let bank = bank_pinned_to(address, feed(SOL_FEED));
    let price = read(&address, &account.owner, &account.data, &bank).unwrap();
    assert_eq!((price.price, price.conf, price.exponent), (21_568_137_069, 20_134_469, -8));
    // 2025-01-04 09:48:07 UTC.
    assert_eq!(price.publish_time, 1_735_984_087);
    // Another feed, another pinned address, another owner: each refused by name.
    let other_feed = bank_pinned_to(address, [1; 32]);
    assert_eq!(read(&address, &account.owner, &account.data, &other_feed), refused(MarginError::WrongFeedId));
    let other_address = bank_pinned_to(Pubkey::new_unique(), feed(SOL_FEED));
    assert_eq!(read(&address, &account.owner, &account.data, &other_address), refused(MarginError::WrongPriceAccount));
    let stranger = Pubkey::new_unique();
    assert_eq!(read(&address, &stranger, &account.data, &bank), refused(MarginError::PriceAccountNotPyth));
}

#[test]
fn a_captured_account_republished_later_reads_as_the_same_price_at_the_new_time() {
    let (address, account) = pyth::cli_account(include_str!("fixtures/pyth-v2-sol-usd-full-2025.json")).unwrap();
    let captured = pyth::PriceUpdate::from_account(&account).unwrap();
    assert_eq!(captured.feed_id, feed(SOL_FEED));
    assert_eq!((captured.owner, captured.verification), (account.owner, VerificationLevel::Full));
    let later = pyth::PriceUpdate { publish_time: 1_800_000_000, ..captured }.account(address);
    let bank = bank_pinned_to(address, feed(SOL_FEED));
    let before = read(&address, &account.owner, &account.data, &bank).unwrap();
    let after = read(&address, &later.owner, &later.data, &bank).unwrap();
    assert_eq!(after, margin_risk::price::PythPrice { publish_time: 1_800_000_000, ..before });
    assert_ne!(before.publish_time, after.publish_time);
    // Not a price update: refused by name.
    let mut truncated = account.clone();
    truncated.data.truncate(40);
    assert_eq!(pyth::PriceUpdate::from_account(&truncated).unwrap_err(), SdkError::WrongAccountType);
}

#[test]
fn every_sample_of_the_bundle_reads_as_its_decoded_fields_or_is_refused_by_name() {
    let bundle: serde_json::Value = serde_json::from_str(include_str!("fixtures/pyth-v2-more-samples.json")).unwrap();
    let samples = bundle["accounts"].as_array().unwrap();
    assert_eq!(samples.len(), 5);
    let mut accepted = 0;
    for sample in samples {
        let name = sample["name"].as_str().unwrap();
        let address: Pubkey = sample["pubkey"].as_str().unwrap().parse().unwrap();
        let owner: Pubkey = sample["owner"].as_str().unwrap().parse().unwrap();
        use base64::Engine;
        let data = base64::engine::general_purpose::STANDARD.decode(sample["data_base64"].as_str().unwrap()).unwrap();
        let decoded = &sample["decoded"];
        let bank = bank_pinned_to(address, feed(decoded["feed_id"].as_str().unwrap()));
        let full = decoded["verification_level"]["kind"] == "Full";
        let result = read(&address, &owner, &data, &bank);
        if owner != pyth_solana_receiver_sdk::ID {
            assert_eq!(result, refused(MarginError::PriceAccountNotPyth), "{name}: Drift's receiver deployment");
            // The same bytes under the genuine receiver: Full reads, Partial is refused.
            let genuine = read(&address, &pyth_solana_receiver_sdk::ID, &data, &bank);
            if !full {
                assert_eq!(genuine, refused(MarginError::PriceNotFullyVerified), "{name}");
                continue;
            }
        }
        let price = read(&address, &pyth_solana_receiver_sdk::ID, &data, &bank).unwrap();
        let field = |key: &str| decoded[key].as_i64().unwrap();
        assert_eq!(price.price, field("price"), "{name}");
        assert_eq!(price.conf as i64, field("conf"), "{name}");
        assert_eq!(i64::from(price.exponent), field("exponent"), "{name}");
        assert_eq!(price.publish_time, field("publish_time"), "{name}");
        assert_eq!((price.ema_price, price.ema_conf as i64), (field("ema_price"), field("ema_conf")), "{name}");
        accepted += 1;
    }
    assert_eq!(accepted, 3, "SOL and USDC under the receiver, BONK's Full bytes under the genuine owner");
}
