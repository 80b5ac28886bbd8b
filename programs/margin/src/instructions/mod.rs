//! One file per instruction: args, accounts, `validate`, handler.
pub mod accrue_interest;
pub mod add_bank;
pub mod borrow;
pub mod close_account;
pub mod deposit;
pub mod init_group;
pub mod liquidate;
pub mod open_account;
pub mod repay;
pub mod resolve_bankruptcy;
pub mod token_action;
pub mod withdraw;

pub use accrue_interest::*;
pub use add_bank::*;
pub use close_account::*;
pub use init_group::*;
pub use liquidate::*;
pub use open_account::*;
pub use repay::*;
pub use resolve_bankruptcy::*;
pub use token_action::*;
