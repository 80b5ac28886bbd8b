//! Trader commands on any chain: open, deposit, withdraw, borrow, repay, close; health (per position and the
//! three health types), max borrow and max withdraw. Each fetches what it needs, builds the instruction with
//! the SDK (remaining accounts included), signs with the owner (who pays the fee) and sends it, or simulates
//! it with `dry_run`. Refusals come back as the program's error name.
use anchor_lang::prelude::Pubkey;
use margin_sdk::accounts;
use margin_sdk::addresses::{self, BankAddresses};
use margin_sdk::chain::{load_snapshot, Chain, Sent};
use margin_sdk::instructions::{self as build, AccountKind, TokenActionAccounts};
use margin_sdk::margin_risk::health::{position_health, HealthType};
use margin_sdk::snapshot::Snapshot;
use margin_sdk::transaction;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};

/// What a trader command did.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Whether it was only simulated.
    pub dry_run: bool,
    /// The program's logs.
    pub logs: Vec<String>,
}

fn sdk(error: margin_sdk::SdkError) -> String {
    error.to_string()
}

/// Signs `instructions` with `owner` (fee payer), then sends or simulates; a refusal is the error's name.
pub async fn submit(
    chain: &mut impl Chain,
    owner: &Keypair,
    instructions: &[Instruction],
    dry_run: bool,
) -> Result<Outcome, String> {
    let blockhash = chain.latest_blockhash().await.map_err(sdk)?;
    let signed = transaction::signed_transaction(owner, instructions, &[], &[], blockhash).map_err(sdk)?;
    let sent: Sent = if dry_run { chain.simulate(signed).await } else { chain.send(signed).await }.map_err(sdk)?;
    match sent.result {
        Ok(()) => Ok(Outcome { dry_run, logs: sent.logs }),
        Err(error) => Err(crate::sim::describe(&error)),
    }
}

async fn bank_addresses(chain: &mut impl Chain, bank: &Pubkey) -> Result<BankAddresses, String> {
    let data = chain.account(bank).await.map_err(sdk)?.ok_or_else(|| format!("bank {bank} does not exist"))?.data;
    Ok(BankAddresses::of(bank, &accounts::bank(&data).map_err(sdk)?))
}

/// The account, its banks and `more_banks`, at the chain's clock.
pub async fn snapshot(chain: &mut impl Chain, account: &Pubkey, more_banks: &[Pubkey]) -> Result<Snapshot, String> {
    let data =
        chain.account(account).await.map_err(sdk)?.ok_or_else(|| format!("account {account} does not exist"))?.data;
    let state = accounts::margin_account(&data).map_err(sdk)?;
    let mut banks: Vec<Pubkey> = state.used_positions().map(|position| position.bank).collect();
    for bank in more_banks {
        if !banks.contains(bank) {
            banks.push(*bank);
        }
    }
    load_snapshot(chain, &banks, &[*account]).await.map_err(sdk)
}

/// Opens `owner`'s account `index` of `kind` in `group`; returns its address.
pub async fn open(
    chain: &mut impl Chain,
    owner: &Keypair,
    (group, index, kind): (&Pubkey, u16, AccountKind),
    dry_run: bool,
) -> Result<Pubkey, String> {
    submit(chain, owner, &[build::open_account(&owner.pubkey(), group, index, kind)], dry_run).await?;
    Ok(addresses::margin_account(group, &owner.pubkey(), index))
}

/// The token actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Deposit `amount` native units.
    Deposit(u64),
    /// Withdraw `amount` native units.
    Withdraw(u64),
    /// Borrow `amount` native units.
    Borrow(u64),
    /// Repay `amount` native units, or everything with `None`.
    Repay(Option<u64>),
}

/// Runs `action` of `owner` on `account` in `bank`, with `wallet` its token account of the bank's mint.
pub async fn token_action(
    chain: &mut impl Chain,
    owner: &Keypair,
    (account, bank, wallet): (&Pubkey, &Pubkey, &Pubkey),
    action: Action,
    dry_run: bool,
) -> Result<Outcome, String> {
    let addresses = bank_addresses(chain, bank).await?;
    let snapshot = snapshot(chain, account, &[*bank]).await?;
    let state = snapshot.account(account).map_err(sdk)?;
    let health = || accounts::health_accounts_after(state, &addresses, |key| snapshot.bank_addresses(key)).map_err(sdk);
    let owner_key = owner.pubkey();
    let group = state.group;
    let accounts =
        TokenActionAccounts { owner: &owner_key, account, group: &group, bank: &addresses, user_token_account: wallet };
    let instruction = match action {
        Action::Deposit(amount) => build::deposit(&accounts, amount),
        Action::Withdraw(amount) => build::withdraw(&accounts, amount, health()?),
        Action::Borrow(amount) => build::borrow(&accounts, amount, health()?),
        Action::Repay(amount) => build::repay(&accounts, amount.unwrap_or(0), amount.is_none()),
    };
    submit(chain, owner, &[instruction], dry_run).await
}

/// Closes an empty account.
pub async fn close(
    chain: &mut impl Chain,
    owner: &Keypair,
    account: &Pubkey,
    dry_run: bool,
) -> Result<Outcome, String> {
    submit(chain, owner, &[build::close_account(&owner.pubkey(), account)], dry_run).await
}

/// One line of the health table.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PositionLine {
    /// The bank.
    pub bank: String,
    /// Deposit, native units.
    pub deposit: u64,
    /// Debt, native units.
    pub borrow: u64,
    /// Oracle price and confidence as Pyth gives them (mantissa · 10^exponent USD per whole token).
    pub price: String,
    /// Confidence haircuts: how far below the oracle price the Init and Maint asset prices are, and how far
    /// above it the liability prices, in bps (rounded for display).
    pub haircut: String,
    /// Asset and liability weights, Init and Maint (bps).
    pub weights: String,
    /// Init and Maint contribution, quote units (10^-6 USD): assets − liabilities.
    pub init_contribution: i128,
    /// Maint contribution, quote units.
    pub maint_contribution: i128,
}

/// A health type's name and its (assets, liabilities) in quote units, or why it cannot be computed now.
pub type HealthLine = (String, Result<(u64, u64), String>);

/// An account's health: its positions and the three healths (quote units, assets and liabilities).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct HealthReport {
    /// Per position.
    pub positions: Vec<PositionLine>,
    /// Init, LiqEnd, Maint: (assets, liabilities) in quote units, or the reason it cannot be computed.
    pub healths: Vec<HealthLine>,
    /// Whether a liquidator may act now.
    pub liquidatable: Result<bool, String>,
}

/// The health of `account` now, by the program's own code.
pub async fn health(chain: &mut impl Chain, account: &Pubkey) -> Result<HealthReport, String> {
    let snapshot = snapshot(chain, account, &[]).await?;
    let positions = snapshot.health_positions(account).map_err(sdk)?;
    let state = snapshot.account(account).map_err(sdk)?;
    let mut lines = Vec::new();
    for (position, view) in state.used_positions().zip(&positions) {
        let bank = snapshot.banks.get(&position.bank).ok_or("a bank of the account is gone")?;
        let raw = snapshot.prices.get(&bank.price_account);
        let price = raw
            .and_then(|raw| {
                margin_sdk::margin::oracle::pyth_price_from(&bank.price_account, &raw.owner, &raw.data, bank).ok()
            })
            .map(|pyth| format!("{} ± {} e{}", pyth.price, pyth.conf, pyth.exponent))
            .unwrap_or_else(|| "unreadable".into());
        let contribution = |health_type| {
            position_health(view, health_type).map(|h| h.assets as i128 - h.liabilities as i128).unwrap_or(0)
        };
        let w = view.weights;
        let haircut = match &view.price {
            Ok(price) if price.oracle > 0 => {
                let bps = |value: u64| (value as f64 / price.oracle as f64 - 1.0) * 10_000.0;
                format!(
                    "asset {:+.1}/{:+.1} liability {:+.1}/{:+.1} bps",
                    bps(price.init_asset),
                    bps(price.maint_asset),
                    bps(price.init_liability),
                    bps(price.maint_liability)
                )
            }
            Ok(_) => "price 0".into(),
            Err(error) => format!("price unusable: {error:?}"),
        };
        lines.push(PositionLine {
            bank: position.bank.to_string(),
            deposit: view.deposit_tokens,
            borrow: view.borrow_tokens,
            price,
            haircut,
            weights: format!(
                "asset {}/{} liability {}/{}",
                w.init_asset_bps, w.maint_asset_bps, w.init_liability_bps, w.maint_liability_bps
            ),
            init_contribution: contribution(HealthType::Init),
            maint_contribution: contribution(HealthType::Maint),
        });
    }
    let healths = [("Init", HealthType::Init), ("LiqEnd", HealthType::LiqEnd), ("Maint", HealthType::Maint)]
        .into_iter()
        .map(|(name, health_type)| {
            let health = snapshot.health(account, health_type).map(|h| (h.assets, h.liabilities)).map_err(sdk);
            (name.to_string(), health)
        })
        .collect();
    Ok(HealthReport { positions: lines, healths, liquidatable: snapshot.is_liquidatable(account).map_err(sdk) })
}

/// The most `account` can borrow from `bank` now, native units (the program's own check, to the unit).
pub async fn max_borrow(chain: &mut impl Chain, account: &Pubkey, bank: &Pubkey) -> Result<u64, String> {
    snapshot(chain, account, &[*bank]).await?.max_borrow(account, bank).map_err(sdk)
}

/// The most `account` can withdraw from `bank` now, native units.
pub async fn max_withdraw(chain: &mut impl Chain, account: &Pubkey, bank: &Pubkey) -> Result<u64, String> {
    snapshot(chain, account, &[*bank]).await?.max_withdraw(account, bank).map_err(sdk)
}

impl HealthReport {
    /// The table a trader reads.
    pub fn text(&self) -> String {
        let mut out = String::from(
            "bank | deposit | borrow | price ± conf | weights (init/maint) | Init | Maint (quote units)\n",
        );
        for line in &self.positions {
            out += &format!(
                "{} | {} | {} | {} | {} | {} | {}\n",
                line.bank,
                line.deposit,
                line.borrow,
                line.price,
                line.weights,
                line.init_contribution,
                line.maint_contribution
            );
        }
        for (name, health) in &self.healths {
            out += &match health {
                Ok((assets, liabilities)) => format!(
                    "{name}: {} (assets {assets} − liabilities {liabilities})\n",
                    *assets as i128 - *liabilities as i128
                ),
                Err(reason) => format!("{name}: not computable now: {reason}\n"),
            };
        }
        out += &format!("liquidatable: {:?}", self.liquidatable);
        out
    }
}
