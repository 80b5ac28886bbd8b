//! Governance calls of the test environment: proposals, their execution and cancellation, instant
//! tightening, the guardian's pause.
use margin::instructions::{CorrelationGroupArgs, GroupChangeArgs};
use margin::state::{BankConfig, BankParams, FallbackOracle, Proposal};
use margin_sdk::addresses::BankAddresses;
use margin_sdk::instructions as build;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::env::{BankKeys, Env, Failure};

impl Env {
    /// The proposal PDA of `id` in this env's group.
    pub fn proposal_address(&self, id: u64) -> Pubkey {
        margin::seeds::address::proposal(&self.group, id)
    }

    /// A proposal's state.
    pub async fn proposal_state(&mut self, proposal: &Pubkey) -> Proposal {
        margin_sdk::accounts::proposal(&self.account(proposal).await.unwrap().data).unwrap()
    }

    /// The id and address the next proposal will take.
    async fn next_proposal(&mut self) -> (u64, Pubkey) {
        let id = self.group_state().await.proposal_count;
        (id, self.proposal_address(id))
    }

    /// The admin proposes listing `mint` with `price_account` and `config`; returns the proposal.
    pub async fn propose_listing(
        &mut self,
        mint: Pubkey,
        price_account: Pubkey,
        config: BankConfig,
    ) -> Result<Pubkey, Failure> {
        let (id, proposal) = self.next_proposal().await;
        let ix =
            build::propose_listing(&self.payer(), &self.admin_key(), &self.group, id, (&mint, &price_account), config);
        self.send_as_admin(ix).await?;
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
        let bank = BankAddresses::derive(&self.group, &mint, &token_program, &price_account);
        self.send(&[build::add_bank(&self.payer(), &self.group, proposal, &bank)], &[]).await
    }

    /// The admin proposes `params` for `bank`; returns the proposal.
    pub async fn propose_bank_change(&mut self, bank: &Pubkey, params: BankParams) -> Result<Pubkey, Failure> {
        let (id, proposal) = self.next_proposal().await;
        let ix = build::propose_bank_change(&self.payer(), &self.admin_key(), &self.group, id, bank, params);
        self.send_as_admin(ix).await?;
        Ok(proposal)
    }

    /// `executor` executes bank `proposal` on `bank`.
    pub async fn execute_bank_change(
        &mut self,
        executor: &Keypair,
        proposal: &Pubkey,
        bank: &Pubkey,
    ) -> Result<(), Failure> {
        let ix = build::execute_bank_change(&executor.pubkey(), &self.group, bank, proposal);
        self.send(&[ix], &[executor]).await
    }

    /// The admin proposes `fallback` as `bank`'s fallback price source; returns the proposal.
    pub async fn propose_fallback_oracle(
        &mut self,
        bank: &Pubkey,
        fallback: FallbackOracle,
    ) -> Result<Pubkey, Failure> {
        let (id, proposal) = self.next_proposal().await;
        let ix = build::propose_fallback_oracle(&self.payer(), &self.admin_key(), &self.group, id, bank, fallback);
        self.send_as_admin(ix).await?;
        Ok(proposal)
    }

    /// `executor` executes fallback `proposal` on `bank`.
    pub async fn execute_fallback_oracle(
        &mut self,
        executor: &Keypair,
        proposal: &Pubkey,
        bank: &Pubkey,
    ) -> Result<(), Failure> {
        let ix = build::execute_fallback_oracle(&executor.pubkey(), &self.group, bank, proposal);
        self.send(&[ix], &[executor]).await
    }

    /// Sets `bank`'s fallback through governance: proposed one timelock delay ago (so the clock stays put and
    /// prices stay fresh), executed now by the guardian (anyone may); `bank` then names it, so the tests'
    /// health accounts carry it.
    pub async fn set_fallback_oracle(&mut self, bank: &mut BankKeys, fallback: FallbackOracle) -> Result<(), Failure> {
        let now = self.now;
        let delay = i64::from(self.group_state().await.governance.timelock_delay_seconds);
        self.set_clock(now - delay);
        let proposal = self.propose_fallback_oracle(&bank.bank, fallback).await;
        self.set_clock(now);
        let executor = self.guardian.insecure_clone();
        self.execute_fallback_oracle(&executor, &proposal?, &bank.bank).await?;
        bank.fallback_price_account = fallback.is_set().then_some(fallback.price_account);
        Ok(())
    }

    /// The admin proposes the correlation group `args` of `banks`; returns the proposal.
    pub async fn propose_correlation_group(
        &mut self,
        banks: &[Pubkey],
        args: CorrelationGroupArgs,
    ) -> Result<Pubkey, Failure> {
        let (id, proposal) = self.next_proposal().await;
        let ix = build::propose_correlation_group(&self.payer(), &self.admin_key(), &self.group, id, banks, args);
        self.send_as_admin(ix).await?;
        Ok(proposal)
    }

    /// `executor` executes correlation-group `proposal` on `banks`.
    pub async fn execute_correlation_group(
        &mut self,
        executor: &Keypair,
        proposal: &Pubkey,
        banks: &[Pubkey],
    ) -> Result<(), Failure> {
        let ix = build::execute_correlation_group(&executor.pubkey(), &self.group, proposal, banks);
        self.send(&[ix], &[executor]).await
    }

    /// Forms (or dissolves) a correlation group through governance: proposed one timelock delay ago, executed
    /// now by the guardian (anyone may).
    pub async fn set_correlation_group(&mut self, banks: &[Pubkey], args: CorrelationGroupArgs) -> Result<(), Failure> {
        let now = self.now;
        let delay = i64::from(self.group_state().await.governance.timelock_delay_seconds);
        self.set_clock(now - delay);
        let proposal = self.propose_correlation_group(banks, args).await;
        self.set_clock(now);
        let executor = self.guardian.insecure_clone();
        self.execute_correlation_group(&executor, &proposal?, banks).await
    }

    /// The admin proposes the group's roles and settings; returns the proposal.
    pub async fn propose_group_change(&mut self, args: GroupChangeArgs) -> Result<Pubkey, Failure> {
        let (id, proposal) = self.next_proposal().await;
        let ix = build::propose_group_change(&self.payer(), &self.admin_key(), &self.group, id, args);
        self.send_as_admin(ix).await?;
        Ok(proposal)
    }

    /// `executor` executes group `proposal`.
    pub async fn execute_group_change(&mut self, executor: &Keypair, proposal: &Pubkey) -> Result<(), Failure> {
        self.send(&[build::execute_group_change(&executor.pubkey(), &self.group, proposal)], &[executor]).await
    }

    /// `authority` cancels `proposal`.
    pub async fn cancel_proposal(&mut self, authority: &Keypair, proposal: &Pubkey) -> Result<(), Failure> {
        self.send(&[build::cancel_proposal(&authority.pubkey(), &self.group, proposal)], &[authority]).await
    }

    /// The instruction of `authority` tightening `bank` to `params`.
    pub fn tighten_instruction(
        &self,
        authority: &Pubkey,
        bank: &Pubkey,
        params: BankParams,
    ) -> solana_sdk::instruction::Instruction {
        build::tighten_bank(authority, &self.group, bank, params)
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
        self.send(&[build::pause_group(&guardian.pubkey(), &self.group, duration_seconds)], &[guardian]).await
    }

    /// The instruction of `admin` lifting the pause.
    pub fn unpause_instruction(&self, admin: &Pubkey) -> solana_sdk::instruction::Instruction {
        build::unpause_group(admin, &self.group)
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
