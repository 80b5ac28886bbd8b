//! Reference parameters: a SOL-like volatile bank, a USDC-like stable bank and a group's governance settings.
//! The tests, the simulator's scenarios and the guides start from these; a risk team calibrates its own
//! (`margin risk calibrate`, issue 15).
use margin::state::{BankParams, BankStatus, GovernanceSettings, LimitParams, RiskParams};

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
        limits: LimitParams { deposit_cap: u64::MAX / 4, borrow_cap: u64::MAX / 4, dust_threshold: 0 },
        status: BankStatus::Active,
    }
}

/// USDC-like parameters: weights 0.95/0.98 asset, 1.05/1.02 liability.
pub fn stable_params() -> BankParams {
    BankParams {
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
        ..volatile_params()
    }
}
