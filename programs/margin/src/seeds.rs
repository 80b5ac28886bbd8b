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

/// The program's PDAs, derived the way the program's account constraints check them: for clients, the bot and
/// the tests (off chain; the program itself stores canonical bumps and never searches for one).
pub mod address {
    use anchor_lang::prelude::Pubkey;

    fn find(seeds: &[&[u8]]) -> Pubkey {
        Pubkey::find_program_address(seeds, &crate::ID).0
    }

    /// Group `group_id`.
    pub fn group(group_id: u64) -> Pubkey {
        find(&[super::GROUP, &group_id.to_le_bytes()])
    }

    /// The bank of `mint` in `group`.
    pub fn bank(group: &Pubkey, mint: &Pubkey) -> Pubkey {
        find(&[super::BANK, group.as_ref(), mint.as_ref()])
    }

    /// A bank's token vault.
    pub fn vault(bank: &Pubkey) -> Pubkey {
        find(&[super::VAULT, bank.as_ref()])
    }

    /// A bank's insurance vault.
    pub fn insurance_vault(bank: &Pubkey) -> Pubkey {
        find(&[super::INSURANCE, bank.as_ref()])
    }

    /// Margin account `index` of `owner` in `group`.
    pub fn margin_account(group: &Pubkey, owner: &Pubkey, index: u16) -> Pubkey {
        find(&[super::ACCOUNT, group.as_ref(), owner.as_ref(), &index.to_le_bytes()])
    }

    /// Proposal `id` of `group`.
    pub fn proposal(group: &Pubkey, id: u64) -> Pubkey {
        find(&[super::PROPOSAL, group.as_ref(), &id.to_le_bytes()])
    }
}
