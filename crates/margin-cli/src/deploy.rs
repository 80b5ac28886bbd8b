//! `margin deploy <plan.toml>`: the protocol's bootstrap (`migrations/`, issue 22), idempotent, on any chain.
//! Each run reads the chain and does only what is missing, so it is run again until it reports nothing left:
//! init the group; propose each bank's listing (the feed's Pyth push-oracle account, a preset, its dust
//! threshold); list it once the proposal's eta has passed; fund its insurance vault up to the plan's figure;
//! then hand the admin role to the multisig (proposed, and executed after the delay). On a real cluster the
//! runs are days apart (the timelock); on the in-process chain the tests move the clock.
use anchor_lang::prelude::Pubkey;
use margin_sdk::accounts;
use margin_sdk::addresses::{self, BankAddresses};
use margin_sdk::chain::Chain;
use margin_sdk::instructions as build;
use margin_sdk::margin::state::{BankParams, Group, Proposal, ProposalAction, ProposalState};
use serde::{Deserialize, Serialize};
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};

use crate::governance::{self, Authority};

/// A deployment: the group, its roles and its banks.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeployPlan {
    /// The group's id (its PDA's seed).
    pub group_id: u64,
    /// The guardian (base58).
    pub guardian: String,
    /// The multisig vault that becomes the admin once every bank is listed (base58); none keeps the keypair.
    #[serde(default)]
    pub multisig: Option<String>,
    /// The banks, listed in this order.
    #[serde(default)]
    pub banks: Vec<BankPlan>,
}

/// One bank of the plan.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BankPlan {
    /// A name for the report.
    pub name: String,
    /// The mint (base58); its owner is the token program (SPL Token or Token-2022).
    pub mint: String,
    /// The Pyth feed id, 64 hex digits; the bank pins the feed's push-oracle account.
    pub feed_id: String,
    /// `volatile` or `stable` (`margin_sdk::presets`).
    pub preset: String,
    /// Dust threshold, native units (it must be worth a cent at the listing price); the preset's otherwise.
    #[serde(default)]
    pub dust_threshold: Option<u64>,
    /// Native units the insurance vault should hold; topped up from `insurance_from`.
    #[serde(default)]
    pub insurance: u64,
    /// The deployer's token account of the mint that funds the insurance vault (base58).
    #[serde(default)]
    pub insurance_from: Option<String>,
}

fn pubkey(text: &str, what: &str) -> Result<Pubkey, String> {
    text.parse().map_err(|_| format!("{what}: {text:?} is not a base58 address"))
}

fn sdk(error: margin_sdk::SdkError) -> String {
    error.to_string()
}

impl BankPlan {
    fn params(&self) -> Result<BankParams, String> {
        let mut params = match self.preset.as_str() {
            "volatile" => margin_sdk::presets::volatile_params(),
            "stable" => margin_sdk::presets::stable_params(),
            other => return Err(format!("bank {}: unknown preset {other:?} (volatile or stable)", self.name)),
        };
        if let Some(dust) = self.dust_threshold {
            params.limits.dust_threshold = dust;
        }
        Ok(params)
    }
}

/// Runs the plan once as `admin` (which signs and pays) at the chain's clock: the lines say what was done or
/// what waits; "nothing left to do" when the deployment is complete.
pub async fn deploy(chain: &mut impl Chain, admin: &Keypair, plan: &DeployPlan) -> Result<Vec<String>, String> {
    let mut report = Vec::new();
    let group = addresses::group(plan.group_id);
    if chain.account(&group).await.map_err(sdk)?.is_none() {
        let guardian = pubkey(&plan.guardian, "guardian")?;
        let settings = margin_sdk::presets::governance_settings();
        send(chain, admin, build::init_group(&admin.pubkey(), &admin.pubkey(), plan.group_id, &guardian, settings))
            .await?;
        report.push(format!("group {group}: created"));
    }
    let now = chain.unix_timestamp().await.map_err(sdk)?;
    let mut all_listed = true;
    for bank in &plan.banks {
        all_listed &= deploy_bank(chain, admin, (&group, now), bank, &mut report).await?;
    }
    if let (Some(multisig), true) = (&plan.multisig, all_listed) {
        hand_over(chain, admin, (&group, now), &pubkey(multisig, "multisig")?, &mut report).await?;
    }
    if report.is_empty() {
        report.push("nothing left to do".to_string());
    }
    Ok(report)
}

/// Lists `bank` (proposing, or executing a ready proposal) and tops up its insurance; true once it is listed.
async fn deploy_bank(
    chain: &mut impl Chain,
    admin: &Keypair,
    (group, now): (&Pubkey, i64),
    bank: &BankPlan,
    report: &mut Vec<String>,
) -> Result<bool, String> {
    let mint = pubkey(&bank.mint, &bank.name)?;
    let feed_id = governance::feed_id(&bank.feed_id)?;
    let price_account = addresses::push_feed(&feed_id);
    let token_program = chain.account(&mint).await.map_err(sdk)?.ok_or(format!("{}: no mint {mint}", bank.name))?.owner;
    let addresses = BankAddresses::derive(group, &mint, &token_program, &price_account);
    if chain.account(&addresses.bank).await.map_err(sdk)?.is_some() {
        fund_insurance(chain, admin, &addresses, bank, report).await?;
        return Ok(true);
    }
    let authority = Authority::Key { keypair: admin.insecure_clone(), dry_run: false };
    let listing =
        pending(chain, group, now, |action| matches!(action, ProposalAction::ListBank { mint: m, .. } if *m == mint))
            .await?;
    match listing {
        Some((proposal, state)) if now >= state.eta => {
            governance::execute(chain, &authority, &proposal).await?;
            report.push(format!("{}: listed (bank {})", bank.name, addresses.bank));
            fund_insurance(chain, admin, &addresses, bank, report).await?;
            return Ok(true);
        }
        Some((proposal, state)) => {
            report.push(format!("{}: listing {proposal} waits for its eta {}", bank.name, state.eta))
        }
        None => {
            let proposed =
                governance::propose_listing(chain, &authority, (group, &mint, &price_account), feed_id, bank.params()?);
            report.push(format!("{}: listing proposed ({})", bank.name, proposed.await?));
        }
    }
    Ok(false)
}

/// Tops the insurance vault of `bank` up to the plan's figure from the deployer's token account.
async fn fund_insurance(
    chain: &mut impl Chain,
    admin: &Keypair,
    addresses: &BankAddresses,
    bank: &BankPlan,
    report: &mut Vec<String>,
) -> Result<(), String> {
    let data = chain.account(&addresses.insurance_vault).await.map_err(sdk)?.ok_or("no insurance vault")?.data;
    let held = token_amount(&data)?;
    if held >= bank.insurance {
        return Ok(());
    }
    let from =
        pubkey(bank.insurance_from.as_deref().ok_or(format!("{}: insurance_from is needed", bank.name))?, &bank.name)?;
    let mint_data = chain.account(&addresses.mint).await.map_err(sdk)?.ok_or("no mint")?.data;
    let decimals = mint_decimals(&mint_data)?;
    let amount = bank.insurance - held;
    let transfer = anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked(
        &addresses.token_program,
        &from,
        &addresses.mint,
        &addresses.insurance_vault,
        &admin.pubkey(),
        &[],
        amount,
        decimals,
    )
    .map_err(|error| error.to_string())?;
    send(chain, admin, transfer).await?;
    report.push(format!("{}: insurance funded with {amount} native units", bank.name));
    Ok(())
}

/// Proposes the admin's handover to `multisig`, or executes it once ready.
async fn hand_over(
    chain: &mut impl Chain,
    admin: &Keypair,
    (group, now): (&Pubkey, i64),
    multisig: &Pubkey,
    report: &mut Vec<String>,
) -> Result<(), String> {
    let state: Group =
        accounts::group(&chain.account(group).await.map_err(sdk)?.ok_or("no group")?.data).map_err(sdk)?;
    if state.admin == *multisig {
        return Ok(());
    }
    let authority = Authority::Key { keypair: admin.insecure_clone(), dry_run: false };
    let handover = pending(
        chain,
        group,
        now,
        |action| matches!(action, ProposalAction::ChangeGroup { admin: a, .. } if a == multisig),
    )
    .await?;
    match handover {
        Some((proposal, proposal_state)) if now >= proposal_state.eta => {
            governance::execute(chain, &authority, &proposal).await?;
            report.push(format!("admin: handed to the multisig {multisig}"));
        }
        Some((proposal, proposal_state)) => {
            report.push(format!("admin: handover {proposal} waits for its eta {}", proposal_state.eta))
        }
        None => {
            let proposed =
                governance::propose_group_change(chain, &authority, group, (multisig, &state.guardian)).await?;
            report.push(format!("admin: handover to the multisig proposed ({proposed})"));
        }
    }
    Ok(())
}

/// The latest pending, unexpired proposal of `group` whose action `matches`.
async fn pending(
    chain: &mut impl Chain,
    group: &Pubkey,
    now: i64,
    matches: impl Fn(&ProposalAction) -> bool,
) -> Result<Option<(Pubkey, Proposal)>, String> {
    let state = accounts::group(&chain.account(group).await.map_err(sdk)?.ok_or("no group")?.data).map_err(sdk)?;
    for id in (0..state.proposal_count).rev() {
        let address = addresses::proposal(group, id);
        let Some(account) = chain.account(&address).await.map_err(sdk)? else { continue };
        let proposal = accounts::proposal(&account.data).map_err(sdk)?;
        if proposal.state == ProposalState::Pending && now < proposal.expires_at && matches(&proposal.action) {
            return Ok(Some((address, proposal)));
        }
    }
    Ok(None)
}

async fn send(chain: &mut impl Chain, signer: &Keypair, instruction: Instruction) -> Result<(), String> {
    crate::trader::submit(chain, signer, &[instruction], false).await.map(|_| ())
}

/// The amount of an SPL Token or Token-2022 account's data.
fn token_amount(data: &[u8]) -> Result<u64, String> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Account};
    StateWithExtensions::<Account>::unpack(data).map(|account| account.base.amount).map_err(|error| error.to_string())
}

/// The decimals of an SPL Token or Token-2022 mint's data.
fn mint_decimals(data: &[u8]) -> Result<u8, String> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Mint};
    StateWithExtensions::<Mint>::unpack(data).map(|mint| mint.base.decimals).map_err(|error| error.to_string())
}
