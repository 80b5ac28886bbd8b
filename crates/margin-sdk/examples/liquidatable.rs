//! Lists the liquidatable accounts of a group on a cluster, each with the program's own plan for its largest
//! debt against its largest deposit: the discovery half of a liquidator (docs/guides/liquidator.md).
//!
//! `cargo run -p margin-sdk --features rpc --example liquidatable -- <rpc-url> <group-address>`
use anchor_lang::prelude::Pubkey;
use margin_sdk::chain::RpcChain;
use margin_sdk::margin_risk::health::HealthType;
use margin_sdk::snapshot::Snapshot;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, group] = &args[..] else {
        return Err("usage: liquidatable <rpc-url> <group-address>".into());
    };
    let group: Pubkey = group.parse()?;
    let snapshot = RpcChain::new(url).group_snapshot(&group).await?;
    println!("{} banks, {} accounts at {}", snapshot.banks.len(), snapshot.accounts.len(), snapshot.now);
    for address in snapshot.accounts.keys() {
        match snapshot.is_liquidatable(address) {
            Ok(true) => report(&snapshot, address)?,
            Ok(false) => {}
            Err(error) => println!("{address}: health not computable now: {error}"),
        }
    }
    Ok(())
}

/// The account's Maint health and the plan for its largest debt against its largest deposit (by value).
fn report(snapshot: &Snapshot, address: &Pubkey) -> Result<(), margin_sdk::SdkError> {
    let maint = snapshot.health(address, HealthType::Maint)?;
    let positions = snapshot.health_positions(address)?;
    let banks: Vec<Pubkey> = snapshot.account(address)?.used_positions().map(|position| position.bank).collect();
    let largest = |value: &dyn Fn(usize) -> u64| (0..positions.len()).max_by_key(|&index| value(index));
    let health_of =
        |index: usize| margin_sdk::margin_risk::health::position_health(&positions[index], HealthType::Maint);
    let debt = largest(&|index| health_of(index).map(|health| health.liabilities).unwrap_or(0));
    let collateral = largest(&|index| health_of(index).map(|health| health.assets).unwrap_or(0));
    let (Some(debt), Some(collateral)) = (debt, collateral) else { return Ok(()) };
    let plan = snapshot.plan_liquidation(address, (&banks[debt], &banks[collateral]), u64::MAX)?;
    println!(
        "{address}: Maint {} − {} quote units; repay {} of bank {}, receive {} of bank {} (bonus {} bps)",
        maint.assets,
        maint.liabilities,
        plan.repay_tokens,
        banks[debt],
        plan.seized_to_liquidator,
        banks[collateral],
        plan.bonus_bps
    );
    Ok(())
}
