//! Compute-unit bench of `margin-risk`.
//!
//! One instruction runs one operation of the risk engine on a realistic account described by the data of its
//! single input account. On SBF the program measures the operation itself with `sol_remaining_compute_units`
//! around the call (less the measured cost of one reading) and returns `[result bytes][part CU: u64]` as
//! return data. On the host the same [`run`] gives the same result bytes, which the runner compares.
//!
//! Account data: a [`HEADER_LEN`]-byte header, then [`POSITION_LEN`] bytes per position (see [`decode`]).
//! Instruction data: `[operation: u8, positions: u8]`.
#![no_std]

use margin_risk::bankruptcy::split_bankruptcy;
use margin_risk::dynamic::{apply_dynamic_margin, DynamicMargin};
use margin_risk::fallback::{choose_price, switchboard_price, SwitchboardDecimal};
use margin_risk::health::{compute_health, HealthPosition, HealthType, RiskWeights};
use margin_risk::interest::{accrue, BankTotals, InterestCurve, INDEX_SCALE};
use margin_risk::liquidation::{plan_liquidation, LiquidationConfig, LiquidationPlan, LiquidationRequest};
use margin_risk::portfolio::{portfolio_health, GroupMembership};
use margin_risk::price::{validate_price, OracleConfig, PythPrice};
use margin_risk::RiskError;

#[cfg(target_os = "solana")]
mod entrypoint;

// Off-chain (the runner's host check) the cdylib needs std's panic handler.
#[cfg(not(target_os = "solana"))]
extern crate std;

/// Positions of the largest account.
pub const MAX_POSITIONS: usize = 16;
/// Header: now, deposit shares, borrow shares, deposit index, borrow index, elapsed seconds, debt, insurance (8 × 8).
pub const HEADER_LEN: usize = 64;
/// Position: deposit, borrow (8 + 8), four weights (4 × 4), Pyth price, conf, exponent, publish time, EMA price,
/// EMA conf (8 + 8 + 4 + 8 + 8 + 8), decimals (1).
pub const POSITION_LEN: usize = 77;

/// The operations, by their instruction byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Operation {
    /// Decode the input and nothing else: the fixed cost under every other row.
    Baseline = 0,
    /// `validate_price` of position 0's oracle: checks and the four conservative prices.
    ValidatePrice = 1,
    /// Init health of the first N positions, prices already validated.
    InitHealth = 2,
    /// Maint health of the first N positions, prices already validated.
    MaintHealth = 3,
    /// What `borrow` does: validate the N prices, then Init health.
    ValidateAndInitHealth = 4,
    /// `plan_liquidation` (position 1's debt against position 0's collateral), prices already validated.
    Liquidation = 5,
    /// `accrue` of one bank.
    Accrue = 6,
    /// `split_bankruptcy`.
    Bankruptcy = 7,
    /// What `liquidate` computes: validate the N prices, then `plan_liquidation` as in [`Operation::Liquidation`].
    ValidateAndLiquidation = 8,
    /// `apply_dynamic_margin` to position 0's validated price: the extra haircut and the moved Init prices.
    DynamicMargin = 9,
    /// A bank with a fallback (issue 25): position 0's price as a Switchboard result (18 decimals) converted
    /// and validated, then `choose_price` against the validated Pyth price: what a fallback adds per price.
    FallbackPrice = 10,
    /// Init health of the first N positions with every bank's size rule on (issue 26: depth $20,000, 25 %
    /// haircut beyond it), prices already validated.
    SizedInitHealth = 11,
    /// Init health of the first N positions in two correlation groups (odd and even positions) of 16
    /// scenarios each (issue 26, `margin_risk::portfolio`), prices already validated.
    PortfolioInitHealth = 12,
    /// The liquidation plan of the first N positions in the portfolio row's two correlation groups (issue 26,
    /// `margin_risk::portfolio_liquidation`: Newton's steps on the group rule), position 1's debt against
    /// position 0's collateral, the account flagged, prices already validated.
    PortfolioLiquidation = 13,
}

impl Operation {
    /// Every operation, in instruction-byte order.
    pub const ALL: [Operation; 14] = [
        Operation::Baseline,
        Operation::ValidatePrice,
        Operation::InitHealth,
        Operation::MaintHealth,
        Operation::ValidateAndInitHealth,
        Operation::Liquidation,
        Operation::Accrue,
        Operation::Bankruptcy,
        Operation::ValidateAndLiquidation,
        Operation::DynamicMargin,
        Operation::FallbackPrice,
        Operation::SizedInitHealth,
        Operation::PortfolioInitHealth,
        Operation::PortfolioLiquidation,
    ];

    /// The operation of an instruction byte.
    pub fn from_byte(byte: u8) -> Option<Operation> {
        Operation::ALL.get(byte as usize).copied()
    }
}

/// One position as the bench input describes it: raw Pyth fields, not yet validated.
#[derive(Clone, Copy, Debug)]
pub struct RawPosition {
    /// Deposit, native units.
    pub deposit_tokens: u64,
    /// Debt, native units.
    pub borrow_tokens: u64,
    /// The bank's weights.
    pub weights: RiskWeights,
    /// The bank's Pyth price.
    pub pyth: PythPrice,
    /// The bank's mint decimals.
    pub decimals: u8,
}

const EMPTY: RawPosition = RawPosition {
    deposit_tokens: 0,
    borrow_tokens: 0,
    weights: RiskWeights {
        init_asset_bps: 0,
        maint_asset_bps: 0,
        init_liability_bps: 10_000,
        maint_liability_bps: 10_000,
        size: margin_risk::size::SizeRule::OFF,
    },
    pyth: PythPrice { price: 1, conf: 0, exponent: -8, publish_time: 0, ema_price: 1, ema_conf: 0 },
    decimals: 6,
};

/// The decoded input.
#[derive(Clone, Copy, Debug)]
pub struct BenchInput {
    /// Clock, unix seconds.
    pub now: i64,
    /// The bank for `Accrue` and `Bankruptcy`.
    pub bank: BankTotals,
    /// Seconds to accrue.
    pub elapsed_seconds: u64,
    /// Debt written off by `Bankruptcy`, native units.
    pub bankrupt_debt: u64,
    /// Insurance vault balance for `Bankruptcy`, native units.
    pub insurance_balance: u64,
    /// Positions; the first `count` are used.
    pub positions: [RawPosition; MAX_POSITIONS],
    /// How many positions the instruction uses.
    pub count: usize,
}

fn read_u64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(data.get(at..at + 8)?.try_into().ok()?))
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn decode_position(data: &[u8]) -> Option<RawPosition> {
    let weight = |index: usize| read_u32(data, 16 + 4 * index);
    Some(RawPosition {
        deposit_tokens: read_u64(data, 0)?,
        borrow_tokens: read_u64(data, 8)?,
        weights: RiskWeights {
            init_asset_bps: weight(0)?,
            maint_asset_bps: weight(1)?,
            init_liability_bps: weight(2)?,
            maint_liability_bps: weight(3)?,
            size: margin_risk::size::SizeRule::OFF,
        },
        pyth: PythPrice {
            price: read_u64(data, 32)? as i64,
            conf: read_u64(data, 40)?,
            exponent: read_u32(data, 48)? as i32,
            publish_time: read_u64(data, 52)? as i64,
            ema_price: read_u64(data, 60)? as i64,
            ema_conf: read_u64(data, 68)?,
        },
        decimals: *data.get(76)?,
    })
}

/// Decodes the account data for an instruction that uses `count` positions.
pub fn decode(data: &[u8], count: usize) -> Option<BenchInput> {
    if count > MAX_POSITIONS {
        return None;
    }
    let mut positions = [EMPTY; MAX_POSITIONS];
    for (index, slot) in positions.iter_mut().enumerate().take(count) {
        let start = HEADER_LEN + index * POSITION_LEN;
        *slot = decode_position(data.get(start..start + POSITION_LEN)?)?;
    }
    Some(BenchInput {
        now: read_u64(data, 0)? as i64,
        bank: BankTotals {
            deposit_shares: read_u64(data, 8)?,
            borrow_shares: read_u64(data, 16)?,
            deposit_index: read_u64(data, 24)?,
            borrow_index: read_u64(data, 32)?,
        },
        elapsed_seconds: read_u64(data, 40)?,
        bankrupt_debt: read_u64(data, 48)?,
        insurance_balance: read_u64(data, 56)?,
        positions,
        count,
    })
}

/// Oracle settings of every bench bank: 60 s, open 2 %, liquidation 5 %, k 2 / 1, discount cap 10 %.
/// The dynamic Init margin the bench applies: 1 bp per bp of divergence, 2 per bp of expansion, at most 15 %.
pub const DYNAMIC: DynamicMargin =
    DynamicMargin { divergence_multiplier_bps: 10_000, expansion_multiplier_bps: 20_000, max_extra_bps: 1_500 };

/// The bench's size rule: positions beyond $20,000 at their Init price lose a quarter of their weight.
pub const SIZE: margin_risk::size::SizeRule =
    margin_risk::size::SizeRule { depth_quote: 20_000_000_000, excess_haircut_bps: 2_500 };

/// Position `index`'s correlation group in the portfolio row: group 1 or 2 by parity, 16 scenarios of joint
/// moves from −30 % to +30 % with each bank's move a little off the group's (so no scenario cancels exactly).
fn group_of(index: usize) -> GroupMembership {
    let moves = core::array::from_fn(|scenario| {
        let joint = (scenario as i16 - 8) * 400;
        joint + (index % 5) as i16 * 25
    });
    GroupMembership { group: 1 + (index % 2) as u64, moves_bps: moves, init_scale_bps: 12_000 }
}

/// The portfolio row, in its own stack frame (its memberships take 640 bytes); `meter` and `calibration` as
/// [`run`] has them.
#[inline(never)]
fn portfolio_row(input: &BenchInput, meter: fn() -> u64, calibration: u64) -> Result<Output, RiskError> {
    let positions = validated(input);
    let groups: [GroupMembership; MAX_POSITIONS] = core::array::from_fn(group_of);
    let start = meter();
    let health = portfolio_health(&positions[..input.count], &groups[..input.count], HealthType::Init)?;
    let cost = start.wrapping_sub(meter()).wrapping_sub(calibration);
    Ok(Output::new(&[health.assets, health.liabilities], cost))
}

/// The portfolio liquidation row, in its own stack frame as [`portfolio_row`].
#[inline(never)]
fn portfolio_liquidation_row(input: &BenchInput, meter: fn() -> u64, calibration: u64) -> Result<Output, RiskError> {
    let positions = validated(input);
    let groups: [GroupMembership; MAX_POSITIONS] = core::array::from_fn(group_of);
    let request = LiquidationRequest { being_liquidated: true, ..BENCH_LIQUIDATION };
    let start = meter();
    let plan = margin_risk::portfolio_liquidation::plan_account_liquidation(
        &positions[..input.count],
        &groups[..input.count],
        &request,
        &LIQUIDATION,
    )?;
    let cost = start.wrapping_sub(meter()).wrapping_sub(calibration);
    Ok(Output::new(&plan_words(&plan), cost))
}

/// The bench's fallback bound: 2 %.
pub const FALLBACK_DIVERGENCE_BPS: u32 = 200;

/// A Pyth mantissa at `exponent` as a Switchboard value at 18 decimals (mantissa · 10^(18 + exponent)).
fn switchboard_decimal(mantissa: i64, exponent: i32) -> Result<SwitchboardDecimal, RiskError> {
    let mantissa = u64::try_from(mantissa).map_err(|_| RiskError::NonPositivePrice)?;
    let shift = u32::try_from(18 + exponent).map_err(|_| RiskError::ExponentOutOfRange)?;
    let (high, low) = margin_risk::math::wide_mul(mantissa, margin_risk::math::pow10(shift)?);
    Ok(SwitchboardDecimal { high: high as i64, low })
}

pub const ORACLE: OracleConfig = OracleConfig {
    max_age_seconds: 60,
    max_conf_open_bps: 200,
    max_conf_liquidation_bps: 500,
    conf_multiplier_init_bps: 20_000,
    conf_multiplier_maint_bps: 10_000,
    max_conf_discount_bps: 1_000,
};

/// Liquidation settings of the collateral bank: bonus 2–8 %, fee 1 %.
pub const LIQUIDATION: LiquidationConfig =
    LiquidationConfig { min_bonus_bps: 200, max_bonus_bps: 800, insurance_fee_bps: 100 };

/// The bank's curve: 0 → 4 % at 50 % → 10 % at 80 % → 100 % at 100 %.
pub const CURVE: InterestCurve = InterestCurve {
    zero_rate_bps: 0,
    kink0_util_bps: 5_000,
    kink0_rate_bps: 400,
    kink1_util_bps: 8_000,
    kink1_rate_bps: 1_000,
    max_rate_bps: 10_000,
};

/// Result bytes of an operation (little-endian u64 words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Output {
    /// The words.
    pub words: [u64; 8],
    /// How many are used.
    pub len: usize,
    /// CU the operation itself used, as measured by the meter (0 on the host).
    pub part_compute_units: u64,
}

impl Output {
    fn new(values: &[u64], part_compute_units: u64) -> Output {
        let mut words = [0; 8];
        words[..values.len()].copy_from_slice(values);
        Output { words, len: values.len(), part_compute_units }
    }
}

fn validated(input: &BenchInput) -> [HealthPosition; MAX_POSITIONS] {
    let mut positions = [HealthPosition {
        deposit_tokens: 0,
        borrow_tokens: 0,
        weights: EMPTY.weights,
        price: Err(RiskError::ZeroAmount),
    }; MAX_POSITIONS];
    for (slot, raw) in positions.iter_mut().zip(&input.positions).take(input.count) {
        *slot = HealthPosition {
            deposit_tokens: raw.deposit_tokens,
            borrow_tokens: raw.borrow_tokens,
            weights: raw.weights,
            price: validate_price(&raw.pyth, &ORACLE, raw.decimals, input.now),
        };
    }
    positions
}

/// The liquidation the bench plans: position 1's debt against position 0's collateral, repay unbounded.
const BENCH_LIQUIDATION: LiquidationRequest = LiquidationRequest {
    debt_position: 1,
    collateral_position: 0,
    max_repay_tokens: u64::MAX,
    being_liquidated: false,
    debt_dust_tokens: 0,
    debt_borrow_index: INDEX_SCALE,
};

/// A plan's amounts and healths as result words.
fn plan_words(plan: &LiquidationPlan) -> [u64; 8] {
    [
        plan.repay_tokens,
        plan.seized_to_liquidator,
        plan.insurance_fee_tokens,
        u64::from(plan.bonus_bps),
        plan.maint_after.assets,
        plan.maint_after.liabilities,
        plan.liq_end_after.assets,
        plan.liq_end_after.liabilities,
    ]
}

/// Runs `operation` on `input`, reading the meter (remaining CU) just before and just after the measured part.
pub fn run(operation: Operation, input: &BenchInput, meter: fn() -> u64) -> Result<Output, RiskError> {
    let calibration = meter().wrapping_sub(meter());
    let measure = |start: u64| start.wrapping_sub(meter()).wrapping_sub(calibration);
    match operation {
        Operation::Baseline => Ok(Output::new(&[input.count as u64], measure(meter()))),
        Operation::ValidatePrice => {
            let raw = &input.positions[0];
            let start = meter();
            let price = validate_price(&raw.pyth, &ORACLE, raw.decimals, input.now)?;
            let cost = measure(start);
            let values =
                [price.oracle, price.init_asset, price.init_liability, price.maint_asset, price.maint_liability];
            Ok(Output::new(&values, cost))
        }
        Operation::InitHealth | Operation::MaintHealth => {
            let positions = validated(input);
            let health_type = if operation == Operation::InitHealth { HealthType::Init } else { HealthType::Maint };
            let start = meter();
            let health = compute_health(&positions[..input.count], health_type)?;
            Ok(Output::new(&[health.assets, health.liabilities], measure(start)))
        }
        Operation::SizedInitHealth => {
            let mut positions = validated(input);
            for position in positions.iter_mut() {
                position.weights.size = SIZE;
            }
            let start = meter();
            let health = compute_health(&positions[..input.count], HealthType::Init)?;
            Ok(Output::new(&[health.assets, health.liabilities], measure(start)))
        }
        Operation::PortfolioInitHealth => portfolio_row(input, meter, calibration),
        Operation::PortfolioLiquidation => portfolio_liquidation_row(input, meter, calibration),
        Operation::ValidateAndInitHealth => {
            let start = meter();
            let positions = validated(input);
            let health = compute_health(&positions[..input.count], HealthType::Init)?;
            Ok(Output::new(&[health.assets, health.liabilities], measure(start)))
        }
        Operation::Liquidation => {
            let positions = validated(input);
            let start = meter();
            let plan = plan_liquidation(&positions[..input.count], &BENCH_LIQUIDATION, &LIQUIDATION)?;
            Ok(Output::new(&plan_words(&plan), measure(start)))
        }
        Operation::ValidateAndLiquidation => {
            let start = meter();
            let positions = validated(input);
            let plan = plan_liquidation(&positions[..input.count], &BENCH_LIQUIDATION, &LIQUIDATION)?;
            Ok(Output::new(&plan_words(&plan), measure(start)))
        }
        Operation::Accrue => {
            let mut bank = input.bank;
            let start = meter();
            let accrual = accrue(&mut bank, &CURVE, 1_000, input.elapsed_seconds)?;
            let cost = measure(start);
            let values = [bank.deposit_index, bank.borrow_index, accrual.interest_tokens, accrual.protocol_fee_tokens];
            Ok(Output::new(&values, cost))
        }
        Operation::DynamicMargin => {
            let raw = &input.positions[0];
            let price = validate_price(&raw.pyth, &ORACLE, raw.decimals, input.now)?;
            let start = meter();
            let moved = apply_dynamic_margin(&price, &raw.pyth, &DYNAMIC)?;
            let cost = measure(start);
            Ok(Output::new(&[moved.init_asset, moved.init_liability], cost))
        }
        Operation::FallbackPrice => {
            let raw = &input.positions[0];
            let primary = validate_price(&raw.pyth, &ORACLE, raw.decimals, input.now);
            let (value, spread) = (
                switchboard_decimal(raw.pyth.price, raw.pyth.exponent)?,
                switchboard_decimal(raw.pyth.conf as i64, raw.pyth.exponent)?,
            );
            let start = meter();
            let reading = switchboard_price(value, spread, spread, raw.pyth.publish_time)?;
            let fallback = validate_price(&reading, &ORACLE, raw.decimals, input.now);
            let chosen = choose_price(&primary, Some(&fallback), FALLBACK_DIVERGENCE_BPS)?;
            let cost = measure(start);
            Ok(Output::new(&[chosen.init_asset, chosen.init_liability, u64::from(chosen.usable_to_open)], cost))
        }
        Operation::Bankruptcy => {
            let start = meter();
            let split = split_bankruptcy(input.bankrupt_debt, input.insurance_balance, &input.bank)?;
            let cost = measure(start);
            Ok(Output::new(&[split.insurance_tokens, split.socialized_tokens, split.new_deposit_index], cost))
        }
    }
}
