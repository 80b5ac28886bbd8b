//! Pyth `PriceUpdateV2` accounts: written as the receiver program writes them (for the in-process chain, the
//! simulator and tests), and read from `solana account --output json` files (captured mainnet accounts).
use anchor_lang::{AccountDeserialize, AccountSerialize};
use base64::Engine;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

use crate::SdkError;

/// A price update: `price ± conf` · 10^exponent USD, EMA equal to spot unless set.
#[derive(Clone, Copy, Debug)]
pub struct PriceUpdate {
    /// The Pyth feed id.
    pub feed_id: [u8; 32],
    /// Price mantissa.
    pub price: i64,
    /// Confidence, same exponent.
    pub conf: u64,
    /// Decimal exponent.
    pub exponent: i32,
    /// Unix seconds.
    pub publish_time: i64,
    /// EMA price mantissa.
    pub ema_price: i64,
    /// EMA confidence.
    pub ema_conf: u64,
    /// Full, or Partial with a signature count.
    pub verification: VerificationLevel,
    /// The account's owner (the Pyth receiver for a genuine update).
    pub owner: Pubkey,
}

impl PriceUpdate {
    /// A Full-verified update of `feed_id` at `dollars_e8` · 10^-8 with `conf_e8`, published at `publish_time`.
    pub fn new(feed_id: [u8; 32], dollars_e8: i64, conf_e8: u64, publish_time: i64) -> Self {
        PriceUpdate {
            feed_id,
            price: dollars_e8,
            conf: conf_e8,
            exponent: -8,
            publish_time,
            ema_price: dollars_e8,
            ema_conf: conf_e8,
            verification: VerificationLevel::Full,
            owner: pyth_solana_receiver_sdk::ID,
        }
    }

    /// The update an existing `PriceUpdateV2` account holds (e.g. a captured one, to be republished at another
    /// time with `PriceUpdate { publish_time, ..from_account(..)? }`): feed, price, confidence, exponent, EMA,
    /// verification and owner as they are; the write authority and posted slot are not kept.
    ///
    /// Errors: [`SdkError::WrongAccountType`] when the data is not a `PriceUpdateV2`.
    pub fn from_account(account: &Account) -> Result<Self, SdkError> {
        let update =
            PriceUpdateV2::try_deserialize(&mut account.data.as_slice()).map_err(|_| SdkError::WrongAccountType)?;
        let message = update.price_message;
        Ok(PriceUpdate {
            feed_id: message.feed_id,
            price: message.price,
            conf: message.conf,
            exponent: message.exponent,
            publish_time: message.publish_time,
            ema_price: message.ema_price,
            ema_conf: message.ema_conf,
            verification: update.verification_level,
            owner: account.owner,
        })
    }

    /// The account bytes (8-byte discriminator + Borsh), owned by the Pyth receiver unless set otherwise.
    pub fn account(&self, address: Pubkey) -> Account {
        let update = PriceUpdateV2 {
            write_authority: address,
            verification_level: self.verification,
            price_message: PriceFeedMessage {
                feed_id: self.feed_id,
                price: self.price,
                conf: self.conf,
                exponent: self.exponent,
                publish_time: self.publish_time,
                prev_publish_time: self.publish_time - 1,
                ema_price: self.ema_price,
                ema_conf: self.ema_conf,
            },
            posted_slot: 1,
        };
        let mut data = Vec::with_capacity(134);
        update.try_serialize(&mut data).expect("a PriceUpdateV2 serializes into a Vec");
        Account { lamports: 1_000_000_000, data, owner: self.owner, executable: false, rent_epoch: 0 }
    }
}

/// An account in the `solana account --output json` format (`{"pubkey", "account": {"lamports", "data":
/// [base64, "base64"], "owner", "executable", "rentEpoch"}}`): its address and the account.
///
/// Errors: [`SdkError::WrongAccountType`] naming nothing more precise than "not that format".
pub fn cli_account(json: &str) -> Result<(Pubkey, Account), SdkError> {
    let bad = |what: &str| SdkError::Chain(format!("not a `solana account --output json` file: {what}"));
    let value: serde_json::Value = serde_json::from_str(json).map_err(|error| bad(&error.to_string()))?;
    let text = |field: &serde_json::Value, name: &str| field.as_str().map(str::to_string).ok_or_else(|| bad(name));
    let pubkey: Pubkey = text(&value["pubkey"], "pubkey")?.parse().map_err(|_| bad("pubkey"))?;
    let account = &value["account"];
    let owner: Pubkey = text(&account["owner"], "owner")?.parse().map_err(|_| bad("owner"))?;
    let encoded = text(&account["data"][0], "data")?;
    let data = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| bad("data"))?;
    let lamports = account["lamports"].as_u64().ok_or_else(|| bad("lamports"))?;
    let executable = account["executable"].as_bool().unwrap_or(false);
    Ok((pubkey, Account { lamports, data, owner, executable, rent_epoch: u64::MAX }))
}
