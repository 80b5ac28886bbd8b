//! Switchboard On-Demand pull feed accounts (a bank's fallback price source): written with the fields the
//! program reads, at the offsets it reads them (`margin::switchboard`), for the in-process chain, the
//! simulator, the local cluster and tests. The program tests check these bytes with the
//! `switchboard-on-demand` crate's own `PullFeedAccountData`.
use margin::switchboard::{
    PULL_FEED_DISCRIMINATOR, PULL_FEED_LEN, RESULT, RESULT_NUM_SAMPLES, RESULT_RANGE, SUBMISSION_TIMESTAMPS,
    SWITCHBOARD_ON_DEMAND_ID,
};
use solana_sdk::account::Account;

/// A pull feed's current result: the median of `samples` submissions with their deviation and range, all at 18
/// decimals, taken from the submission published at `publish_time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PullFeed {
    /// Median, 18 decimals (dollars · 10^18).
    pub value: i128,
    /// Standard deviation of the submissions, 18 decimals.
    pub std_dev: i128,
    /// Range of the submissions (max − min), 18 decimals.
    pub range: i128,
    /// Submissions behind the result (0: no result yet).
    pub samples: u8,
    /// Unix seconds of the submission the result was taken from.
    pub publish_time: i64,
}

impl PullFeed {
    /// A result of 3 submissions at `dollars_e8 · 10^-8` with a standard deviation of `std_dev_e8 · 10^-8` and a
    /// range of twice that, published at `publish_time`.
    pub fn new(dollars_e8: i64, std_dev_e8: u64, publish_time: i64) -> Self {
        let scale = 10i128.pow(10);
        PullFeed {
            value: i128::from(dollars_e8) * scale,
            std_dev: i128::from(std_dev_e8) * scale,
            range: 2 * i128::from(std_dev_e8) * scale,
            samples: 3,
            publish_time,
        }
    }

    /// The account's bytes: discriminator, result (value, deviation, mean = value, range, min and max around the
    /// value), its submission index 0 and that submission's timestamp; the rest zero.
    pub fn data(&self) -> Vec<u8> {
        let mut data = vec![0u8; PULL_FEED_LEN];
        data[..8].copy_from_slice(&PULL_FEED_DISCRIMINATOR);
        let half = self.range / 2;
        let fields = [self.value, self.std_dev, self.value, self.range, self.value - half, self.value + half];
        for (index, field) in fields.iter().enumerate() {
            data[RESULT + 16 * index..RESULT + 16 * (index + 1)].copy_from_slice(&field.to_le_bytes());
        }
        debug_assert_eq!(RESULT + 48, RESULT_RANGE);
        data[RESULT_NUM_SAMPLES] = self.samples;
        data[SUBMISSION_TIMESTAMPS..SUBMISSION_TIMESTAMPS + 8].copy_from_slice(&self.publish_time.to_le_bytes());
        data
    }

    /// The account as the Switchboard On-Demand program owns it, rent-exempt.
    pub fn account(&self) -> Account {
        Account {
            lamports: 1_000_000_000,
            data: self.data(),
            owner: SWITCHBOARD_ON_DEMAND_ID,
            executable: false,
            rent_epoch: 0,
        }
    }
}
