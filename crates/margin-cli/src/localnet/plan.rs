//! What `margin localnet start` sets up (migrations/localnet.toml): the group's id, and per bank its token
//! (decimals, SPL Token or Token-2022), Pyth feed, listing preset, price path and the amounts the insurance
//! vault and every wallet get. Mints are made by the localnet; banks are listed by the same migration as on
//! any cluster (`margin deploy`), from the plan this one becomes ([`LocalnetPlan::deploy_plan`]).
use serde::Deserialize;
use solana_sdk::pubkey::Pubkey;

use crate::deploy::{BankPlan, DeployPlan};

/// The localnet's plan.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalnetPlan {
    /// The group's id.
    pub group_id: u64,
    /// The banks, listed in this order.
    pub banks: Vec<LocalnetBank>,
}

/// One bank of the localnet.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalnetBank {
    /// The token's name (what `margin localnet crash` names).
    pub name: String,
    /// The mint's decimals.
    pub decimals: u8,
    /// `token` (SPL Token) or `token-2022`.
    #[serde(default = "spl_token_name")]
    pub token_program: String,
    /// The Pyth feed id, 64 hex digits (mainnet's, so the bank pins the same push-oracle address).
    pub feed_id: String,
    /// `volatile` or `stable`.
    pub preset: String,
    /// Price at the start, USD per whole token.
    pub price: f64,
    /// Confidence, bps of the price.
    pub conf_bps: f64,
    /// The synthetic walk's volatility per tick, bps (0: constant).
    #[serde(default)]
    pub volatility_bps: f64,
    /// A price history (CSV of closes, e.g. binance-solusdt-1h.csv) replayed with `--history`.
    #[serde(default)]
    pub history: Option<String>,
    /// Dust threshold, native units (the preset's otherwise).
    #[serde(default)]
    pub dust_threshold: Option<u64>,
    /// Native units the insurance vault holds after the deployment.
    pub insurance: u64,
    /// Native units every wallet gets.
    pub wallet: u64,
    /// Native units the localnet's lender deposits into the bank at the start, so there is something to
    /// borrow (the lender's wallet gets this on top of `wallet`).
    #[serde(default)]
    pub liquidity: u64,
}

fn spl_token_name() -> String {
    "token".to_string()
}

impl LocalnetBank {
    /// The token program the mint belongs to.
    pub fn token_program(&self) -> Result<Pubkey, String> {
        match self.token_program.as_str() {
            "token" => Ok(anchor_spl::token::ID),
            "token-2022" => Ok(anchor_spl::token_2022::ID),
            other => Err(format!("bank {}: token_program {other:?}: token or token-2022", self.name)),
        }
    }

    /// The mint's address: the same on every start (a keypair derived from the bank's name), so commands
    /// and notes stay valid from one localnet to the next.
    pub fn mint(&self) -> Pubkey {
        use solana_sdk::signature::Signer;
        mint_keypair(&self.name).pubkey()
    }
}

fn mint_keypair(name: &str) -> solana_sdk::signature::Keypair {
    let seed = solana_sdk::hash::hashv(&[b"margin-localnet mint ", name.as_bytes()]);
    solana_sdk::signature::Keypair::new_from_array(seed.to_bytes())
}

impl LocalnetPlan {
    /// Parses the plan's text; errors name the field.
    pub fn parse(text: &str) -> Result<LocalnetPlan, String> {
        let plan: LocalnetPlan = toml::from_str(text).map_err(|error| error.to_string())?;
        for bank in &plan.banks {
            bank.token_program()?;
            crate::governance::feed_id(&bank.feed_id).map_err(|error| format!("bank {}: {error}", bank.name))?;
            if !(bank.price > 0.0 && bank.conf_bps >= 0.0 && bank.volatility_bps >= 0.0) {
                return Err(format!("bank {}: price > 0, conf_bps and volatility_bps ≥ 0", bank.name));
            }
        }
        if plan.banks.is_empty() {
            return Err("the plan lists no bank".into());
        }
        Ok(plan)
    }

    /// The deployment `margin deploy` runs: these banks on their localnet mints, insurance funded from the
    /// admin's token accounts (`insurance_from`, one per bank, in order), the admin kept (no multisig, so the
    /// governance commands can be tried with the admin's keypair).
    pub fn deploy_plan(&self, guardian: &Pubkey, insurance_from: &[Pubkey]) -> DeployPlan {
        let banks = self
            .banks
            .iter()
            .zip(insurance_from)
            .map(|(bank, from)| BankPlan {
                name: bank.name.clone(),
                mint: bank.mint().to_string(),
                feed_id: bank.feed_id.clone(),
                preset: bank.preset.clone(),
                dust_threshold: bank.dust_threshold,
                insurance: bank.insurance,
                insurance_from: Some(from.to_string()),
            })
            .collect();
        DeployPlan { group_id: self.group_id, guardian: guardian.to_string(), multisig: None, banks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = include_str!("../../../../migrations/localnet.toml");

    #[test]
    fn the_shipped_plan_parses_into_a_deployment_of_its_banks() {
        let plan = LocalnetPlan::parse(PLAN).unwrap();
        let names: Vec<&str> = plan.banks.iter().map(|bank| bank.name.as_str()).collect();
        assert_eq!(names, ["SOL", "USDC", "USDT"]);
        assert_eq!(plan.banks[2].token_program().unwrap(), anchor_spl::token_2022::ID);
        let (guardian, funds) =
            (Pubkey::new_unique(), [Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique()]);
        let deployment = plan.deploy_plan(&guardian, &funds);
        assert_eq!(deployment.banks.len(), 3);
        assert_eq!(deployment.banks[1].mint, plan.banks[1].mint().to_string());
        assert_eq!(deployment.banks[1].insurance_from, Some(funds[1].to_string()));
        assert_eq!((deployment.guardian, deployment.multisig), (guardian.to_string(), None));
    }

    #[test]
    fn mints_are_the_same_on_every_start_and_differ_per_bank() {
        let plan = LocalnetPlan::parse(PLAN).unwrap();
        assert_eq!(plan.banks[0].mint(), plan.banks[0].clone().mint());
        assert_ne!(plan.banks[0].mint(), plan.banks[1].mint());
    }

    #[test]
    fn bad_plans_are_refused_by_name() {
        let bank = |extra: &str| {
            format!(
                "group_id = 1\n[[banks]]\nname = \"X\"\ndecimals = 6\nfeed_id = \"{}\"\npreset = \"stable\"\n\
                 price = 1.0\nconf_bps = 1.0\ninsurance = 0\nwallet = 0\n{extra}",
                "ab".repeat(32)
            )
        };
        assert!(LocalnetPlan::parse(&bank("")).is_ok());
        assert!(LocalnetPlan::parse(&bank("token_program = \"token-2023\"")).unwrap_err().contains("token-2023"));
        assert!(LocalnetPlan::parse(&bank("colour = 1")).unwrap_err().contains("colour"));
        assert!(LocalnetPlan::parse("group_id = 1\nbanks = []").unwrap_err().contains("no bank"));
        let negative = bank("").replace("price = 1.0", "price = -1.0");
        assert!(LocalnetPlan::parse(&negative).unwrap_err().contains("price > 0"));
    }
}
