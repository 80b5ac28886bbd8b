//! `margin history --account <A>`: what happened to an account, as the chain recorded it: each transaction
//! that touched it (oldest first) with the program's events in words (deposits, borrows, liquidations with
//! the liquidator, amounts and bonus, write-offs with who paid). Read over JSON-RPC (`RpcChain::history`).
use anchor_lang::prelude::Pubkey;
use margin_sdk::chain::{RpcChain, TransactionEvents};
use margin_sdk::events::MarginEvent;

/// The account's last `limit` transactions, one line each and one indented line per event about it.
pub async fn history(chain: &RpcChain, account: &Pubkey, limit: usize) -> Result<Vec<String>, String> {
    let transactions = chain.history(account, limit).await.map_err(|error| error.to_string())?;
    Ok(transactions.iter().flat_map(|transaction| lines(transaction, account)).collect())
}

fn lines(transaction: &TransactionEvents, account: &Pubkey) -> Vec<String> {
    let when = transaction.block_time.map_or("?".to_string(), |time| time.to_string());
    let outcome = if transaction.failed { " (failed)" } else { "" };
    let mut out = vec![format!("slot {} time {when} {}{outcome}", transaction.slot, transaction.signature)];
    out.extend(transaction.events.iter().filter_map(|event| describe(event, account)).map(|line| format!("  {line}")));
    out
}

/// The event in words when it concerns `account`; `None` for other accounts' events and bank bookkeeping.
pub fn describe(event: &MarginEvent, account: &Pubkey) -> Option<String> {
    use MarginEvent::*;
    let mine = |address: &Pubkey| (address == account).then_some(());
    Some(match event {
        AccountOpened(e) => {
            mine(&e.account)?;
            format!("opened by {} (index {})", e.owner, e.index)
        }
        AccountClosed(e) => {
            mine(&e.account)?;
            "closed".to_string()
        }
        Deposited(e) => {
            mine(&e.account)?;
            format!("deposited {} native units in bank {}", e.amount, e.bank)
        }
        Withdrawn(e) => {
            mine(&e.account)?;
            format!("withdrew {} native units from bank {}", e.amount, e.bank)
        }
        Borrowed(e) => {
            mine(&e.account)?;
            format!("borrowed {} native units from bank {}", e.amount, e.bank)
        }
        Repaid(e) => {
            mine(&e.account)?;
            format!("repaid {} native units to bank {}", e.amount, e.bank)
        }
        Liquidated(e) => {
            mine(&e.account)?;
            let health = |h: &margin_sdk::margin::events::HealthValue| h.assets as i128 - h.liabilities as i128;
            format!(
                "liquidated by {}: {} native units of debt repaid to bank {}, {} native units of collateral taken from bank {}{} (bonus {} bps); Maint {} -> {} quote units",
                e.liquidator,
                e.repaid,
                e.debt_bank,
                e.seized_to_liquidator,
                e.collateral_bank,
                if e.seized_as_deposit { " as a deposit" } else { "" },
                e.bonus_bps,
                health(&e.maint_before),
                health(&e.maint_after)
            )
        }
        BankruptcyResolved(e) => {
            mine(&e.account)?;
            format!(
                "debt written off in bank {}: {} native units ({} from insurance, {} from depositors, {} unbooked)",
                e.bank, e.debt_written_off, e.from_insurance, e.socialized, e.unbooked
            )
        }
        LiquidationFlagCleared(e) => {
            mine(&e.account)?;
            "liquidation flag cleared (the account is healthy again)".to_string()
        }
        DepositForfeited(e) => {
            mine(&e.account)?;
            format!("dust of {} native units in bank {} burned", e.tokens, e.bank)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use margin_sdk::margin::events::{self, HealthValue};

    #[test]
    fn an_accounts_liquidation_and_write_off_read_in_words_and_others_are_left_out() {
        let (account, other, liquidator) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
        let (usdc, sol) = (Pubkey::new_unique(), Pubkey::new_unique());
        let liquidated = MarginEvent::Liquidated(events::Liquidated {
            account,
            liquidator,
            debt_bank: usdc,
            collateral_bank: sol,
            repaid: 700_000_000,
            debt_cleared: 699_999_999,
            seized_to_liquidator: 5_500_000_000,
            seized_as_deposit: false,
            insurance_fee: 0,
            collateral_forfeit: 0,
            bonus_bps: 120,
            maint_before: HealthValue { assets: 100, liabilities: 150 },
            maint_after: HealthValue { assets: 90, liabilities: 60 },
            liq_end_after: HealthValue { assets: 10, liabilities: 10 },
            being_liquidated: false,
        });
        let text = describe(&liquidated, &account).unwrap();
        assert!(
            text.starts_with(&format!("liquidated by {liquidator}: 700000000 native units of debt repaid")),
            "{text}"
        );
        assert!(text.contains("5500000000 native units of collateral taken") && text.contains("bonus 120 bps"));
        assert!(text.ends_with("Maint -50 -> 30 quote units"), "{text}");
        assert_eq!(describe(&liquidated, &other), None);
        let written_off = MarginEvent::BankruptcyResolved(events::BankruptcyResolved {
            account,
            bank: usdc,
            debt_written_off: 40,
            from_insurance: 40,
            socialized: 0,
            unbooked: 0,
            new_deposit_index: 1,
        });
        let text = describe(&written_off, &account).unwrap();
        assert!(text.contains("40 native units (40 from insurance, 0 from depositors, 0 unbooked)"), "{text}");
        let accrued = MarginEvent::InterestAccrued(events::InterestAccrued {
            bank: usdc,
            borrow_rate_bps: 1,
            interest: 1,
            protocol_fee: 0,
            deposit_index: 1,
            borrow_index: 1,
        });
        assert_eq!(describe(&accrued, &account), None);
    }

    #[test]
    fn a_failed_transaction_is_marked_and_its_time_may_be_unknown() {
        let account = Pubkey::new_unique();
        let closed = MarginEvent::AccountClosed(events::AccountClosed { account, owner: Pubkey::new_unique() });
        let transaction = TransactionEvents {
            signature: "sig".into(),
            slot: 7,
            block_time: None,
            failed: true,
            events: vec![closed],
        };
        assert_eq!(lines(&transaction, &account), ["slot 7 time ? sig (failed)", "  closed"]);
    }
}
