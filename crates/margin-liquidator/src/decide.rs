//! Deciding what to do: the health of every account (the program's own code, through the SDK's snapshot), the
//! liquidatable ones sized with the program's planner for every debt/collateral pair within inventory, ranked
//! by estimated profit (bonus less the price risk at Maint prices, less fees), and bankrupt accounts to resolve.
use margin_sdk::margin_risk::health::HealthPosition;
use margin_sdk::margin_risk::liquidation::{liquidator_profit, max_repay_within};
use margin_sdk::snapshot::Snapshot;
use solana_sdk::pubkey::Pubkey;

/// Something worth sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Repay up to `max_repay` native units of `debt_bank` debt of `account` for its `collateral_bank` deposit,
    /// estimated to earn `profit_quote` quote units.
    Liquidate { account: Pubkey, debt_bank: Pubkey, collateral_bank: Pubkey, max_repay: u64, profit_quote: i64 },
    /// Write off `account`'s debt in `bank`: it has debt and nothing left to seize.
    ResolveBankruptcy { account: Pubkey, bank: Pubkey },
}

impl Action {
    pub fn account(&self) -> Pubkey {
        match self {
            Action::Liquidate { account, .. } | Action::ResolveBankruptcy { account, .. } => *account,
        }
    }
}

/// What a pass over the book found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Survey {
    pub tracked: usize,
    /// Accounts whose prices cannot be used now (stale, too wide): judged again on the next update.
    pub unpriced: usize,
    pub liquidatable: usize,
    pub bankrupt: usize,
    /// Liquidatable, but no pair within inventory earns the minimum profit.
    pub unprofitable: usize,
}

/// The bot's economics: most it repays per debt mint, what a transaction costs and the least profit it takes.
pub struct Economics<'a> {
    /// Native units the bot may repay of a debt mint in one liquidation (inventory and wallet).
    pub repay_limit: &'a dyn Fn(&Pubkey) -> u64,
    pub fee_quote: u64,
    pub min_profit_quote: u64,
}

/// Every action worth taking now: bankruptcies first, then liquidations by estimated profit, highest first.
pub fn decide(snapshot: &Snapshot, economics: &Economics) -> (Vec<Action>, Survey) {
    let mut survey = Survey { tracked: snapshot.accounts.len(), ..Survey::default() };
    let (mut resolutions, mut liquidations) = (Vec::new(), Vec::new());
    for address in snapshot.accounts.keys() {
        let Ok(positions) = snapshot.health_positions(address) else {
            survey.unpriced += 1;
            continue;
        };
        if !positions.iter().any(|position| position.borrow_tokens > 0) {
            continue;
        }
        let banks: Vec<Pubkey> = snapshot.accounts[address].used_positions().map(|position| position.bank).collect();
        if positions.iter().all(|position| position.deposit_tokens == 0) {
            survey.bankrupt += 1;
            let in_debt = positions.iter().zip(&banks).filter(|(position, _)| position.borrow_tokens > 0);
            resolutions.extend(in_debt.map(|(_, bank)| Action::ResolveBankruptcy { account: *address, bank: *bank }));
            continue;
        }
        if snapshot.is_liquidatable(address) != Ok(true) {
            continue;
        }
        survey.liquidatable += 1;
        match best_liquidation(snapshot, address, (&positions, &banks), economics) {
            Some(action) => liquidations.push(action),
            None => survey.unprofitable += 1,
        }
    }
    liquidations.sort_by_key(|action| match action {
        Action::Liquidate { profit_quote, .. } => std::cmp::Reverse(*profit_quote),
        Action::ResolveBankruptcy { .. } => std::cmp::Reverse(i64::MAX),
    });
    resolutions.extend(liquidations);
    (resolutions, survey)
}

/// The most profitable debt/collateral pair of a liquidatable account within the bot's inventory, sized by the
/// program's planner; None when no pair reaches the minimum profit.
fn best_liquidation(
    snapshot: &Snapshot,
    account: &Pubkey,
    (positions, banks): (&[HealthPosition], &[Pubkey]),
    economics: &Economics,
) -> Option<Action> {
    let mut best: Option<Action> = None;
    for (debt, debt_bank) in positions.iter().zip(banks).filter(|(position, _)| position.borrow_tokens > 0) {
        let mint = snapshot.banks.get(debt_bank)?.mint;
        let max_repay = (economics.repay_limit)(&mint).min(debt.borrow_tokens);
        let Ok(debt_price) = debt.price else { continue };
        if max_repay == 0 {
            continue;
        }
        for (collateral, collateral_bank) in positions.iter().zip(banks) {
            let Ok(collateral_price) = collateral.price else { continue };
            if collateral.deposit_tokens == 0 || collateral_bank == debt_bank {
                continue;
            }
            // The insurance fee is paid on top of the repay: leave room for it within what the bot holds.
            let fee_bps = snapshot.banks.get(collateral_bank)?.risk.insurance_fee_bps;
            let Ok(max_repay) = max_repay_within(max_repay, fee_bps) else { continue };
            if max_repay == 0 {
                continue;
            }
            let Ok(plan) = snapshot.plan_liquidation(account, (debt_bank, collateral_bank), max_repay) else {
                continue;
            };
            let Ok(profit) = liquidator_profit(&plan, (&debt_price, &collateral_price), economics.fee_quote) else {
                continue;
            };
            let better = match best {
                Some(Action::Liquidate { profit_quote, .. }) => profit > profit_quote,
                _ => true,
            };
            if profit >= i64::try_from(economics.min_profit_quote).unwrap_or(i64::MAX) && better {
                let (debt_bank, collateral_bank) = (*debt_bank, *collateral_bank);
                best = Some(Action::Liquidate {
                    account: *account,
                    debt_bank,
                    collateral_bank,
                    max_repay,
                    profit_quote: profit,
                });
            }
        }
    }
    best
}
