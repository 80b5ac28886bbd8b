//! `propose_correlation_group`: the admin proposes a correlation group (issue 26, `margin_risk::portfolio`):
//! 2 to 8 banks of the group, each with its price move in up to 16 scenarios, and the scale of the moves Init
//! and LiqEnd use; every pair of banks needs a de-peg scenario. Or, with an Init scale of 0 and no moves, it
//! proposes that the banks leave their groups. Remaining accounts: the banks, in the order of the moves.
//! Executable by anyone from eta = now + the group's delay: a group can raise or lower what an account is
//! charged, so every change waits the timelock (the guardian can cancel it).
use anchor_lang::prelude::*;
use margin_risk::portfolio::{validate_group, MAX_GROUP_BANKS, MAX_SCENARIOS};

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, ProposalCreated};
use crate::governance::open_proposal;
use crate::seeds;
use crate::state::{Bank, Group, Proposal, ProposalAction};

/// Arguments of `propose_correlation_group`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct CorrelationGroupArgs {
    /// The multiple of the moves Init and LiqEnd use, bps (10,000 to 30,000); 0: the banks leave their groups.
    pub init_scale_bps: u32,
    /// Each bank's move in each scenario, bps (signed), in the order of the remaining accounts; empty when
    /// the banks leave.
    pub moves_bps: Vec<[i16; MAX_SCENARIOS]>,
}

#[derive(Accounts)]
pub struct ProposeCorrelationGroup<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The group's admin; may be a PDA signing through CPI (a multisig).
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MarginError::NotAdmin)]
    pub group: Box<Account<'info, Group>>,
    #[account(init, payer = payer, space = 8 + Proposal::INIT_SPACE,
              seeds = [seeds::PROPOSAL, group.key().as_ref(), &group.proposal_count.to_le_bytes()], bump)]
    pub proposal: Box<Account<'info, Proposal>>,
    pub system_program: Program<'info, System>,
}

impl ProposeCorrelationGroup<'_> {
    /// 1 to 8 distinct banks of this group; to form a group, a move list per bank that
    /// `margin_risk::portfolio::validate_group` accepts; to dissolve, no moves and some bank in a group.
    pub fn validate<'a>(&self, banks: &'a [AccountInfo<'a>], args: &CorrelationGroupArgs) -> Result<()> {
        require!(!banks.is_empty() && banks.len() <= MAX_GROUP_BANKS, MarginError::InvalidCorrelationGroup);
        let mut any_grouped = false;
        for (index, info) in banks.iter().enumerate() {
            require!(banks[..index].iter().all(|earlier| earlier.key != info.key), MarginError::DuplicateBank);
            let bank = AccountLoader::<Bank>::try_from(info)?;
            let bank = bank.load()?;
            require_keys_eq!(bank.group, self.group.key(), MarginError::WrongGroup);
            any_grouped |= bank.correlation.group_id != 0;
        }
        if args.init_scale_bps == 0 {
            require!(args.moves_bps.is_empty(), MarginError::InvalidCorrelationGroup);
            require!(any_grouped, MarginError::NoChange);
            return Ok(());
        }
        require!(args.moves_bps.len() == banks.len(), MarginError::InvalidCorrelationGroup);
        validate_group(&args.moves_bps, args.init_scale_bps).risk()
    }
}

impl<'info> ProposeCorrelationGroup<'info> {
    pub fn propose_correlation_group(ctx: Context<'info, Self>, args: CorrelationGroupArgs) -> Result<()> {
        let banks = ctx.remaining_accounts;
        ctx.accounts.validate(banks, &args)?;
        let now = Clock::get()?.unix_timestamp;
        let action = Box::new(correlation_action(banks, &args));
        let accounts = &mut *ctx.accounts;
        accounts.proposal.bump = ctx.bumps.proposal;
        open_proposal(&mut accounts.group, &mut accounts.proposal, accounts.admin.key(), *action, now)?;
        emit_event(ProposalCreated::of(&accounts.proposal, accounts.proposal.key()));
        Ok(())
    }
}

/// The proposal's action: the banks' addresses and moves in fixed arrays (unused slots zero). Its own frame
/// (the action is about 530 bytes; SBF frames hold 4 KiB).
#[inline(never)]
fn correlation_action(banks: &[AccountInfo], args: &CorrelationGroupArgs) -> ProposalAction {
    let mut action_banks = [Pubkey::default(); MAX_GROUP_BANKS];
    let mut moves_bps = [[0i16; MAX_SCENARIOS]; MAX_GROUP_BANKS];
    for (index, info) in banks.iter().enumerate() {
        action_banks[index] = info.key();
        moves_bps[index] = args.moves_bps.get(index).copied().unwrap_or_default();
    }
    ProposalAction::SetCorrelationGroup {
        banks: action_banks,
        count: banks.len() as u8,
        init_scale_bps: args.init_scale_bps,
        moves_bps,
    }
}
