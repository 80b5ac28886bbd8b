//! Reference parameters: a SOL-like volatile bank, a USDC-like stable bank and a group's governance settings.
//! The tests, the simulator's scenarios and the guides start from these; a risk team calibrates its own
//! (`margin risk calibrate`, issue 15).
use margin::state::{BankParams, BankStatus, DynamicParams, GovernanceSettings, LimitParams, RiskParams, SizeParams};

/// The reference group's governance: a 2-day timelock, proposals live 7 days; weights ±5 pp, rates ±10 pp, caps
/// and limits ×2 per change, a day between changes of a bank; pauses of at most 6 hours, 2 per rolling day.
pub fn governance_settings() -> GovernanceSettings {
    GovernanceSettings {
        timelock_delay_seconds: 2 * 86_400,
        proposal_lifetime_seconds: 7 * 86_400,
        max_weight_step_bps: 500,
        max_rate_step_bps: 1_000,
        max_growth_bps: 20_000,
        min_change_interval_seconds: 86_400,
        max_pause_seconds: 6 * 3_600,
        max_pauses_per_day: 2,
    }
}

/// SOL-like parameters: weights 0.8/0.9 asset, 1.2/1.1 liability; k 2/1; bonus 2–8 %, fee 1 %.
pub fn volatile_params() -> BankParams {
    BankParams {
        risk: RiskParams {
            max_age_seconds: 60,
            max_conf_open_bps: 200,
            max_conf_liquidation_bps: 500,
            conf_multiplier_init_bps: 20_000,
            conf_multiplier_maint_bps: 10_000,
            max_conf_discount_bps: 1_000,
            init_asset_weight_bps: 8_000,
            maint_asset_weight_bps: 9_000,
            init_liability_weight_bps: 12_000,
            maint_liability_weight_bps: 11_000,
            min_bonus_bps: 200,
            max_bonus_bps: 800,
            insurance_fee_bps: 100,
            protocol_fee_bps: 1_000,
            max_utilization_bps: 9_000,
            curve: [0, 5_000, 400, 8_000, 1_000, 10_000],
        },
        // 10^5 lamports: $0.015 at $150 (a bank's dust threshold must be worth a cent at its listing price).
        limits: LimitParams { deposit_cap: u64::MAX / 4, borrow_cap: u64::MAX / 4, dust_threshold: 100_000 },
        status: BankStatus::Active,
        // Off until governance calibrates it (issue 25): Init as the static parameters make it.
        dynamic: DynamicParams::default(),
        // Off (no excess haircut); the depth at its loosest, so governance sets it by tightening at once.
        size: SizeParams { depth_quote: u64::MAX, excess_haircut_bps: 0, padding: 0 },
    }
}

/// USDC-like parameters: weights 0.95/0.98 asset, 1.05/1.02 liability; dust 0.02 USDC.
pub fn stable_params() -> BankParams {
    BankParams {
        limits: LimitParams { dust_threshold: 20_000, ..volatile_params().limits },
        risk: RiskParams {
            init_asset_weight_bps: 9_500,
            maint_asset_weight_bps: 9_800,
            init_liability_weight_bps: 10_500,
            maint_liability_weight_bps: 10_200,
            max_bonus_bps: 100,
            min_bonus_bps: 50,
            insurance_fee_bps: 0,
            ..volatile_params().risk
        },
        status: BankStatus::Active,
        // Off until governance calibrates it (issue 25): Init as the static parameters make it.
        dynamic: DynamicParams::default(),
        // Off (no excess haircut); the depth at its loosest, so governance sets it by tightening at once.
        size: SizeParams { depth_quote: u64::MAX, excess_haircut_bps: 0, padding: 0 },
    }
}

/// A dust threshold worth two cents, in native units rounded up, for a token of `decimals` at `dollars`
/// (mantissa · 10^exponent USD per whole token): twice the program's listing minimum
/// (`margin_risk::price::MIN_DUST_THRESHOLD_QUOTE`), so rounding of the listing price cannot take it below.
/// At least 1.
pub fn two_cent_dust_threshold(decimals: u8, mantissa: i64, exponent: i32) -> u64 {
    // 0.02 · 10^decimals / (mantissa · 10^exponent) = 2 · 10^(decimals − exponent − 2) / mantissa.
    let power = i32::from(decimals) - exponent - 2;
    let mantissa = mantissa.max(1) as u128;
    let units = if power >= 0 {
        (2 * 10u128.pow(power.unsigned_abs())).div_ceil(mantissa)
    } else {
        2u128.div_ceil(mantissa * 10u128.pow(power.unsigned_abs()))
    };
    u64::try_from(units).unwrap_or(u64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_a_dust_threshold_worth_cents() {
        // 2 cents of SOL at $150 = 133,334 lamports (rounded up); of USDC at $1 = 20,000; of a $10^-6
        // 6-decimal token: 20,000 tokens = 2·10^10 native units.
        assert_eq!(two_cent_dust_threshold(9, 150_00000000, -8), 133_334);
        assert_eq!(two_cent_dust_threshold(6, 100_000_000, -8), 20_000);
        assert_eq!(two_cent_dust_threshold(6, 100, -8), 20_000_000_000);
        assert_eq!(two_cent_dust_threshold(0, 5_000_000_000_000, -8), 1, "at least 1");
        assert!(volatile_params().limits.dust_threshold > 0 && stable_params().limits.dust_threshold > 0);
    }
}
