//! Every state change emits one of these. Amounts in native units, values in quote units (10^-6 USD).
use anchor_lang::prelude::*;

use crate::state::BankConfig;

#[event]
pub struct GroupCreated {
    pub group: Pubkey,
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub group_id: u64,
}

#[event]
pub struct BankAdded {
    pub group: Pubkey,
    pub bank: Pubkey,
    pub mint: Pubkey,
    pub price_account: Pubkey,
    pub feed_id: [u8; 32],
    pub config: BankConfig,
}

#[event]
pub struct AccountOpened {
    pub account: Pubkey,
    pub owner: Pubkey,
    pub group: Pubkey,
    pub index: u16,
    pub kind: u8,
}

#[event]
pub struct AccountClosed {
    pub account: Pubkey,
    pub owner: Pubkey,
}

#[event]
pub struct Deposited {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub amount: u64,
    pub shares: u64,
    pub deposit_index: u64,
}

#[event]
pub struct Withdrawn {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct Borrowed {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub amount: u64,
    pub shares: u64,
    /// Init health after the borrow: weighted assets and liabilities.
    pub init_assets: u64,
    pub init_liabilities: u64,
}

#[event]
pub struct Repaid {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct InterestAccrued {
    pub bank: Pubkey,
    pub borrow_rate_bps: u64,
    pub interest: u64,
    pub protocol_fee: u64,
    pub deposit_index: u64,
    pub borrow_index: u64,
}

#[event]
pub struct Liquidated {
    pub account: Pubkey,
    pub liquidator: Pubkey,
    pub debt_bank: Pubkey,
    pub collateral_bank: Pubkey,
    pub repaid: u64,
    pub seized_to_liquidator: u64,
    pub insurance_fee: u64,
    pub bonus_bps: u32,
    pub maint_before: i64,
    pub maint_after: i64,
    pub liq_end_after: i64,
    pub being_liquidated: bool,
}

#[event]
pub struct BankruptcyResolved {
    pub account: Pubkey,
    pub bank: Pubkey,
    pub debt_written_off: u64,
    pub from_insurance: u64,
    pub socialized: u64,
    pub new_deposit_index: u64,
}
