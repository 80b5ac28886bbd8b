//! Group: one independent market of banks, with its admin and guardian.
use anchor_lang::prelude::*;

/// One market. Banks and margin accounts belong to exactly one group.
#[account]
#[derive(InitSpace)]
pub struct Group {
    /// Lists banks and changes risk parameters (meant to be a multisig PDA).
    pub admin: Pubkey,
    /// May only tighten risk (governance issue).
    pub guardian: Pubkey,
    /// The id in the group's seeds.
    pub group_id: u64,
    /// Banks listed so far.
    pub bank_count: u32,
    /// Canonical bump of the group PDA.
    pub bump: u8,
    /// Room for governance state without a migration.
    pub reserved: [u8; 128],
}
