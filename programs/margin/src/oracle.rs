//! Reads a bank's pinned Pyth `PriceUpdateV2` account into a `margin_risk::price::PythPrice`, and its
//! fallback Switchboard pull feed when it has one (issue 25), and chooses the price the bank uses.
//!
//! Hard failures (the wrong account, or not a fully verified Pyth update of the bank's feed) fail the
//! instruction. Staleness, confidence and sign are judged by margin-risk per action.
use anchor_lang::prelude::*;
use margin_risk::fallback::{choose_price, switchboard_price};
use margin_risk::price::{check_publish_order, validate_price, PriceCheck, PythPrice};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

use crate::errors::{MarginError, RiskResultExt};
use crate::state::Bank;
use crate::switchboard::read_pull_feed;

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

/// One price source's account as fetched: its address, owner and bytes.
#[derive(Clone, Copy, Debug)]
pub struct SourceAccount<'a> {
    /// The account's address.
    pub address: &'a Pubkey,
    /// Its owner program.
    pub owner: &'a Pubkey,
    /// Its data.
    pub data: &'a [u8],
}

/// The price `bank` uses at `now` (its Pyth price, with its fallback by `margin_risk::fallback::choose_price`
/// when it has one) and the publish time to record: the primary's, or the fallback's when the fallback
/// alone priced the bank.
///
/// Hard failures fail the instruction: the primary's (see [`pyth_price_from`]); a fallback account missing or
/// at another address than the bank names (`WrongFallbackAccount`). A fallback account that holds no usable
/// pull feed (closed, reassigned, no result) counts as no fallback: it can never block a liquidation.
pub fn bank_price(
    bank: &Bank,
    primary: SourceAccount,
    fallback: Option<SourceAccount>,
    now: i64,
) -> Result<(PriceCheck, i64)> {
    let pyth = pyth_price_from(primary.address, primary.owner, primary.data, bank)?;
    let primary_check = check_price(&pyth, bank, now);
    if !bank.fallback.is_set() {
        return Ok((primary_check, pyth.publish_time));
    }
    let Some(fallback) = fallback else { return err!(MarginError::WrongFallbackAccount) };
    require_keys_eq!(*fallback.address, bank.fallback.price_account, MarginError::WrongFallbackAccount);
    let reading = fallback_pyth_price(fallback.owner, fallback.data);
    let fallback_check = reading.as_ref().ok().map(|reading| check_fallback(reading, bank, now));
    let chosen = choose_price(&primary_check, fallback_check.as_ref(), bank.fallback.max_divergence_bps);
    match (&primary_check, &reading) {
        (Err(_), Ok(reading)) if chosen.is_ok() => Ok((chosen, reading.publish_time)),
        _ => Ok((chosen, pyth.publish_time)),
    }
}

/// A pull feed's current result in Pyth's terms (`margin_risk::fallback::switchboard_price`).
pub fn fallback_pyth_price(owner: &Pubkey, data: &[u8]) -> Result<PythPrice> {
    let result = read_pull_feed(owner, data)?;
    switchboard_price(result.value, result.std_dev, result.range, result.publish_time).risk()
}

/// margin-risk's judgement of a fallback reading for `bank` at `now`, with the bank's own oracle limits: the
/// publish order (never older than the last price the bank used), then the price. No dynamic margin: a pull
/// feed has no EMA, and the fallback alone opens nothing.
pub fn check_fallback(reading: &PythPrice, bank: &Bank, now: i64) -> PriceCheck {
    check_publish_order(reading.publish_time, bank.last_price_publish_time)?;
    validate_price(reading, &bank.oracle_config(), bank.decimals, now)
}

/// [`bank_price`] on the instruction's accounts. Each address is compared before its data is borrowed (an
/// account the instruction holds, passed as a price, is named, not a borrow failure; issue 21, finding 12).
pub fn read_price(
    price_account: &AccountInfo,
    fallback_account: Option<&AccountInfo>,
    bank: &Bank,
    now: i64,
) -> Result<(PriceCheck, i64)> {
    require_keys_eq!(price_account.key(), bank.price_account, MarginError::WrongPriceAccount);
    let primary_data = price_account.try_borrow_data()?;
    let primary = SourceAccount { address: price_account.key, owner: price_account.owner, data: &primary_data };
    let Some(fallback_account) = fallback_account else { return bank_price(bank, primary, None, now) };
    require_keys_eq!(fallback_account.key(), bank.fallback.price_account, MarginError::WrongFallbackAccount);
    let fallback_data = fallback_account.try_borrow_data()?;
    let fallback = SourceAccount { address: fallback_account.key, owner: fallback_account.owner, data: &fallback_data };
    bank_price(bank, primary, Some(fallback), now)
}

/// margin-risk's judgement of `pyth` for `bank` at `now`: in order, the publish order, then the price itself.
pub fn check_price(pyth: &PythPrice, bank: &Bank, now: i64) -> PriceCheck {
    check_publish_order(pyth.publish_time, bank.last_price_publish_time)?;
    let price = validate_price(pyth, &bank.oracle_config(), bank.decimals, now)?;
    margin_risk::dynamic::apply_dynamic_margin(&price, pyth, &bank.dynamic_margin())
}
