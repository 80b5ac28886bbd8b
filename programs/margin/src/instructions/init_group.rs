//! `init_group`: creates a group (one market) with its admin, guardian and governance settings.
use anchor_lang::prelude::*;

use crate::errors::RiskResultExt;

use crate::events::{emit_event, GroupCreated};
use crate::seeds;
use crate::state::{GovernanceSettings, Group};

/// Arguments of `init_group`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct InitGroupArgs {
    /// The id in the group's seeds.
    pub group_id: u64,
    /// The guardian (may only tighten risk).
    pub guardian: Pubkey,
    /// Timelock, step bounds and pause limits.
    pub governance: GovernanceSettings,
}

#[derive(Accounts)]
#[instruction(args: InitGroupArgs)]
pub struct InitGroup<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The group's admin; may be a PDA signing through CPI (a multisig).
    pub admin: Signer<'info>,
    #[account(init, payer = payer, space = 8 + Group::INIT_SPACE,
              seeds = [seeds::GROUP, &args.group_id.to_le_bytes()], bump)]
    pub group: Account<'info, Group>,
    pub system_program: Program<'info, System>,
}

impl InitGroup<'_> {
    /// The governance settings within margin-risk's ranges.
    pub fn validate(&self, args: &InitGroupArgs) -> Result<()> {
        args.governance.config().validate().risk()
    }
}

impl<'info> InitGroup<'info> {
    pub fn init_group(ctx: Context<'info, Self>, args: InitGroupArgs) -> Result<()> {
        ctx.accounts.validate(&args)?;
        let group = &mut ctx.accounts.group;
        group.admin = ctx.accounts.admin.key();
        group.guardian = args.guardian;
        group.group_id = args.group_id;
        group.bank_count = 0;
        group.bump = ctx.bumps.group;
        group.governance = args.governance;
        emit_event(GroupCreated {
            group: group.key(),
            admin: group.admin,
            guardian: group.guardian,
            group_id: args.group_id,
            governance: args.governance,
        });
        Ok(())
    }
}
