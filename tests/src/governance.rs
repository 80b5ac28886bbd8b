//! Governance calls of the test environment: proposals, their execution and cancellation, instant
//! tightening, the guardian's pause.
use anchor_lang::{AccountDeserialize, InstructionData, ToAccountMetas};
use margin::instructions::GroupChangeArgs;
use margin::state::{BankConfig, BankParams, Proposal};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::env::{instruction, Env, Failure};

impl Env {
    /// The proposal PDA of `id` in this env's group.
    pub fn proposal_address(&self, id: u64) -> Pubkey {
        margin::seeds::address::proposal(&self.group, id)
    }

    /// A proposal's state.
    pub async fn proposal_state(&mut self, proposal: &Pubkey) -> Proposal {
        let data = self.account(proposal).await.unwrap().data;
        Proposal::try_deserialize(&mut &data[..]).unwrap()
    }

    /// The address the next proposal will take.
    async fn next_proposal(&mut self) -> Pubkey {
        let id = self.group_state().await.proposal_count;
        self.proposal_address(id)
    }

    /// The admin proposes listing `mint` with `price_account` and `config`; returns the proposal.
    pub async fn propose_listing(
        &mut self,
        mint: Pubkey,
        price_account: Pubkey,
        config: BankConfig,
    ) -> Result<Pubkey, Failure> {
        let proposal = self.next_proposal().await;
        let accounts = margin::accounts::ProposeListing {
            payer: self.context.payer.pubkey(),
            admin: self.admin_key(),
            group: self.group,
            mint,
            price_account,
            proposal,
            system_program: anchor_lang::system_program::ID,
        };
        let data = margin::instruction::ProposeListing { config }.data();
        self.send_as_admin(instruction(accounts.to_account_metas(None), data)).await?;
        Ok(proposal)
    }

    /// Anyone (the payer) executes listing `proposal` of `mint` with `price_account`.
    pub async fn execute_listing(
        &mut self,
        proposal: &Pubkey,
        mint: Pubkey,
        price_account: Pubkey,
        token_program: Pubkey,
    ) -> Result<(), Failure> {
        let bank = margin::seeds::address::bank(&self.group, &mint);
        let vault = margin::seeds::address::vault(&bank);
        let insurance_vault = margin::seeds::address::insurance_vault(&bank);
        let accounts = margin::accounts::AddBank {
            payer: self.context.payer.pubkey(),
            group: self.group,
            proposal: *proposal,
            mint,
            bank,
            vault,
            insurance_vault,
            price_account,
            token_program,
            system_program: anchor_lang::system_program::ID,
        };
        let data = margin::instruction::AddBank {}.data();
        self.send(&[instruction(accounts.to_account_metas(None), data)], &[]).await
    }

    /// The admin proposes `params` for `bank`; returns the proposal.
    pub async fn propose_bank_change(&mut self, bank: &Pubkey, params: BankParams) -> Result<Pubkey, Failure> {
        let proposal = self.next_proposal().await;
        let accounts = margin::accounts::ProposeBankChange {
            payer: self.context.payer.pubkey(),
            admin: self.admin_key(),
            group: self.group,
            bank: *bank,
            proposal,
            system_program: anchor_lang::system_program::ID,
        };
        let data = margin::instruction::ProposeBankChange { params }.data();
        self.send_as_admin(instruction(accounts.to_account_metas(None), data)).await?;
        Ok(proposal)
    }

    /// `executor` executes bank `proposal` on `bank`.
    pub async fn execute_bank_change(
        &mut self,
        executor: &Keypair,
        proposal: &Pubkey,
        bank: &Pubkey,
    ) -> Result<(), Failure> {
        let accounts = margin::accounts::ExecuteBankChange {
            executor: executor.pubkey(),
            group: self.group,
            bank: *bank,
            proposal: *proposal,
        };
        let data = margin::instruction::ExecuteBankChange {}.data();
        self.send(&[instruction(accounts.to_account_metas(None), data)], &[executor]).await
    }

    /// The admin proposes the group's roles and settings; returns the proposal.
    pub async fn propose_group_change(&mut self, args: GroupChangeArgs) -> Result<Pubkey, Failure> {
        let proposal = self.next_proposal().await;
        let accounts = margin::accounts::ProposeGroupChange {
            payer: self.context.payer.pubkey(),
            admin: self.admin_key(),
            group: self.group,
            proposal,
            system_program: anchor_lang::system_program::ID,
        };
        let data = margin::instruction::ProposeGroupChange { args }.data();
        self.send_as_admin(instruction(accounts.to_account_metas(None), data)).await?;
        Ok(proposal)
    }

    /// `executor` executes group `proposal`.
    pub async fn execute_group_change(&mut self, executor: &Keypair, proposal: &Pubkey) -> Result<(), Failure> {
        let accounts = margin::accounts::ExecuteGroupChange {
            executor: executor.pubkey(),
            group: self.group,
            proposal: *proposal,
        };
        let data = margin::instruction::ExecuteGroupChange {}.data();
        self.send(&[instruction(accounts.to_account_metas(None), data)], &[executor]).await
    }

    /// `authority` cancels `proposal`.
    pub async fn cancel_proposal(&mut self, authority: &Keypair, proposal: &Pubkey) -> Result<(), Failure> {
        let accounts =
            margin::accounts::CancelProposal { authority: authority.pubkey(), group: self.group, proposal: *proposal };
        let data = margin::instruction::CancelProposal {}.data();
        self.send(&[instruction(accounts.to_account_metas(None), data)], &[authority]).await
    }

    /// The instruction of `authority` tightening `bank` to `params`.
    pub fn tighten_instruction(
        &self,
        authority: &Pubkey,
        bank: &Pubkey,
        params: BankParams,
    ) -> solana_sdk::instruction::Instruction {
        let accounts = margin::accounts::TightenBank { authority: *authority, group: self.group, bank: *bank };
        instruction(accounts.to_account_metas(None), margin::instruction::TightenBank { params }.data())
    }

    /// `authority` (admin or guardian keypair) tightens `bank` to `params` at once.
    pub async fn tighten_bank(
        &mut self,
        authority: &Keypair,
        bank: &Pubkey,
        params: BankParams,
    ) -> Result<(), Failure> {
        let ix = self.tighten_instruction(&authority.pubkey(), bank, params);
        self.send(&[ix], &[authority]).await
    }

    /// `guardian` pauses the group for `duration_seconds`.
    pub async fn pause_group(&mut self, guardian: &Keypair, duration_seconds: u32) -> Result<(), Failure> {
        let accounts = margin::accounts::PauseGroup { guardian: guardian.pubkey(), group: self.group };
        let data = margin::instruction::PauseGroup { duration_seconds }.data();
        self.send(&[instruction(accounts.to_account_metas(None), data)], &[guardian]).await
    }

    /// The instruction of `admin` lifting the pause.
    pub fn unpause_instruction(&self, admin: &Pubkey) -> solana_sdk::instruction::Instruction {
        let accounts = margin::accounts::UnpauseGroup { admin: *admin, group: self.group };
        instruction(accounts.to_account_metas(None), margin::instruction::UnpauseGroup {}.data())
    }

    /// The admin lifts the pause.
    pub async fn unpause_group(&mut self) -> Result<(), Failure> {
        let ix = self.unpause_instruction(&self.admin_key());
        self.send_as_admin(ix).await
    }

    /// `signer` (not the admin path) tries to lift the pause.
    pub async fn unpause_group_as(&mut self, signer: &Keypair) -> Result<(), Failure> {
        let ix = self.unpause_instruction(&signer.pubkey());
        self.send(&[ix], &[signer]).await
    }
}
