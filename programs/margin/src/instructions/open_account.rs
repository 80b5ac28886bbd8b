//! `open_account`: a trader opens a cross or isolated margin account (an index lets one owner have many).
use anchor_lang::prelude::*;

use crate::events::{emit_event, AccountOpened};
use crate::seeds;
use crate::state::{AccountKind, Group, MarginAccount};

/// Arguments of `open_account`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct OpenAccountArgs {
    /// The index in the account's seeds.
    pub index: u16,
    /// Cross or isolated (an unknown kind fails to deserialize).
    pub kind: AccountKind,
}

#[derive(Accounts)]
#[instruction(args: OpenAccountArgs)]
pub struct OpenAccount<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub group: Account<'info, Group>,
    #[account(init, payer = owner, space = 8 + core::mem::size_of::<MarginAccount>(),
              seeds = [seeds::ACCOUNT, group.key().as_ref(), owner.key().as_ref(), &args.index.to_le_bytes()], bump)]
    pub account: AccountLoader<'info, MarginAccount>,
    pub system_program: Program<'info, System>,
}

impl<'info> OpenAccount<'info> {
    pub fn open_account(ctx: Context<'info, Self>, args: OpenAccountArgs) -> Result<()> {
        let mut account = ctx.accounts.account.load_init()?;
        account.group = ctx.accounts.group.key();
        account.owner = ctx.accounts.owner.key();
        account.index = args.index;
        account.kind = args.kind as u8;
        account.bump = ctx.bumps.account;
        emit_event(AccountOpened {
            account: ctx.accounts.account.key(),
            owner: account.owner,
            group: account.group,
            index: args.index,
            kind: args.kind,
        });
        Ok(())
    }
}
