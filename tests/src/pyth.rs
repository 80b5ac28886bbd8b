//! Pyth `PriceUpdateV2` accounts as the receiver program writes them.
use anchor_lang::AccountSerialize;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

/// A price update: `price ± conf` · 10^exponent USD, EMA equal to spot unless set.
#[derive(Clone, Copy, Debug)]
pub struct PriceUpdate {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
    pub ema_price: i64,
    pub ema_conf: u64,
    pub verification: VerificationLevel,
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
        let mut data = Vec::new();
        update.try_serialize(&mut data).unwrap();
        Account { lamports: 1_000_000_000, data, owner: self.owner, executable: false, rent_epoch: 0 }
    }
}
