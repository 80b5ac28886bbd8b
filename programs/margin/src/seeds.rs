//! Every PDA seed of the program, in one place.

/// Group: `[GROUP, group_id (u64 LE)]`.
pub const GROUP: &[u8] = b"group";
/// Bank: `[BANK, group, mint]`: one bank per mint per group.
pub const BANK: &[u8] = b"bank";
/// Token vault of a bank: `[VAULT, bank]`, token authority = the bank.
pub const VAULT: &[u8] = b"vault";
/// Insurance vault of a bank: `[INSURANCE, bank]`, token authority = the bank.
pub const INSURANCE: &[u8] = b"insurance";
/// Margin account: `[ACCOUNT, group, owner, index (u16 LE)]`: one owner has many.
pub const ACCOUNT: &[u8] = b"account";
/// Proposal: `[PROPOSAL, group, id (u64 LE)]`.
pub const PROPOSAL: &[u8] = b"proposal";
