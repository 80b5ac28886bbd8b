//! Token transfers for SPL Token and Token-2022 (`transfer_checked`), and the mint check of `add_bank`.
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions};
use anchor_spl::token_2022::spl_token_2022::state::Mint as MintState;
use anchor_spl::token_interface::{transfer_checked, TransferChecked};

use crate::errors::MarginError;
use crate::seeds;
use crate::state::Bank;

/// Token-2022 extensions that change nothing about amounts or transferability.
const HARMLESS_EXTENSIONS: [ExtensionType; 6] = [
    ExtensionType::MetadataPointer,
    ExtensionType::TokenMetadata,
    ExtensionType::GroupPointer,
    ExtensionType::TokenGroup,
    ExtensionType::GroupMemberPointer,
    ExtensionType::TokenGroupMember,
];

/// Refuses a Token-2022 mint with any extension outside [`HARMLESS_EXTENSIONS`] (transfer fees, hooks,
/// permanent delegates, interest, confidential transfers, default-frozen accounts, pausing, ...).
pub fn check_mint_extensions(mint: &AccountInfo) -> Result<()> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<MintState>::unpack(&data)?;
    let extensions = state.get_extension_types()?;
    require!(
        extensions.iter().all(|extension| HARMLESS_EXTENSIONS.contains(extension)),
        MarginError::UnsupportedMintExtension
    );
    Ok(())
}

/// The accounts of one transfer.
pub struct Transfer<'info> {
    /// Token program (SPL Token or Token-2022).
    pub token_program: AccountInfo<'info>,
    /// The mint.
    pub mint: AccountInfo<'info>,
    /// Source token account.
    pub from: AccountInfo<'info>,
    /// Destination token account.
    pub to: AccountInfo<'info>,
    /// Authority of the source.
    pub authority: AccountInfo<'info>,
}

/// A transfer signed by the user (deposit, repay, a liquidator's repay).
pub fn transfer_from_user(transfer: Transfer<'_>, amount: u64, decimals: u8) -> Result<()> {
    let accounts =
        TransferChecked { from: transfer.from, mint: transfer.mint, to: transfer.to, authority: transfer.authority };
    transfer_checked(CpiContext::new(transfer.token_program.key(), accounts), amount, decimals)
}

/// What a transfer signed by a bank's PDA needs of the bank: its seeds and its mint's decimals (a few bytes
/// the handlers keep past their state borrows, instead of a copy of the whole bank on a 4 KiB SBF frame).
#[derive(Clone, Copy, Debug)]
pub struct BankSigner {
    pub group: Pubkey,
    pub mint: Pubkey,
    pub bump: u8,
    pub decimals: u8,
}

impl BankSigner {
    /// `bank`'s signer.
    pub fn of(bank: &Bank) -> BankSigner {
        BankSigner { group: bank.group, mint: bank.mint, bump: bank.bump, decimals: bank.decimals }
    }
}

/// A transfer out of a bank's vault or insurance vault, signed by the bank PDA.
pub fn transfer_from_bank(transfer: Transfer<'_>, amount: u64, bank: &BankSigner) -> Result<()> {
    let bump = [bank.bump];
    let seeds: [&[u8]; 4] = [seeds::BANK, bank.group.as_ref(), bank.mint.as_ref(), &bump];
    let signer: &[&[&[u8]]] = &[&seeds];
    let accounts =
        TransferChecked { from: transfer.from, mint: transfer.mint, to: transfer.to, authority: transfer.authority };
    transfer_checked(CpiContext::new_with_signer(transfer.token_program.key(), accounts, signer), amount, bank.decimals)
}
