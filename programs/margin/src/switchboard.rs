//! Reads a Switchboard On-Demand pull feed account (`PullFeedAccountData`, the fallback price source of
//! issue 25) at fixed offsets: the crate `switchboard-on-demand` 0.13 defines the layout (the program tests
//! build their accounts with it, so a layout change fails them), but the program reads the handful of bytes
//! it needs without the crate's dependency tree.
use anchor_lang::prelude::*;

use margin_risk::fallback::SwitchboardDecimal;

use crate::errors::MarginError;

/// The Switchboard On-Demand program (mainnet; it owns every pull feed account).
pub const SWITCHBOARD_ON_DEMAND_ID: Pubkey = pubkey!("SBondMDrcV3K4kxZR1HNVT7osZxAHVHgYXL5Ze1oMUv");
/// Anchor discriminator of `PullFeedAccountData`.
pub const PULL_FEED_DISCRIMINATOR: [u8; 8] = [196, 27, 108, 196, 10, 215, 219, 40];
/// Bytes of a pull feed account: the discriminator and the 3,200-byte `PullFeedAccountData`.
pub const PULL_FEED_LEN: usize = 8 + 3_200;
/// Offset of `result` in the account (a `CurrentResult`: value, std_dev, mean, range … as i128 at 18 decimals).
pub const RESULT: usize = 8 + 2_256;
/// Offset of `result.range`.
pub const RESULT_RANGE: usize = RESULT + 48;
/// Offset of `result.num_samples` (u8), then `result.submission_idx` (u8).
pub const RESULT_NUM_SAMPLES: usize = RESULT + 96;
/// Offset of `submission_timestamps` (32 × i64, unix seconds).
pub const SUBMISSION_TIMESTAMPS: usize = 8 + 2_944;
/// Submissions a feed holds.
pub const SUBMISSIONS: usize = 32;

/// What the program reads of a pull feed's current result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PullFeedResult {
    /// Median of the submissions, 18 decimals.
    pub value: SwitchboardDecimal,
    /// Standard deviation of the submissions, 18 decimals.
    pub std_dev: SwitchboardDecimal,
    /// Range (max − min) of the submissions, 18 decimals.
    pub range: SwitchboardDecimal,
    /// Unix seconds of the submission the result was taken from (Switchboard's `result_ts`).
    pub publish_time: i64,
}

/// The current result of the pull feed in `data`, owned by `owner`: `FallbackNotSwitchboard` for another
/// owner, `InvalidFallbackAccount` for bytes that are not a pull feed or a feed with no result yet.
pub fn read_pull_feed(owner: &Pubkey, data: &[u8]) -> Result<PullFeedResult> {
    require_keys_eq!(*owner, SWITCHBOARD_ON_DEMAND_ID, MarginError::FallbackNotSwitchboard);
    require!(data.len() >= PULL_FEED_LEN && data[..8] == PULL_FEED_DISCRIMINATOR, MarginError::InvalidFallbackAccount);
    let (num_samples, submission) = (data[RESULT_NUM_SAMPLES], usize::from(data[RESULT_NUM_SAMPLES + 1]));
    require!(num_samples > 0 && submission < SUBMISSIONS, MarginError::InvalidFallbackAccount);
    Ok(PullFeedResult {
        value: decimal_at(data, RESULT),
        std_dev: decimal_at(data, RESULT + 16),
        range: decimal_at(data, RESULT_RANGE),
        publish_time: i64_at(data, SUBMISSION_TIMESTAMPS + 8 * submission),
    })
}

fn decimal_at(data: &[u8], offset: usize) -> SwitchboardDecimal {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&data[offset..offset + 16]);
    SwitchboardDecimal::from_le_bytes(bytes)
}

fn i64_at(data: &[u8], offset: usize) -> i64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&data[offset..offset + 8]);
    i64::from_le_bytes(bytes)
}
