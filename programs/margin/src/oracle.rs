//! Reads a bank's pinned Pyth `PriceUpdateV2` account into a `margin_risk::price::PythPrice`.
//!
//! Hard failures (the wrong account, or not a fully verified Pyth update of the bank's feed) fail the
//! instruction. Staleness, confidence and sign are judged by margin-risk per action.
use anchor_lang::prelude::*;
use margin_risk::price::{validate_price, PriceCheck, PythPrice};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

use crate::errors::MarginError;
use crate::state::Bank;

/// The Pyth fields of `price_account`, after checking it is `bank`'s pinned, Pyth-owned, fully verified
/// update of the bank's feed.
pub fn read_pyth_price(price_account: &AccountInfo, bank: &Bank) -> Result<PythPrice> {
    let data = price_account.try_borrow_data()?;
    pyth_price_from(&price_account.key(), price_account.owner, &data, bank)
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

/// The bank's validated conservative prices at `now`, or why they cannot be used.
pub fn read_price(price_account: &AccountInfo, bank: &Bank, now: i64) -> Result<PriceCheck> {
    let pyth = read_pyth_price(price_account, bank)?;
    Ok(validate_price(&pyth, &bank.oracle_config(), bank.decimals, now))
}
