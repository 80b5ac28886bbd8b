//! Rust client SDK of the margin program: what traders' tools, the liquidator bot, the CLI and the tests share.
//!
//! - [`addresses`]: PDAs (the program's own derivation) and a bank's [`addresses::BankAddresses`];
//! - [`instructions`]: a typed builder per instruction;
//! - [`accounts`]: account bytes to state, and the remaining accounts the program expects;
//! - [`snapshot`]: a group's banks, prices and accounts with health, max borrow / withdraw and the
//!   liquidation plan, computed by the program's own functions (`margin::oracle`, `margin::health_accounts`,
//!   `margin-risk`), so a client's numbers are the program's;
//! - [`events`] and [`errors`]: decoded events and error codes;
//! - [`params`]: bank parameters by their governance-table names (`name=value` changes);
//! - [`presets`]: reference bank parameters (SOL-like, USDC-like) and governance settings;
//! - [`pyth`]: `PriceUpdateV2` accounts written as the receiver writes them, and read from captured
//!   `solana account --output json` files (write them at their pinned address with
//!   `ProgramTestChain::set_account`);
//! - [`transaction`]: compute budget, legacy and v0 transactions with address lookup tables;
//! - [`chain`]: one small trait over the in-process chain (feature `program-test`) and JSON-RPC (feature `rpc`).
pub mod accounts;
pub mod addresses;
pub mod chain;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod market;
pub mod params;
pub mod presets;
pub mod pyth;
pub mod snapshot;
pub mod switchboard;
pub mod tokens;
pub mod transaction;

pub use margin;
pub use margin_risk;

use anchor_lang::prelude::Pubkey;

/// What can go wrong in the SDK, named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SdkError {
    /// The program (or margin-risk, mapped to the program's code) refuses: custom error code.
    Program(u32),
    /// Account data of another type than expected.
    WrongAccountType,
    /// Account data shorter than its type.
    AccountTooShort,
    /// A bank the snapshot or lookup does not hold.
    UnknownBank(Pubkey),
    /// An account the snapshot does not hold, or that does not exist.
    UnknownAccount(Pubkey),
    /// The chain backend failed (transport, RPC error), with its message.
    Chain(String),
}

impl SdkError {
    /// An error of the program's shared functions.
    pub fn from_anchor(error: anchor_lang::error::Error) -> SdkError {
        match error {
            anchor_lang::error::Error::AnchorError(error) => SdkError::Program(error.error_code_number),
            anchor_lang::error::Error::ProgramError(error) => SdkError::Chain(error.to_string()),
        }
    }
}

impl From<margin_risk::RiskError> for SdkError {
    fn from(error: margin_risk::RiskError) -> SdkError {
        SdkError::Program(errors::code(margin::errors::MarginError::from(error)))
    }
}

impl std::fmt::Display for SdkError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SdkError::Program(code) => match errors::describe(*code) {
                Some(error) => write!(formatter, "{error}"),
                None => write!(formatter, "custom program error {code}"),
            },
            SdkError::WrongAccountType => write!(formatter, "the account is not of the expected type"),
            SdkError::AccountTooShort => write!(formatter, "the account's data is too short for its type"),
            SdkError::UnknownBank(bank) => write!(formatter, "bank {bank} is not known"),
            SdkError::UnknownAccount(account) => write!(formatter, "account {account} is not known"),
            SdkError::Chain(message) => write!(formatter, "chain: {message}"),
        }
    }
}

impl std::error::Error for SdkError {}
