//! Acting on a decision: refetch the account and its banks, decide again on what the chain says now, build
//! the instruction with the SDK, simulate it to set the compute-unit limit, bid the priority fee, send (v0
//! with the lookup table when one is configured), and retry on an expired blockhash.
use margin_sdk::addresses::BankAddresses;
use margin_sdk::chain::{load_snapshot, Chain};
use margin_sdk::instructions::{self as build, LiquidateAccounts};
use margin_sdk::snapshot::Snapshot;
use margin_sdk::transaction::{compute_unit_limit, compute_unit_price, signed_transaction};
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::TransactionError;

use crate::decide::{decide, Action, Economics};

/// What the bot needs to act: its key, its token account per mint, its lookup table and its bids.
pub struct Wallet {
    pub keypair: Keypair,
    pub group: Pubkey,
    /// The bot's token account of each mint it pays or receives.
    pub token_accounts: std::collections::BTreeMap<Pubkey, Pubkey>,
    pub lookup_table: Option<AddressLookupTableAccount>,
    /// Priority fee, micro-lamports per compute unit.
    pub cu_price: u64,
    /// The bot's margin account, credited with collateral a short vault cannot pay out.
    pub margin_account: Option<Pubkey>,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It landed, using `units` compute units; `profit_quote` is the estimate it was sent on.
    Landed { units: u64, profit_quote: i64 },
    /// Not sent: the account no longer needs it, or the bot cannot do it (the reason, for metrics).
    Skipped(&'static str),
    /// Sent (or simulated) and refused, or the chain failed: the reason, for metrics.
    Failed(String),
}

/// Blockhash expiries survived per attempt before giving up.
const BLOCKHASH_RETRIES: usize = 3;
/// Compute units above the simulation's measure (the account may change a little before it lands).
const CU_MARGIN: u64 = 10_000;

/// Carries out `action` on `chain`: refetch, re-decide, simulate, send.
pub async fn act(chain: &mut impl Chain, wallet: &Wallet, action: &Action, economics: &Economics<'_>) -> Outcome {
    match refetched(chain, wallet, action, economics).await {
        Ok((Some(action), snapshot)) => send(chain, wallet, &snapshot, &action).await,
        Ok((None, _)) => Outcome::Skipped("no longer worth it on refetch"),
        Err(reason) => Outcome::Failed(reason),
    }
}

/// The action as the chain stands now (the account and its banks read again and decided afresh), with what
/// was read.
async fn refetched(
    chain: &mut impl Chain,
    wallet: &Wallet,
    action: &Action,
    economics: &Economics<'_>,
) -> Result<(Option<Action>, Snapshot), String> {
    let account = action.account();
    let state = chain.account(&account).await.map_err(|error| format!("rpc: {error}"))?;
    let state = state.ok_or("account closed")?;
    let state = margin_sdk::accounts::margin_account(&state.data).map_err(|error| error.to_string())?;
    let banks: Vec<Pubkey> = state.used_positions().map(|position| position.bank).collect();
    let snapshot = load_snapshot(chain, &banks, &[account]).await.map_err(|error| format!("rpc: {error}"))?;
    let (actions, _) = decide(&snapshot, economics);
    let same_kind = |candidate: &&Action| std::mem::discriminant(*candidate) == std::mem::discriminant(action);
    let fresh = actions.iter().find(same_kind).copied();
    Ok((fresh.filter(|fresh| has_wallets(wallet, &snapshot, fresh)), snapshot))
}

/// The bot holds token accounts for both mints a liquidation moves.
fn has_wallets(wallet: &Wallet, snapshot: &Snapshot, action: &Action) -> bool {
    match action {
        Action::Liquidate { debt_bank, collateral_bank, .. } => [debt_bank, collateral_bank]
            .iter()
            .all(|bank| snapshot.banks.get(bank).is_some_and(|bank| wallet.token_accounts.contains_key(&bank.mint))),
        Action::ResolveBankruptcy { .. } => true,
    }
}

/// The instruction of `action` (the SDK's builders, the health accounts of `snapshot`).
fn instruction(snapshot: &Snapshot, wallet: &Wallet, action: &Action) -> Result<Instruction, String> {
    let addresses = |bank: &Pubkey| snapshot.bank_addresses(bank).ok_or("unknown bank");
    let account = action.account();
    match *action {
        Action::Liquidate { debt_bank, collateral_bank, max_repay, .. } => {
            let (debt, collateral): (BankAddresses, BankAddresses) =
                (addresses(&debt_bank)?, addresses(&collateral_bank)?);
            let wallet_of = |bank: &BankAddresses| wallet.token_accounts.get(&bank.mint).copied().ok_or("no wallet");
            let liquidator = wallet.keypair.pubkey();
            let accounts = LiquidateAccounts {
                liquidator: &liquidator,
                account: &account,
                group: &wallet.group,
                debt: &debt,
                collateral: &collateral,
                pay_from: &wallet_of(&debt)?,
                receive_to: &wallet_of(&collateral)?,
                receive_account: wallet.margin_account.as_ref(),
            };
            let health = snapshot.health_accounts(&account).map_err(|error| error.to_string())?;
            Ok(build::liquidate(&accounts, max_repay, health))
        }
        Action::ResolveBankruptcy { bank, .. } => {
            let remaining = snapshot.bankruptcy_accounts(&account).map_err(|error| error.to_string())?;
            Ok(build::resolve_bankruptcy(&account, &wallet.group, &addresses(&bank)?, remaining))
        }
    }
}

/// Simulates with the full compute budget, then sends with the units measured plus a margin and the bid.
async fn send(chain: &mut impl Chain, wallet: &Wallet, snapshot: &Snapshot, action: &Action) -> Outcome {
    let ix = match instruction(snapshot, wallet, action) {
        Ok(ix) => ix,
        Err(reason) => return Outcome::Failed(reason),
    };
    let simulated = match transaction(chain, wallet, &ix, 1_400_000).await {
        Ok(transaction) => chain.simulate(transaction).await,
        Err(reason) => return Outcome::Failed(reason),
    };
    let units = match simulated {
        Ok(sent) if sent.result.is_ok() => sent.units_consumed.unwrap_or(1_400_000 - CU_MARGIN) + CU_MARGIN,
        Ok(sent) => return Outcome::Failed(format!("simulation: {}", reason(sent.result.unwrap_err()))),
        Err(error) => return Outcome::Failed(format!("rpc: {error}")),
    };
    let profit_quote = match action {
        Action::Liquidate { profit_quote, .. } => *profit_quote,
        Action::ResolveBankruptcy { .. } => 0,
    };
    for _ in 0..=BLOCKHASH_RETRIES {
        let transaction = match transaction(chain, wallet, &ix, units.min(1_400_000) as u32).await {
            Ok(transaction) => transaction,
            Err(reason) => return Outcome::Failed(reason),
        };
        match chain.send(transaction).await {
            Ok(sent) => match sent.result {
                Ok(()) => return Outcome::Landed { units: sent.units_consumed.unwrap_or(units), profit_quote },
                Err(TransactionError::BlockhashNotFound) => continue,
                Err(error) => return Outcome::Failed(reason(error)),
            },
            Err(error) => return Outcome::Failed(format!("rpc: {error}")),
        }
    }
    Outcome::Failed("blockhash expired".to_string())
}

/// A signed transaction of `ix` with `units` of compute and the bot's priority fee: v0 with the lookup table
/// when one is configured, legacy otherwise.
async fn transaction(
    chain: &mut impl Chain,
    wallet: &Wallet,
    ix: &Instruction,
    units: u32,
) -> Result<solana_sdk::transaction::VersionedTransaction, String> {
    let blockhash = chain.latest_blockhash().await.map_err(|error| format!("rpc: {error}"))?;
    let instructions = [compute_unit_limit(units), compute_unit_price(wallet.cu_price), ix.clone()];
    let tables: Vec<AddressLookupTableAccount> = wallet.lookup_table.iter().cloned().collect();
    let transaction = signed_transaction(&wallet.keypair, &instructions, &tables, &[], blockhash)
        .map_err(|error| error.to_string())?;
    if margin_sdk::transaction::size(&transaction) > 1_232 {
        return Err("transaction too large: configure a lookup table".to_string());
    }
    Ok(transaction)
}

/// A refusal in words: the program's error by name (the SDK's table), or the transaction error.
fn reason(error: TransactionError) -> String {
    use solana_sdk::instruction::InstructionError;
    match error {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => {
            margin_sdk::errors::describe(code).map_or(format!("custom {code}"), |error| error.name.to_string())
        }
        other => format!("{other:?}"),
    }
}

/// The associated token account of `owner` for `mint` under `token_program` (SPL Token or Token-2022).
pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    const ASSOCIATED_TOKEN_PROGRAM: Pubkey = solana_sdk::pubkey!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
    let seeds: [&[u8]; 3] = [owner.as_ref(), token_program.as_ref(), mint.as_ref()];
    Pubkey::find_program_address(&seeds, &ASSOCIATED_TOKEN_PROGRAM).0
}

/// A lookup table account's addresses (the table's data: a 56-byte header, then 32-byte addresses).
pub fn lookup_table_account(key: Pubkey, data: &[u8]) -> Result<AddressLookupTableAccount, String> {
    const HEADER: usize = 56;
    let body = data.get(HEADER..).ok_or("not a lookup table: too short")?;
    if body.len() % 32 != 0 {
        return Err("not a lookup table: addresses are not whole".to_string());
    }
    let addresses = body.chunks_exact(32).map(|chunk| Pubkey::try_from(chunk).expect("32 bytes")).collect();
    Ok(AddressLookupTableAccount { key, addresses })
}
