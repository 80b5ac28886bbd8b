//! Reads a bank's pinned Pyth `PriceUpdateV2` account into a `margin_risk::price::PythPrice`.
//!
//! Hard failures (the wrong account, or not a fully verified Pyth update of the bank's feed) fail the
//! instruction. Staleness, confidence and sign are judged by margin-risk per action.
use anchor_lang::prelude::*;
use margin_risk::price::{check_publish_order, validate_price, PriceCheck, PythPrice};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

use crate::errors::MarginError;
use crate::state::Bank;

/// The Pyth fields of `price_account`, after checking it is `bank`'s pinned, Pyth-owned, fully verified
/// update of the bank's feed. The address is compared before the data is borrowed, so an account the
/// instruction already holds (a margin account, a bank) passed in a price slot is `WrongPriceAccount`, not
/// a borrow failure (issue 21, finding 12).
pub fn read_pyth_price(price_account: &AccountInfo, bank: &Bank) -> Result<PythPrice> {
    require_keys_eq!(price_account.key(), bank.price_account, MarginError::WrongPriceAccount);
    let data = price_account.try_borrow_data()?;
    pyth_price_from(&price_account.key(), price_account.owner, &data, bank)
}

/// The Pyth push-oracle feed account of `feed_id` (shard 0): the only accounts a bank may pin. Pyth's push
/// oracle writes them and only moves their publish time forward; an account posted through the receiver by
/// anyone else can be rewritten with an older verified update (issue 21, finding 7).
pub fn push_feed_address(feed_id: &[u8; 32]) -> Pubkey {
    let shard: u16 = 0;
    Pubkey::find_program_address(&[&shard.to_le_bytes(), feed_id], &pyth_solana_receiver_sdk::PYTH_PUSH_ORACLE_ID).0
}

/// Refuses a price account that is not the push-oracle feed account of `feed_id`.
pub fn require_push_feed(price_account: &Pubkey, feed_id: &[u8; 32]) -> Result<()> {
    require_keys_eq!(*price_account, push_feed_address(feed_id), MarginError::PriceAccountNotPushFeed);
    Ok(())
}

/// The same checks on an account's address, owner and bytes, without an `AccountInfo`: what the program
/// runs, for clients that fetched the account (so their health refuses what the program refuses).
pub fn pyth_price_from(address: &Pubkey, owner: &Pubkey, data: &[u8], bank: &Bank) -> Result<PythPrice> {
    require_keys_eq!(*address, bank.price_account, MarginError::WrongPriceAccount);
    require_keys_eq!(*owner, pyth_solana_receiver_sdk::ID, MarginError::PriceAccountNotPyth);
    let update =
        PriceUpdateV2::try_deserialize(&mut &data[..]).map_err(|_| error!(MarginError::InvalidPriceAccount))?;
    require!(update.verification_level == VerificationLevel::Full, MarginError::PriceNotFullyVerified);
    require!(update.price_message.feed_id == bank.feed_id, MarginError::WrongFeedId);
    Ok(pyth_price_of(&update.price_message))
}

/// The fields margin-risk reads from a Pyth price message (clients use this too).
pub fn pyth_price_of(message: &PriceFeedMessage) -> PythPrice {
    PythPrice {
        price: message.price,
        conf: message.conf,
        exponent: message.exponent,
        publish_time: message.publish_time,
        ema_price: message.ema_price,
        ema_conf: message.ema_conf,
    }
}

/// The bank's validated conservative prices at `now` and the price's publish time, or why they cannot be
/// used: a price published before the last one the bank used is `PriceOlderThanLastUsed`.
pub fn read_price(price_account: &AccountInfo, bank: &Bank, now: i64) -> Result<(PriceCheck, i64)> {
    let pyth = read_pyth_price(price_account, bank)?;
    Ok((check_price(&pyth, bank, now), pyth.publish_time))
}

/// margin-risk's judgement of `pyth` for `bank` at `now`: in order, the publish order, then the price itself.
pub fn check_price(pyth: &PythPrice, bank: &Bank, now: i64) -> PriceCheck {
    check_publish_order(pyth.publish_time, bank.last_price_publish_time)?;
    let price = validate_price(pyth, &bank.oracle_config(), bank.decimals, now)?;
    margin_risk::dynamic::apply_dynamic_margin(&price, pyth, &bank.dynamic_margin())
}
