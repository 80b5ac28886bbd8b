//! Governance commands on any chain: show the group and a bank, propose a bank change, tighten, execute,
//! cancel, pause and unpause, each sent with a keypair or, with a multisig, printed as a base58 message for a
//! vault transaction (Squads) instead; and `what_if`, the accounts and debt a change would put below Init and
//! Maint, from a snapshot of the whole group.
use anchor_lang::prelude::Pubkey;
use margin_sdk::accounts;
use margin_sdk::addresses::{self, BankAddresses};
use margin_sdk::chain::Chain;
use margin_sdk::instructions as build;
use margin_sdk::margin::instructions::CorrelationGroupArgs;
use margin_sdk::margin::state::{BankParams, FallbackOracle, ProposalAction};
use margin_sdk::margin_risk::governance::PARAMETER_TABLE;
use margin_sdk::margin_risk::health::HealthType;
use margin_sdk::margin_risk::portfolio::MAX_SCENARIOS;
use margin_sdk::snapshot::Snapshot;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::Message;
use solana_sdk::signature::{Keypair, Signer};

/// Who signs a governance instruction.
pub enum Authority {
    /// A keypair that signs and pays; `dry_run` simulates.
    Key {
        /// The admin, guardian or executor.
        keypair: Keypair,
        /// Simulate only.
        dry_run: bool,
    },
    /// A multisig vault (a PDA that signs by CPI): the instruction is printed, not sent.
    Multisig {
        /// The vault's address, the signer (and fee payer) of the message.
        vault: Pubkey,
    },
}

impl Authority {
    fn key(&self) -> Pubkey {
        match self {
            Authority::Key { keypair, .. } => keypair.pubkey(),
            Authority::Multisig { vault } => *vault,
        }
    }
}

fn sdk(error: margin_sdk::SdkError) -> String {
    error.to_string()
}

/// Sends the instruction as `authority`, or returns it as a base58 legacy message paid by the vault.
pub async fn submit(chain: &mut impl Chain, authority: &Authority, instruction: Instruction) -> Result<String, String> {
    match authority {
        Authority::Key { keypair, dry_run } => {
            let outcome = crate::trader::submit(chain, keypair, &[instruction], *dry_run).await?;
            Ok(if outcome.dry_run { "simulated: would succeed".into() } else { "done".into() })
        }
        Authority::Multisig { vault } => {
            let message = Message::new(&[instruction], Some(vault));
            Ok(bs58::encode(message.serialize()).into_string())
        }
    }
}

async fn fetch(chain: &mut impl Chain, address: &Pubkey, what: &str) -> Result<Vec<u8>, String> {
    Ok(chain.account(address).await.map_err(sdk)?.ok_or_else(|| format!("{what} {address} does not exist"))?.data)
}

/// The group's roles, settings and pause, as text.
pub async fn show_group(chain: &mut impl Chain, group: &Pubkey) -> Result<String, String> {
    let state = accounts::group(&fetch(chain, group, "group").await?).map_err(sdk)?;
    Ok(format!(
        "group {group} (id {})\nadmin {}\nguardian {}\nbanks {}; proposals {}; paused until {}\ngovernance {:?}",
        state.group_id,
        state.admin,
        state.guardian,
        state.bank_count,
        state.proposal_count,
        state.paused_until,
        state.governance
    ))
}

/// A bank's parameters by their governance names, and its totals.
pub async fn show_bank(chain: &mut impl Chain, bank: &Pubkey) -> Result<String, String> {
    let state = accounts::bank(&fetch(chain, bank, "bank").await?).map_err(sdk)?;
    let mut out = format!(
        "bank {bank}: mint {} ({} decimals), price account {}\n",
        state.mint, state.decimals, state.price_account
    );
    if state.fallback.is_set() {
        out += &format!(
            "  fallback price account {} (Switchboard), within {} bps of Pyth to open\n",
            state.fallback.price_account, state.fallback.max_divergence_bps
        );
    }
    if state.correlation.group_id != 0 {
        let used = state.correlation.moves_bps.iter().rposition(|moved| *moved != 0).map_or(0, |last| last + 1);
        let moves: Vec<String> = state.correlation.moves_bps[..used].iter().map(i16::to_string).collect();
        out += &format!(
            "  correlation group {}: moves {} bps, Init scale {} bps\n",
            state.correlation.group_id,
            moves.join(","),
            state.correlation.init_scale_bps
        );
    }
    for (rule, value) in PARAMETER_TABLE.iter().zip(state.params().values()) {
        out += &format!("  {} = {value}\n", rule.name);
    }
    let totals = state.totals();
    out += &format!(
        "  deposits {} native units, borrows {}, fees owed to insurance {}",
        totals.deposit_tokens().map_err(|error| error.message())?,
        totals.borrow_tokens().map_err(|error| error.message())?,
        state.pending_insurance_fees
    );
    Ok(out)
}

/// `bank`'s parameters with `changes` (`name=value`) applied.
pub async fn changed_params(chain: &mut impl Chain, bank: &Pubkey, changes: &[String]) -> Result<BankParams, String> {
    let state = accounts::bank(&fetch(chain, bank, "bank").await?).map_err(sdk)?;
    margin_sdk::params::with_changes(state.params(), changes)
}

/// Sends (or prints) the proposal `make` builds with the group's next proposal id; names its address.
async fn propose(
    chain: &mut impl Chain,
    authority: &Authority,
    group: &Pubkey,
    make: impl FnOnce(u64) -> Instruction,
) -> Result<String, String> {
    let id = accounts::group(&fetch(chain, group, "group").await?).map_err(sdk)?.proposal_count;
    let proposal = addresses::proposal(group, id);
    Ok(format!("proposal {proposal}: {}", submit(chain, authority, make(id)).await?))
}

/// Proposes `changes` to `bank` (the admin; timelocked).
pub async fn propose_bank_change(
    chain: &mut impl Chain,
    authority: &Authority,
    bank: &Pubkey,
    changes: &[String],
) -> Result<String, String> {
    let state = accounts::bank(&fetch(chain, bank, "bank").await?).map_err(sdk)?;
    let params = margin_sdk::params::with_changes(state.params(), changes)?;
    let admin = authority.key();
    propose(chain, authority, &state.group, |id| {
        build::propose_bank_change(&admin, &admin, &state.group, id, bank, params)
    })
    .await
}

/// Proposes `fallback` as `bank`'s fallback price source (the zero address removes it; the admin).
pub async fn propose_fallback(
    chain: &mut impl Chain,
    authority: &Authority,
    bank: &Pubkey,
    fallback: FallbackOracle,
) -> Result<String, String> {
    let state = accounts::bank(&fetch(chain, bank, "bank").await?).map_err(sdk)?;
    let admin = authority.key();
    propose(chain, authority, &state.group, |id| {
        build::propose_fallback_oracle(&admin, &admin, &state.group, id, bank, fallback)
    })
    .await
}

/// A correlation-group proposal's arguments from one move list per bank ("-3000,3000,-500": bps per
/// scenario, up to 16), checked by the engine's rule; an Init scale of 0 (and no moves) dissolves.
pub fn correlation_args(moves: &[String], init_scale_bps: u32) -> Result<CorrelationGroupArgs, String> {
    let mut moves_bps = Vec::new();
    for list in moves {
        let mut row = [0i16; MAX_SCENARIOS];
        let values: Vec<&str> = list.split(',').map(str::trim).filter(|value| !value.is_empty()).collect();
        if values.len() > MAX_SCENARIOS {
            return Err(format!("moves {list:?}: at most {MAX_SCENARIOS} scenarios"));
        }
        for (slot, value) in row.iter_mut().zip(&values) {
            *slot = value.parse().map_err(|_| format!("moves {list:?}: {value:?} is not a move in bps"))?;
        }
        moves_bps.push(row);
    }
    if init_scale_bps != 0 {
        margin_sdk::margin_risk::portfolio::validate_group(&moves_bps, init_scale_bps)
            .map_err(|error| error.message().to_string())?;
    }
    Ok(CorrelationGroupArgs { init_scale_bps, moves_bps })
}

/// Proposes the correlation group `args` of `banks` (the admin; the group is the first bank's).
pub async fn propose_correlation(
    chain: &mut impl Chain,
    authority: &Authority,
    banks: &[Pubkey],
    args: CorrelationGroupArgs,
) -> Result<String, String> {
    let first = banks.first().ok_or("name at least one bank")?;
    let state = accounts::bank(&fetch(chain, first, "bank").await?).map_err(sdk)?;
    let admin = authority.key();
    propose(chain, authority, &state.group, |id| {
        build::propose_correlation_group(&admin, &admin, &state.group, id, banks, args.clone())
    })
    .await
}

/// Proposes listing `mint` on `price_account` (feed `feed_id`) in `group` with `params` (the admin).
pub async fn propose_listing(
    chain: &mut impl Chain,
    authority: &Authority,
    (group, mint, price_account): (&Pubkey, &Pubkey, &Pubkey),
    feed_id: [u8; 32],
    params: BankParams,
) -> Result<String, String> {
    let state = accounts::group(&fetch(chain, group, "group").await?).map_err(sdk)?;
    let admin = authority.key();
    let config = margin_sdk::margin::state::BankConfig { feed_id, isolated_only: false, params };
    let instruction =
        build::propose_listing(&admin, &admin, group, state.proposal_count, (mint, price_account), config);
    let proposal = addresses::proposal(group, state.proposal_count);
    Ok(format!("proposal {proposal}: {}", submit(chain, authority, instruction).await?))
}

/// Proposes a new admin and guardian for `group`, its settings unchanged (the admin).
pub async fn propose_group_change(
    chain: &mut impl Chain,
    authority: &Authority,
    group: &Pubkey,
    (new_admin, new_guardian): (&Pubkey, &Pubkey),
) -> Result<String, String> {
    let state = accounts::group(&fetch(chain, group, "group").await?).map_err(sdk)?;
    let admin = authority.key();
    let args = margin_sdk::margin::instructions::GroupChangeArgs {
        admin: *new_admin,
        guardian: *new_guardian,
        settings: state.governance,
    };
    propose(chain, authority, group, |id| build::propose_group_change(&admin, &admin, group, id, args)).await
}

/// Parses a 64-hex-digit Pyth feed id.
pub fn feed_id(hex: &str) -> Result<[u8; 32], String> {
    let hex = hex.trim_start_matches("0x");
    if hex.len() != 64 {
        return Err(format!("feed id {hex:?}: 64 hex digits"));
    }
    let mut bytes = [0u8; 32];
    for (index, byte) in bytes.iter_mut().enumerate() {
        *byte =
            u8::from_str_radix(&hex[2 * index..2 * index + 2], 16).map_err(|_| format!("feed id {hex:?}: not hex"))?;
    }
    Ok(bytes)
}

/// Applies `changes` to `bank` at once (admin or guardian; only risk-reducing changes pass).
pub async fn tighten(
    chain: &mut impl Chain,
    authority: &Authority,
    bank: &Pubkey,
    changes: &[String],
) -> Result<String, String> {
    let state = accounts::bank(&fetch(chain, bank, "bank").await?).map_err(sdk)?;
    let params = margin_sdk::params::with_changes(state.params(), changes)?;
    submit(chain, authority, build::tighten_bank(&authority.key(), &state.group, bank, params)).await
}

/// Executes `proposal` (anyone, after its eta): a bank change, a listing, a group change, a fallback oracle or a
/// correlation group.
pub async fn execute(chain: &mut impl Chain, authority: &Authority, proposal: &Pubkey) -> Result<String, String> {
    let state = accounts::proposal(&fetch(chain, proposal, "proposal").await?).map_err(sdk)?;
    let executor = authority.key();
    let instruction = match state.action {
        ProposalAction::ChangeBank { bank, .. } => build::execute_bank_change(&executor, &state.group, &bank, proposal),
        ProposalAction::ChangeGroup { .. } => build::execute_group_change(&executor, &state.group, proposal),
        ProposalAction::SetFallbackOracle { bank, .. } => {
            build::execute_fallback_oracle(&executor, &state.group, &bank, proposal)
        }
        ProposalAction::SetCorrelationGroup { banks, count, .. } => {
            build::execute_correlation_group(&executor, &state.group, proposal, &banks[..usize::from(count)])
        }
        ProposalAction::ListBank { mint, price_account, .. } => {
            let token_program = chain.account(&mint).await.map_err(sdk)?.ok_or("the listed mint does not exist")?.owner;
            let bank = BankAddresses::derive(&state.group, &mint, &token_program, &price_account);
            build::add_bank(&executor, &state.group, proposal, &bank)
        }
    };
    submit(chain, authority, instruction).await
}

/// Cancels `proposal` (admin or guardian).
pub async fn cancel(chain: &mut impl Chain, authority: &Authority, proposal: &Pubkey) -> Result<String, String> {
    let state = accounts::proposal(&fetch(chain, proposal, "proposal").await?).map_err(sdk)?;
    submit(chain, authority, build::cancel_proposal(&authority.key(), &state.group, proposal)).await
}

/// Pauses `group` for `seconds` (the guardian).
pub async fn pause(
    chain: &mut impl Chain,
    authority: &Authority,
    group: &Pubkey,
    seconds: u32,
) -> Result<String, String> {
    submit(chain, authority, build::pause_group(&authority.key(), group, seconds)).await
}

/// Lifts the pause of `group` (the admin).
pub async fn unpause(chain: &mut impl Chain, authority: &Authority, group: &Pubkey) -> Result<String, String> {
    submit(chain, authority, build::unpause_group(&authority.key(), group)).await
}

/// Accounts with debt below a health type, and their debt (liabilities at that type, quote units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Below {
    /// How many accounts.
    pub accounts: usize,
    /// Their liabilities, quote units (10^-6 USD).
    pub debt: u64,
}

/// What a change of one bank's parameters does to the book: below Init and below Maint, before and after.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct WhatIf {
    /// Below Init now (no new risk for them).
    pub init_before: Below,
    /// Below Init under the proposed parameters.
    pub init_after: Below,
    /// Below Maint now (liquidatable).
    pub maint_before: Below,
    /// Below Maint under the proposed parameters.
    pub maint_after: Below,
}

fn below(snapshot: &Snapshot, health_type: HealthType) -> Below {
    let mut total = Below::default();
    for address in snapshot.accounts.keys() {
        if let Ok(health) = snapshot.health(address, health_type) {
            if health.liabilities > 0 && !health.is_nonnegative() {
                total.accounts += 1;
                total.debt = total.debt.saturating_add(health.liabilities);
            }
        }
    }
    total
}

/// The accounts and debt below Init and Maint with `bank`'s parameters as they are and as `params`.
pub fn what_if(snapshot: &Snapshot, bank: &Pubkey, params: &BankParams) -> Result<WhatIf, String> {
    let mut changed = snapshot.clone();
    changed.banks.get_mut(bank).ok_or_else(|| format!("bank {bank} is not in the snapshot"))?.apply_params(params);
    Ok(WhatIf {
        init_before: below(snapshot, HealthType::Init),
        init_after: below(&changed, HealthType::Init),
        maint_before: below(snapshot, HealthType::Maint),
        maint_after: below(&changed, HealthType::Maint),
    })
}
