//! How each fuzz action is sent, and the rules checked around the actions they concern: invariants 2
//! (risk-adding actions end Init ≥ 0), 4 (wider confidence never raises health), 5 (liquidation), 6 (no
//! action raises what a trader holds), 7 (bankruptcy), the healthy-account and debt-free-lender rules, and
//! wrong accounts always refused.
use margin::errors::MarginError;
use margin::events::{BankruptcyResolved, Liquidated, LiquidationFlagCleared};
use margin::state::{BankParams, BankStatus};
use margin_sdk::margin_risk::health::HealthType;
use margin_sdk::margin_risk::price::QUOTE_DECIMALS;
use margin_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

use super::actions::{Action, WrongAccount};
use super::world::{health_of, Pending, Violation, World, SOL, USDC};

/// What a step returns: the transaction's outcome, or a broken rule.
type Step = Result<Result<(), Failure>, Violation>;

impl World {
    pub async fn apply(&mut self, action: &Action) -> Step {
        match *action {
            Action::Deposit { .. } | Action::Withdraw { .. } | Action::Borrow { .. } => self.token_action(action).await,
            Action::BorrowNearLimit { .. } | Action::Repay { .. } => self.token_action(action).await,
            Action::MovePrice { change_bps, seconds } => Ok(self.move_price(change_bps, seconds)),
            Action::ConfidenceSpike { conf_bps } => self.confidence_spike(conf_bps).await,
            Action::Stale { seconds } => {
                self.market.env.advance(seconds);
                let now = self.market.env.now;
                self.quote_fallback(0, now);
                Ok(Ok(()))
            }
            Action::FallbackQuote { offset_bps, lag_seconds } => {
                let now = self.market.env.now;
                self.quote_fallback(offset_bps, now - lag_seconds);
                Ok(Ok(()))
            }
            Action::Liquidate { target, amount } => self.liquidate(self.accounts[target], amount).await,
            Action::LiquidateWeakest { amount } => {
                // The account with debt whose Maint assets cover its liabilities least (a bot's first pick).
                let snapshot = self.snapshot().await;
                let coverage = |account: &&Pubkey| match health_of(&snapshot, account, HealthType::Maint) {
                    Some(h) if h.liabilities > 0 => u128::from(h.assets) * 1_000_000 / u128::from(h.liabilities),
                    _ => u128::MAX,
                };
                let weakest = *self.accounts.iter().min_by_key(coverage).expect("accounts");
                self.liquidate(weakest, amount).await
            }
            Action::ResolveBankruptcy { target } => self.resolve_bankruptcy(self.accounts[target]).await,
            Action::LenderWithdraw { amount } => self.lender_withdraw(amount).await,
            Action::DrainSol => self.drain_sol().await,
            Action::LenderDeposit { amount } => {
                let (lender, account, usdc, wallet) =
                    (self.lender.insecure_clone(), self.market.lender_account, self.market.usdc, self.lender_wallet);
                let amount = amount.min(self.market.env.balance(&wallet).await);
                if amount == 0 {
                    return Ok(Ok(()));
                }
                Ok(self.market.env.deposit(&lender, &account, &usdc, &wallet, amount).await)
            }
            Action::Pause { .. } | Action::Tighten { .. } | Action::StrangerUnpause { .. } => {
                Ok(self.guardian(action).await)
            }
            Action::Propose { sol, row, step_bps } => Ok(self.propose(sol, row, step_bps).await),
            Action::ExecuteLatest { by_stranger } => self.execute_latest(by_stranger).await,
            Action::CancelLatest { by_stranger } => self.cancel_latest(by_stranger).await,
            Action::Correlate { joint_bps, depeg_bps, dissolve } => {
                let banks = [self.market.sol.bank, self.market.usdc.bank];
                let args = if dissolve {
                    margin::instructions::CorrelationGroupArgs { init_scale_bps: 0, moves_bps: Vec::new() }
                } else {
                    let mut moves = [[0i16; 16]; 2];
                    moves[0][..2].copy_from_slice(&[-joint_bps, joint_bps]);
                    moves[1][2..4].copy_from_slice(&[depeg_bps, -depeg_bps]);
                    margin::instructions::CorrelationGroupArgs { init_scale_bps: 12_000, moves_bps: moves.to_vec() }
                };
                let result = self.market.env.set_correlation_group(&banks, args).await;
                self.stats.correlations += usize::from(result.is_ok() && !dissolve);
                Ok(result)
            }
            Action::WaitTimelock => {
                let delay = self.market.env.group_state().await.governance.timelock_delay_seconds;
                self.market.env.advance(i64::from(delay) + 1);
                self.publish_prices();
                Ok(Ok(()))
            }
            Action::Wrong { trader, attempt } => self.wrong_account(trader, attempt).await,
            Action::Accrue { sol } => {
                let bank = if sol { self.market.sol } else { self.market.usdc };
                Ok(self.market.env.accrue_interest(&bank).await)
            }
        }
    }

    /// A trader's deposit, withdraw, borrow or repay; invariant 6 on the bank it touches and, for the
    /// risk-adding ones, invariant 2.
    async fn token_action(&mut self, action: &Action) -> Step {
        let (sol, usdc) = (self.market.sol, self.market.usdc);
        let (trader, bank, adds_risk) = match *action {
            Action::Deposit { trader, sol: true, .. } | Action::Withdraw { trader, sol: true, .. } => {
                (trader, sol, matches!(action, Action::Withdraw { .. }))
            }
            Action::Deposit { trader, .. } | Action::Repay { trader, .. } => (trader, usdc, false),
            Action::Withdraw { trader, .. } | Action::Borrow { trader, .. } => (trader, usdc, true),
            Action::BorrowNearLimit { trader, .. } => (trader, usdc, true),
            _ => unreachable!("not a token action"),
        };
        let (owner, account) = (self.traders[trader].keypair.insecure_clone(), self.traders[trader].account);
        let wallet =
            if bank.bank == sol.bank { self.traders[trader].sol_wallet } else { self.traders[trader].usdc_wallet };
        let before = self.net_tokens(&account, &bank, &wallet).await;
        let (held, _) = self.position_tokens(&account, &bank).await;
        let env = &mut self.market.env;
        let outcome = match *action {
            Action::Deposit { amount, .. } => env.deposit(&owner, &account, &bank, &wallet, amount).await,
            Action::Withdraw { amount, all, .. } => {
                let amount = if all { held } else { amount };
                env.withdraw(&owner, &account, &bank, &wallet, amount).await
            }
            Action::Borrow { amount, .. } => env.borrow(&owner, &account, &bank, &wallet, amount).await,
            Action::BorrowNearLimit { percent, .. } => {
                let most = env.snapshot(&account, &[bank.bank]).await.max_borrow(&account, &bank.bank).unwrap_or(0);
                env.borrow(&owner, &account, &bank, &wallet, most / 100 * percent).await
            }
            Action::Repay { amount, all, .. } => env.repay(&owner, &account, &bank, &wallet, amount, all).await,
            _ => unreachable!("not a token action"),
        };
        if outcome.is_err() {
            return Ok(outcome);
        }
        let after = self.net_tokens(&account, &bank, &wallet).await;
        if after > before {
            return Err(self.violation(
                "invariant 6: an action raised what the trader holds",
                format!("{action:?}: {before} -> {after}"),
            ));
        }
        if adds_risk {
            let snapshot = self.market.env.snapshot(&account, &[]).await;
            if !health_of(&snapshot, &account, HealthType::Init).is_some_and(|health| health.is_nonnegative()) {
                return Err(self.violation("invariant 2: a risk-adding action left Init < 0", format!("{action:?}")));
            }
        }
        Ok(outcome)
    }

    /// SOL moves by `change_bps` plus a pull of a twentieth of the way back to $150 (kept within $60–$300), so
    /// that crashes keep meeting accounts near their limit; the confidence widens with the move; the EMA lags,
    /// following a quarter of the gap.
    fn move_price(&mut self, change_bps: i64, seconds: i64) -> Result<(), Failure> {
        let pull_bps = (SOL_PRICE - self.price) * 500 / self.price;
        self.price = (self.price + self.price * (change_bps + pull_bps) / 10_000).clamp(60_00000000, 300_00000000);
        self.conf = (self.price as u64 / 1_000) * (1 + change_bps.unsigned_abs() / 600);
        self.ema += (self.price - self.ema) / 4;
        self.market.env.advance(seconds);
        self.publish_prices();
        Ok(())
    }

    /// Invariant 4: every account's health of every type, at the same clock, price and publish time, is no
    /// higher with the wider confidence.
    async fn confidence_spike(&mut self, conf_bps: u64) -> Step {
        let before = self.snapshot().await;
        self.conf = self.conf.max(self.price as u64 / 10_000 * conf_bps);
        self.rewrite_prices();
        let after = self.snapshot().await;
        for account in &self.accounts {
            for health_type in [HealthType::Init, HealthType::LiqEnd, HealthType::Maint] {
                let value = |snapshot| health_of(snapshot, account, health_type).and_then(|h| h.value().ok());
                if let (Some(narrow), Some(wide)) = (value(&before), value(&after)) {
                    if wide > narrow {
                        let detail = format!("{account} {health_type:?}: {narrow} -> {wide} at conf {}", self.conf);
                        return Err(self.violation("invariant 4: wider confidence raised health", detail));
                    }
                }
            }
        }
        Ok(Ok(()))
    }

    /// The liquidator repays up to `amount` USDC of `target`'s debt for its SOL. A healthy account (Maint ≥ 0,
    /// not being liquidated) must be refused; a liquidation that lands must not lower Maint while SOL
    /// remains, nor pass the LiqEnd target by more than rounding (invariant 5).
    async fn liquidate(&mut self, target: Pubkey, amount: u64) -> Step {
        let before = self.snapshot().await;
        let maint_before = health_of(&before, &target, HealthType::Maint);
        let healthy =
            maint_before.is_some_and(|h| h.is_nonnegative()) && before.accounts[&target].being_liquidated == 0;
        let (keypair, pay, receive) = (self.liquidator.0.insecure_clone(), self.liquidator.1, self.liquidator.2);
        let (sol, usdc) = (self.market.sol, self.market.usdc);
        let outcome = self.market.env.liquidate(&keypair, &target, &usdc, &sol, &pay, &receive, amount).await;
        if outcome.is_err() {
            return Ok(outcome);
        }
        if healthy {
            return Err(self.violation("a healthy account was liquidated", format!("{target}")));
        }
        if self.market.env.events::<Liquidated>().is_empty() {
            // Nothing moved: only a flagged account that had recovered (Maint and LiqEnd ≥ 0) may land so,
            // and it must leave unflagged (issue 21, finding 5).
            let liq_end_before = health_of(&before, &target, HealthType::LiqEnd);
            let recovered = before.accounts[&target].being_liquidated == 1
                && maint_before.is_some_and(|h| h.is_nonnegative())
                && liq_end_before.is_some_and(|h| h.is_nonnegative());
            let cleared = self.market.env.account_state(&target).await.being_liquidated == 0;
            if !(recovered && cleared && self.market.env.events::<LiquidationFlagCleared>().len() == 1) {
                return Err(self.violation("a liquidation landed without moving anything", format!("{target}")));
            }
            self.stats.flags_cleared += 1;
            return Ok(outcome);
        }
        self.stats.liquidations += 1;
        self.stats.seized_as_deposit +=
            self.market.env.events::<Liquidated>().iter().filter(|e| e.seized_as_deposit).count();
        // A liquidation that took the last collateral wrote the rest of the debt off: its books add up too.
        let write_offs = self.market.env.events::<BankruptcyResolved>();
        if !write_offs.iter().all(books_add_up) {
            return Err(self.violation("invariant 7: a liquidation's write-off books", format!("{target}")));
        }
        self.stats.bankruptcies += write_offs.len();
        let after = self.snapshot().await;
        let value = |snapshot, health_type| health_of(snapshot, &target, health_type).and_then(|h| h.value().ok());
        let sol_left = after.accounts[&target].used_positions().any(|p| p.bank == sol.bank && p.deposit_shares > 0);
        if let (Some(maint_before), Some(maint_after)) =
            (value(&before, HealthType::Maint), value(&after, HealthType::Maint))
        {
            if sol_left && maint_after < maint_before {
                let detail = format!("{target}: Maint {maint_before} -> {maint_after}");
                return Err(self.violation("invariant 5: liquidation lowered Maint", detail));
            }
        }
        // The target is LiqEnd = 0; rounding may pass it by a few quote units plus the prices' 10^-12 over the
        // amount moved (bounded by a millionth of the debt repaid, in quote units).
        let debt = |snapshot: &margin_sdk::snapshot::Snapshot| {
            snapshot
                .health_positions(&target)
                .ok()
                .map_or(0, |positions| positions.iter().map(|position| position.borrow_tokens).sum::<u64>())
        };
        let repaid = debt(&before).saturating_sub(debt(&after));
        let bound = 100 + i64::try_from(repaid / 10u64.pow(QUOTE_DECIMALS as u32)).unwrap();
        if let Some(liq_end) = value(&after, HealthType::LiqEnd) {
            if liq_end > bound {
                let detail = format!("{target}: LiqEnd after {liq_end} > {bound} (repaid {repaid})");
                return Err(self.violation("invariant 5: liquidation passed the LiqEnd target", detail));
            }
        }
        Ok(outcome)
    }

    /// Anyone resolves `target`'s bankruptcy in the USDC bank; when it lands, insurance + socialised loss
    /// equal the debt written off and no USDC debt remains (invariant 7).
    async fn resolve_bankruptcy(&mut self, target: Pubkey) -> Step {
        let usdc = self.market.usdc;
        let outcome = self.market.env.resolve_bankruptcy(&target, &usdc).await;
        if outcome.is_err() {
            return Ok(outcome);
        }
        self.stats.bankruptcies += 1;
        let events = self.market.env.events::<BankruptcyResolved>();
        let state = self.market.env.account_state(&target).await;
        let debt_left = state.used_positions().any(|p| p.bank == usdc.bank && p.borrow_shares > 0);
        match events.as_slice() {
            [event] if books_add_up(event) && !debt_left => Ok(outcome),
            _ => Err(self.violation("invariant 7: bankruptcy books", {
                let books: Vec<_> =
                    events.iter().map(|e| (e.debt_written_off, e.from_insurance, e.socialized)).collect();
                format!("(written off, insurance, socialised) {books:?}, debt left {debt_left}")
            })),
        }
    }

    /// The debt-free lender withdraws what it holds and the vault can pay (after accrual): refused only
    /// during a bank pause, which the guardian can set for at most the group's max pause.
    async fn lender_withdraw(&mut self, amount: u64) -> Step {
        let (account, usdc) = (self.market.lender_account, self.market.usdc);
        let snapshot = self.market.env.snapshot(&account, &[]).await;
        let held = snapshot.health_positions(&account).unwrap().first().map_or(0, |p| p.deposit_tokens);
        let env = &mut self.market.env;
        let state = env.bank_state(&usdc.bank).await.accrued_to(env.now).unwrap();
        let free = env.balance(&usdc.vault).await.saturating_sub(state.pending_insurance_fees);
        let amount = amount.min(held).min(free);
        if amount == 0 {
            return Ok(Ok(()));
        }
        let (lender, wallet) = (self.lender.insecure_clone(), self.lender_wallet);
        let outcome = self.market.env.withdraw(&lender, &account, &usdc, &wallet, amount).await;
        self.stats.drains += usize::from(outcome.is_ok() && amount == free); // the vault emptied of free tokens
        let paused = state.is_paused(self.market.env.now);
        if outcome.is_err() && !(paused && outcome == Err(code(MarginError::BankNotActive))) {
            return Err(self.violation("a debt-free lender was refused", format!("{amount}: {outcome:?}")));
        }
        Ok(outcome)
    }

    /// The SOL borrower borrows what takes the SOL bank to its max utilization, within its own Init limit.
    async fn drain_sol(&mut self) -> Step {
        let (sol, account) = (self.market.sol, self.sol_borrower.account);
        let snapshot = self.market.env.snapshot(&account, &[sol.bank]).await;
        let own_limit = snapshot.max_borrow(&account, &sol.bank).unwrap_or(0);
        let env = &mut self.market.env;
        let state = env.bank_state(&sol.bank).await.accrued_to(env.now).unwrap();
        let bank_limit =
            margin_sdk::margin_risk::interest::max_borrow_by_bank(&state.totals(), &state.limits()).unwrap_or(0);
        let free = env.balance(&sol.vault).await.saturating_sub(state.pending_insurance_fees);
        let amount = own_limit.min(bank_limit).min(free);
        if amount == 0 {
            return Ok(Ok(()));
        }
        let (owner, wallet) = (self.sol_borrower.keypair.insecure_clone(), self.sol_borrower.sol_wallet);
        let outcome = self.market.env.borrow(&owner, &account, &sol, &wallet, amount).await;
        self.stats.drains += usize::from(outcome.is_ok());
        Ok(outcome)
    }

    /// The guardian pauses the group or tightens the USDC bank; a stranger tries to lift the pause.
    async fn guardian(&mut self, action: &Action) -> Result<(), Failure> {
        let guardian = self.market.env.guardian.insecure_clone();
        let usdc = self.market.usdc.bank;
        match *action {
            Action::Pause { seconds } => self.market.env.pause_group(&guardian, seconds).await,
            Action::Tighten { paused } => {
                let params = self.market.env.bank_state(&usdc).await.params();
                let status = if paused { BankStatus::Paused } else { BankStatus::ReduceOnly };
                self.market.env.tighten_bank(&guardian, &usdc, BankParams { status, ..params }).await
            }
            Action::StrangerUnpause { trader } => {
                let trader = self.traders[trader].keypair.insecure_clone();
                self.market.env.unpause_group_as(&trader).await
            }
            _ => unreachable!("not a guardian action"),
        }
    }

    /// The admin proposes moving row `row` of the governance table by `step_bps` of its value (to zero, to
    /// the field's maximum, within or beyond the step bounds).
    async fn propose(&mut self, sol: bool, row: usize, step_bps: i64) -> Result<(), Failure> {
        let bank = if sol { self.market.sol.bank } else { self.market.usdc.bank };
        let params = self.market.env.bank_state(&bank).await.params();
        let rule = &margin_sdk::margin_risk::governance::PARAMETER_TABLE[row];
        let current = params.values()[row] as i128;
        let widest = if (21..=23).contains(&row) { u64::MAX } else { u64::from(u32::MAX) };
        let target = (current + current * i128::from(step_bps) / 10_000).clamp(0, widest as i128) as u64;
        let value = if rule.name == "status" { step_bps.rem_euclid(3) as u64 } else { target };
        let params = margin_sdk::params::with_parameter(params, rule.name, value).unwrap();
        let proposal = self.market.env.propose_bank_change(&bank, params).await?;
        self.latest = Some(Pending { proposal, bank, params });
        Ok(())
    }

    /// Anyone executes the latest proposal; when it lands, the bank holds exactly the proposed parameters.
    async fn execute_latest(&mut self, by_stranger: bool) -> Step {
        let Some(&Pending { proposal, bank, params }) = self.latest.as_ref() else {
            return Ok(Ok(()));
        };
        let executor = if by_stranger { self.stranger.insecure_clone() } else { self.lender.insecure_clone() };
        let outcome = self.market.env.execute_bank_change(&executor, &proposal, &bank).await;
        if outcome.is_ok() {
            self.stats.proposals_executed += 1;
            let now = self.market.env.bank_state(&bank).await.params();
            if now != params {
                return Err(
                    self.violation("an executed proposal set other parameters", format!("{now:?} != {params:?}"))
                );
            }
        }
        Ok(outcome)
    }

    /// The admin cancels the latest proposal; a stranger's cancel must be refused.
    async fn cancel_latest(&mut self, by_stranger: bool) -> Step {
        let Some(proposal) = self.latest.as_ref().map(|pending| pending.proposal) else {
            return Ok(Ok(()));
        };
        let authority =
            if by_stranger { self.stranger.insecure_clone() } else { self.market.env.admin.insecure_clone() };
        let outcome = self.market.env.cancel_proposal(&authority, &proposal).await;
        if by_stranger && outcome.is_ok() {
            return Err(self.violation("a stranger cancelled a proposal", format!("{proposal}")));
        }
        Ok(outcome)
    }

    /// An attempt with a wrong account: it must be refused, by name.
    async fn wrong_account(&mut self, trader: usize, attempt: WrongAccount) -> Step {
        let outcome = self.send_wrong(trader, attempt).await;
        if outcome.is_ok() {
            return Err(self.violation("a wrong account was accepted", format!("{attempt:?} by trader {trader}")));
        }
        Ok(outcome)
    }

    async fn send_wrong(&mut self, trader: usize, attempt: WrongAccount) -> Result<(), Failure> {
        let (sol, usdc) = (self.market.sol, self.market.usdc);
        let trader_keys = &self.traders[trader];
        let (owner, account) = (trader_keys.keypair.insecure_clone(), trader_keys.account);
        let (sol_wallet, usdc_wallet) = (trader_keys.sol_wallet, trader_keys.usdc_wallet);
        let env = &mut self.market.env;
        match attempt {
            WrongAccount::AnotherOwnersAccount => {
                let other = self.traders[(trader + 1) % self.traders.len()].account;
                env.withdraw(&owner, &other, &sol, &sol_wallet, SOL).await
            }
            WrongAccount::WalletOfAnotherMint => env.borrow(&owner, &account, &usdc, &sol_wallet, USDC).await,
            WrongAccount::NoHealthAccounts => self.borrow_with(trader, |_| Vec::new()).await,
            WrongAccount::ReorderedHealthAccounts => {
                self.borrow_with(trader, |mut metas| {
                    metas.reverse();
                    metas
                })
                .await
            }
            WrongAccount::PaddedHealthAccounts => {
                self.borrow_with(trader, |mut metas| {
                    metas.extend(metas.clone().into_iter().take(2));
                    metas
                })
                .await
            }
            WrongAccount::AnotherBanksPriceAccount => {
                let (sol_price, usdc_price) = (sol.price_account, usdc.price_account);
                self.borrow_with(trader, move |metas| {
                    let swap = |key| {
                        if key == sol_price {
                            usdc_price
                        } else if key == usdc_price {
                            sol_price
                        } else {
                            key
                        }
                    };
                    metas
                        .into_iter()
                        .map(|meta| solana_sdk::instruction::AccountMeta { pubkey: swap(meta.pubkey), ..meta })
                        .collect()
                })
                .await
            }
            WrongAccount::SelfLiquidation => {
                env.liquidate(&owner, &account, &usdc, &sol, &usdc_wallet, &sol_wallet, 100 * USDC).await
            }
            WrongAccount::StrangerProposes => {
                let params = env.bank_state(&sol.bank).await.params();
                let id = env.group_state().await.proposal_count;
                let ix = margin_sdk::instructions::propose_bank_change(
                    &owner.pubkey(),
                    &owner.pubkey(),
                    &env.group,
                    id,
                    &sol.bank,
                    params,
                );
                env.send(&[ix], &[&owner]).await
            }
            WrongAccount::StrangerTightens => {
                let params = env.bank_state(&usdc.bank).await.params();
                let paused = BankParams { status: BankStatus::Paused, ..params };
                env.tighten_bank(&owner, &usdc.bank, paused).await
            }
        }
    }

    /// A trader's borrow of 1 USDC with its health accounts rewritten by `rewrite`.
    async fn borrow_with(
        &mut self,
        trader: usize,
        rewrite: impl FnOnce(Vec<solana_sdk::instruction::AccountMeta>) -> Vec<solana_sdk::instruction::AccountMeta>,
    ) -> Result<(), Failure> {
        let trader = &self.traders[trader];
        let (owner, account, wallet) = (trader.keypair.insecure_clone(), trader.account, trader.usdc_wallet);
        let usdc = self.market.usdc;
        let env = &mut self.market.env;
        let health = rewrite(env.health_accounts_after(&account, &usdc).await);
        let addresses = usdc.addresses();
        let owner_key = owner.pubkey();
        let ix = margin_sdk::instructions::borrow(
            &env.token_action(&owner_key, &account, &addresses, &wallet),
            USDC,
            health,
        );
        env.send(&[ix], &[&owner]).await
    }
}

/// Invariant 7: insurance + socialised + unbooked = the debt written off.
fn books_add_up(event: &BankruptcyResolved) -> bool {
    event.from_insurance + event.socialized + event.unbooked == event.debt_written_off
}
