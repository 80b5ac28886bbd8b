//! The program's accounts, one file each.
pub mod bank;
pub mod group;
pub mod margin_account;
pub mod proposal;

pub use bank::*;
pub use group::*;
pub use margin_account::*;
pub use proposal::*;
