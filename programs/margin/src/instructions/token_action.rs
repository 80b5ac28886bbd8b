//! The accounts every single-bank token action shares: deposit, repay, withdraw, borrow.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::errors::MarginError;
use crate::state::{Bank, Group, MarginAccount};

#[derive(Accounts)]
pub struct TokenAction<'info> {
    /// The account's owner.
    pub owner: Signer<'info>,
    #[account(mut, has_one = owner @ MarginError::NotOwner, has_one = group @ MarginError::WrongGroup)]
    pub account: AccountLoader<'info, MarginAccount>,
    /// The account's group (its pause).
    pub group: Account<'info, Group>,
    /// A bank of the account's group; the vault, mint and token program it records (relations in the IDL).
    #[account(mut, has_one = group @ MarginError::WrongGroup, has_one = vault @ MarginError::WrongVault,
              has_one = mint @ MarginError::WrongMint, has_one = token_program @ MarginError::WrongTokenProgram)]
    pub bank: AccountLoader<'info, Bank>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    /// The owner's token account of the bank's mint (source or destination). Its token program is the mint's
    /// (a token account of a mint belongs to the mint's program); the token program named is checked against
    /// the bank's in `validate`, so a wrong one is refused by name (`WrongTokenProgram`).
    #[account(mut, token::mint = mint)]
    pub user_token_account: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> TokenAction<'info> {
    /// The transfer between the owner's token account and the vault.
    pub fn user_to_vault(&self) -> crate::token::Transfer<'info> {
        crate::token::Transfer {
            token_program: self.token_program.to_account_info(),
            mint: self.mint.to_account_info(),
            from: self.user_token_account.to_account_info(),
            to: self.vault.to_account_info(),
            authority: self.owner.to_account_info(),
        }
    }

    /// The transfer from the vault to the owner's token account, signed by the bank.
    pub fn vault_to_user(&self) -> crate::token::Transfer<'info> {
        crate::token::Transfer {
            token_program: self.token_program.to_account_info(),
            mint: self.mint.to_account_info(),
            from: self.vault.to_account_info(),
            to: self.user_token_account.to_account_info(),
            authority: self.bank.to_account_info(),
        }
    }
}
