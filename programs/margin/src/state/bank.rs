//! Bank: one mint of one group; its vaults, oracle, risk parameters and share totals.
use anchor_lang::prelude::*;
use margin_risk::governance::ParameterValues;
use margin_risk::health::RiskWeights;
use margin_risk::interest::{BankLimits, BankTotals, InterestCurve};
use margin_risk::liquidation::LiquidationConfig;
use margin_risk::price::OracleConfig;

use crate::errors::{MarginError, RiskResultExt};

/// Bank status: what it accepts (stored as its u8 in [`Bank::status`]; Borsh in [`BankParams`], so the IDL
/// types it).
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)] // in declaration order: 0, 1, 2 (as stored and as Borsh encodes them)
pub enum BankStatus {
    /// Everything.
    Active,
    /// No new borrows and no new deposits; withdrawals, repays and liquidations stay open.
    ReduceOnly,
    /// Nothing but repay and liquidation, for at most the group's longest pause from when it was set
    /// (`Bank::paused_until`); after that the bank acts as reduce-only until a proposal reopens it.
    Paused,
}

/// A bank's rates, weights, limits and fees (bps, seconds): every governable parameter but the caps and the
/// status. Stored as is in the zero-copy [`Bank`] and passed as is in proposals (no padding: 21 × u32).
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable,
)]
#[repr(C)]
pub struct RiskParams {
    /// Oldest accepted price, seconds.
    pub max_age_seconds: u32,
    /// conf/price limit for actions that add risk, bps.
    pub max_conf_open_bps: u32,
    /// conf/price limit above which the price is unusable, bps.
    pub max_conf_liquidation_bps: u32,
    /// k for Init prices, bps of conf.
    pub conf_multiplier_init_bps: u32,
    /// k for Maint prices, bps of conf.
    pub conf_multiplier_maint_bps: u32,
    /// Cap of a confidence discount, bps of price.
    pub max_conf_discount_bps: u32,
    /// Init asset weight, bps.
    pub init_asset_weight_bps: u32,
    /// Maint asset weight, bps.
    pub maint_asset_weight_bps: u32,
    /// Init liability weight, bps.
    pub init_liability_weight_bps: u32,
    /// Maint liability weight, bps.
    pub maint_liability_weight_bps: u32,
    /// Liquidation bonus at the edge of maintenance, bps.
    pub min_bonus_bps: u32,
    /// Liquidation bonus at depth, bps.
    pub max_bonus_bps: u32,
    /// Insurance fee on liquidations of this collateral, bps of the debt cleared: paid by the liquidator in the
    /// debt token, into the debt bank's insurance vault.
    pub insurance_fee_bps: u32,
    /// Share of borrow interest kept for the insurance vault, bps.
    pub protocol_fee_bps: u32,
    /// Largest borrows / deposits after a borrow or withdraw, bps.
    pub max_utilization_bps: u32,
    /// Interest curve, bps: zero, kink0 utilization and rate, kink1 utilization and rate, max.
    pub curve: [u32; 6],
}

/// A bank's caps and dust threshold, native units. Stored as is in the zero-copy [`Bank`] (3 × u64).
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable,
)]
#[repr(C)]
pub struct LimitParams {
    /// Largest Σ deposits, native units.
    pub deposit_cap: u64,
    /// Largest Σ debts, native units.
    pub borrow_cap: u64,
    /// A debt left below this is closed in full by a liquidation, native units.
    pub dust_threshold: u64,
}

/// A bank's dynamic Init margin (margin_risk::dynamic), bps; all 0 (a bank listed before it existed): off.
/// Stored as is in the zero-copy [`Bank`] (3 × u32, in what was reserved space).
#[derive(
    AnchorSerialize,
    AnchorDeserialize,
    InitSpace,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
#[repr(C)]
pub struct DynamicParams {
    /// Extra Init haircut per bp of spot–EMA divergence, bps.
    pub divergence_multiplier_bps: u32,
    /// Extra Init haircut per bp of confidence expansion (conf/price above its EMA's), bps.
    pub expansion_multiplier_bps: u32,
    /// Cap of the extra Init haircut, bps of the price.
    pub max_extra_bps: u32,
}

/// A bank's fallback price source (issue 25): a Switchboard On-Demand pull feed, read when the bank's Pyth price
/// cannot be used and to confirm it (`margin_risk::fallback::choose_price`). Set by a timelocked proposal
/// (`propose_fallback_oracle`); the zero address (banks listed before it): none.
#[derive(
    AnchorSerialize,
    AnchorDeserialize,
    InitSpace,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
#[repr(C)]
pub struct FallbackOracle {
    /// Largest gap between the two sources' prices, bps of the lower, at which new risk may still be opened
    /// (at most `margin_risk::fallback::MAX_DIVERGENCE_BPS`).
    pub max_divergence_bps: u32,
    /// The pull feed account (owned by the Switchboard On-Demand program), or the zero address for none.
    pub price_account: Pubkey,
}

impl FallbackOracle {
    /// Whether a fallback is set.
    pub fn is_set(&self) -> bool {
        self.price_account != Pubkey::default()
    }
}

/// A bank's correlation group (issue 26, `margin_risk::portfolio`): zero (banks listed before it) is none.
#[derive(
    AnchorSerialize,
    AnchorDeserialize,
    InitSpace,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
#[repr(C)]
pub struct CorrelationParams {
    /// The correlation group (0: none, margined alone): the id + 1 of the proposal that formed it, so banks
    /// formed by different proposals never share scenarios.
    pub group_id: u64,
    /// The multiple of the moves Init and LiqEnd use, bps (10,000 to 30,000).
    pub init_scale_bps: u32,
    /// Alignment.
    pub padding: u32,
    /// The bank's price move in each of the group's scenarios, bps (signed, within ±10,000).
    pub moves_bps: [i16; 16],
}

impl CorrelationParams {
    /// The membership margin-risk's group rule reads.
    pub fn membership(&self) -> margin_risk::portfolio::GroupMembership {
        margin_risk::portfolio::GroupMembership {
            group: self.group_id,
            moves_bps: self.moves_bps,
            init_scale_bps: if self.group_id == 0 { 10_000 } else { self.init_scale_bps },
        }
    }
}

/// A bank's size-aware Init weights (issue 26, `margin_risk::size`): zero (banks listed before it) is off.
#[derive(
    AnchorSerialize,
    AnchorDeserialize,
    InitSpace,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
#[repr(C)]
pub struct SizeParams {
    /// The Init value of a position a liquidation can sell into at the bonus, quote units.
    pub depth_quote: u64,
    /// The extra Init haircut of the part of a position beyond the depth, bps (0: off).
    pub excess_haircut_bps: u32,
    /// Alignment.
    pub padding: u32,
}

/// A bank's governable parameters: what a proposal or an instant tightening sets, each classified in
/// `margin_risk::governance::PARAMETER_TABLE` ([`BankParams::values`] lists them in its order). The bank stores
/// `risk` and `limits` as they are, and the status as its byte.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankParams {
    /// Rates, weights, oracle limits, fees.
    pub risk: RiskParams,
    /// Caps and dust threshold.
    pub limits: LimitParams,
    /// What the bank accepts.
    pub status: BankStatus,
    /// Init haircuts that grow while the market moves.
    pub dynamic: DynamicParams,
    /// Init weights that shrink beyond the depth a liquidation can sell into.
    pub size: SizeParams,
}

impl BankStatus {
    /// The status stored as `value`, or `InvalidBankStatus`.
    pub fn from_stored(value: u8) -> Result<BankStatus> {
        match value {
            0 => Ok(BankStatus::Active),
            1 => Ok(BankStatus::ReduceOnly),
            2 => Ok(BankStatus::Paused),
            _ => err!(MarginError::InvalidBankStatus),
        }
    }
}

impl BankParams {
    /// The values in `margin_risk::governance::Parameter` order.
    pub fn values(&self) -> ParameterValues {
        let [zero, kink0_util, kink0_rate, kink1_util, kink1_rate, max_rate] = self.risk.curve.map(u64::from);
        [
            self.risk.max_age_seconds.into(),
            self.risk.max_conf_open_bps.into(),
            self.risk.max_conf_liquidation_bps.into(),
            self.risk.conf_multiplier_init_bps.into(),
            self.risk.conf_multiplier_maint_bps.into(),
            self.risk.max_conf_discount_bps.into(),
            self.risk.init_asset_weight_bps.into(),
            self.risk.maint_asset_weight_bps.into(),
            self.risk.init_liability_weight_bps.into(),
            self.risk.maint_liability_weight_bps.into(),
            self.risk.min_bonus_bps.into(),
            self.risk.max_bonus_bps.into(),
            self.risk.insurance_fee_bps.into(),
            self.risk.protocol_fee_bps.into(),
            self.risk.max_utilization_bps.into(),
            zero,
            kink0_util,
            kink0_rate,
            kink1_util,
            kink1_rate,
            max_rate,
            self.limits.deposit_cap,
            self.limits.borrow_cap,
            self.limits.dust_threshold,
            u64::from(self.status as u8),
            self.dynamic.divergence_multiplier_bps.into(),
            self.dynamic.expansion_multiplier_bps.into(),
            self.dynamic.max_extra_bps.into(),
            self.size.depth_quote,
            self.size.excess_haircut_bps.into(),
        ]
    }
}

/// A bank's listing as `propose_listing` takes it: the pinned feed, the isolation flag (both fixed for the
/// bank's life) and its first parameters.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankConfig {
    /// Pyth feed id the price account must carry.
    pub feed_id: [u8; 32],
    /// Usable only inside isolated accounts.
    pub isolated_only: bool,
    /// The governable parameters.
    pub params: BankParams,
}

/// One bank. Zero-copy: health reads up to 16 of these per instruction.
#[account(zero_copy)]
#[repr(C)]
pub struct Bank {
    /// The group.
    pub group: Pubkey,
    /// The token mint.
    pub mint: Pubkey,
    /// SPL Token or Token-2022: the mint's owner.
    pub token_program: Pubkey,
    /// Token vault PDA holding deposits.
    pub vault: Pubkey,
    /// Insurance vault PDA, same mint.
    pub insurance_vault: Pubkey,
    /// The pinned Pyth `PriceUpdateV2` account.
    pub price_account: Pubkey,
    /// The pinned Pyth feed id.
    pub feed_id: [u8; 32],
    /// Σ deposit shares.
    pub deposit_shares: u64,
    /// Σ borrow shares.
    pub borrow_shares: u64,
    /// Native units per deposit share, scaled by `margin_risk::interest::INDEX_SCALE`.
    pub deposit_index: u64,
    /// Native units per borrow share, scaled likewise.
    pub borrow_index: u64,
    /// Caps and dust threshold, native units.
    pub limits: LimitParams,
    /// Protocol fees accrued in the vault, owed to the insurance vault, native units.
    pub pending_insurance_fees: u64,
    /// Unix seconds of the last accrual.
    pub last_accrual: i64,
    /// Rates, weights, oracle limits and fees, bps or seconds.
    pub risk: RiskParams,
    /// Mint decimals.
    pub decimals: u8,
    /// [`BankStatus`] as u8.
    pub status: u8,
    /// 1 when usable only in isolated accounts.
    pub isolated_only: u8,
    /// Canonical bumps: bank, vault, insurance vault.
    pub bump: u8,
    pub vault_bump: u8,
    pub insurance_bump: u8,
    pub padding: [u8; 6],
    /// Unix seconds of the listing or of the last executed proposal that changed this bank.
    pub last_governance_change: i64,
    /// With status paused: paused while the clock is before this, unix seconds; reduce-only after.
    pub paused_until: i64,
    /// Publish time of the newest price this bank used in an instruction that wrote it, unix seconds: an
    /// older price is refused (`PriceOlderThanLastUsed`).
    pub last_price_publish_time: i64,
    /// Bad debt written off that neither insurance nor depositors could cover (a loss larger than the
    /// deposits), native units: the vault is short by this much.
    pub unbooked_bad_debt: u64,
    /// Dynamic Init margin (zero in banks listed before it: off).
    pub dynamic: DynamicParams,
    /// Fallback price source (zero in banks listed before it: none).
    pub fallback: FallbackOracle,
    /// Size-aware Init weights (zero in banks listed before them: off).
    pub size: SizeParams,
    /// Correlation group membership (zero in banks listed before it: none); set by
    /// `execute_correlation_group`.
    pub correlation: CorrelationParams,
    /// Room for later state without a migration.
    pub reserved: [u8; 32],
}

impl Bank {
    /// Writes parameters (validated by [`Bank::validate_params`] first).
    pub fn apply_params(&mut self, params: &BankParams) {
        (self.risk, self.limits, self.status) = (params.risk, params.limits, params.status as u8);
        self.dynamic = params.dynamic;
        self.size = params.size;
    }

    /// Parameters from values in `margin_risk::governance::Parameter` order (the inverse of
    /// [`BankParams::values`]); `InvalidBankStatus` for an unknown status value.
    pub fn params_from_values(values: &ParameterValues) -> Result<BankParams> {
        let narrow = |value: u64| u32::try_from(value).map_err(|_| error!(MarginError::MathOverflow));
        let mut risk = <RiskParams as bytemuck::Zeroable>::zeroed();
        let fields = [
            &mut risk.max_age_seconds,
            &mut risk.max_conf_open_bps,
            &mut risk.max_conf_liquidation_bps,
            &mut risk.conf_multiplier_init_bps,
            &mut risk.conf_multiplier_maint_bps,
            &mut risk.max_conf_discount_bps,
            &mut risk.init_asset_weight_bps,
            &mut risk.maint_asset_weight_bps,
            &mut risk.init_liability_weight_bps,
            &mut risk.maint_liability_weight_bps,
            &mut risk.min_bonus_bps,
            &mut risk.max_bonus_bps,
            &mut risk.insurance_fee_bps,
            &mut risk.protocol_fee_bps,
            &mut risk.max_utilization_bps,
        ];
        let curve_start = fields.len();
        for (field, value) in fields.into_iter().zip(values) {
            *field = narrow(*value)?;
        }
        for (rate, value) in risk.curve.iter_mut().zip(&values[curve_start..]) {
            *rate = narrow(*value)?;
        }
        let [deposit_cap, borrow_cap, dust_threshold, status, divergence, expansion, max_extra, depth, haircut] =
            values[curve_start + 6..]
        else {
            return err!(MarginError::MathOverflow);
        };
        let status =
            BankStatus::from_stored(u8::try_from(status).map_err(|_| error!(MarginError::InvalidBankStatus))?)?;
        let dynamic = DynamicParams {
            divergence_multiplier_bps: narrow(divergence)?,
            expansion_multiplier_bps: narrow(expansion)?,
            max_extra_bps: narrow(max_extra)?,
        };
        let size = SizeParams { depth_quote: depth, excess_haircut_bps: narrow(haircut)?, padding: 0 };
        Ok(BankParams { risk, limits: LimitParams { deposit_cap, borrow_cap, dust_threshold }, status, dynamic, size })
    }

    /// The bank's governable parameters as they stand (a stored status is always one the program wrote).
    pub fn params(&self) -> BankParams {
        let status = BankStatus::from_stored(self.status).unwrap_or(BankStatus::Paused);
        BankParams { risk: self.risk, limits: self.limits, status, dynamic: self.dynamic, size: self.size }
    }

    /// Every parameter valid by margin-risk: weights ordered, k_init ≥ k_maint, limits ordered, curve
    /// increasing, bonus and fee within the maint weight, fees and utilization ≤ 100 %, a known status, and a
    /// dust threshold above 0 (0 switches the dust defences off; issue 21, finding 10).
    pub fn validate_params(params: &BankParams) -> Result<()> {
        require!(params.limits.dust_threshold > 0, MarginError::InvalidDustThreshold);
        let mut probe = <Bank as bytemuck::Zeroable>::zeroed();
        probe.apply_params(params);
        probe.oracle_config().validate().risk()?;
        probe.dynamic_margin().validate().risk()?;
        probe.weights().validate().risk()?;
        probe.interest_curve().validate().risk()?;
        probe.liquidation_config().validate(params.risk.maint_asset_weight_bps).risk()?;
        require!(u64::from(params.risk.protocol_fee_bps) <= margin_risk::math::BPS, MarginError::InvalidInterestCurve);
        require!(
            u64::from(params.risk.max_utilization_bps) <= margin_risk::math::BPS,
            MarginError::InvalidInterestCurve
        );
        Ok(())
    }

    /// The oracle settings as margin-risk takes them.
    pub fn oracle_config(&self) -> OracleConfig {
        OracleConfig {
            max_age_seconds: self.risk.max_age_seconds,
            max_conf_open_bps: self.risk.max_conf_open_bps,
            max_conf_liquidation_bps: self.risk.max_conf_liquidation_bps,
            conf_multiplier_init_bps: self.risk.conf_multiplier_init_bps,
            conf_multiplier_maint_bps: self.risk.conf_multiplier_maint_bps,
            max_conf_discount_bps: self.risk.max_conf_discount_bps,
        }
    }

    /// The dynamic Init margin as margin-risk takes it.
    pub fn dynamic_margin(&self) -> margin_risk::dynamic::DynamicMargin {
        margin_risk::dynamic::DynamicMargin {
            divergence_multiplier_bps: self.dynamic.divergence_multiplier_bps,
            expansion_multiplier_bps: self.dynamic.expansion_multiplier_bps,
            max_extra_bps: self.dynamic.max_extra_bps,
        }
    }

    /// The risk weights, with the size rule.
    pub fn weights(&self) -> RiskWeights {
        RiskWeights {
            init_asset_bps: self.risk.init_asset_weight_bps,
            maint_asset_bps: self.risk.maint_asset_weight_bps,
            init_liability_bps: self.risk.init_liability_weight_bps,
            maint_liability_bps: self.risk.maint_liability_weight_bps,
            size: margin_risk::size::SizeRule {
                depth_quote: self.size.depth_quote,
                excess_haircut_bps: self.size.excess_haircut_bps,
            },
        }
    }

    /// The liquidation bonus and fee of this bank as collateral.
    pub fn liquidation_config(&self) -> LiquidationConfig {
        LiquidationConfig {
            min_bonus_bps: self.risk.min_bonus_bps,
            max_bonus_bps: self.risk.max_bonus_bps,
            insurance_fee_bps: self.risk.insurance_fee_bps,
        }
    }

    /// The interest curve.
    pub fn interest_curve(&self) -> InterestCurve {
        let [zero_rate_bps, kink0_util_bps, kink0_rate_bps, kink1_util_bps, kink1_rate_bps, max_rate_bps] =
            self.risk.curve;
        InterestCurve { zero_rate_bps, kink0_util_bps, kink0_rate_bps, kink1_util_bps, kink1_rate_bps, max_rate_bps }
    }

    /// Caps and max utilization.
    pub fn limits(&self) -> BankLimits {
        BankLimits {
            deposit_cap: self.limits.deposit_cap,
            borrow_cap: self.limits.borrow_cap,
            max_utilization_bps: self.risk.max_utilization_bps,
        }
    }

    /// Share totals and indices.
    pub fn totals(&self) -> BankTotals {
        BankTotals {
            deposit_shares: self.deposit_shares,
            borrow_shares: self.borrow_shares,
            deposit_index: self.deposit_index,
            borrow_index: self.borrow_index,
        }
    }

    /// Writes back share totals and indices.
    pub fn set_totals(&mut self, totals: &BankTotals) {
        self.deposit_shares = totals.deposit_shares;
        self.borrow_shares = totals.borrow_shares;
        self.deposit_index = totals.deposit_index;
        self.borrow_index = totals.borrow_index;
    }

    /// Whether the bank accepts actions that add to it (deposit, borrow).
    pub fn is_active(&self) -> bool {
        self.status == BankStatus::Active as u8
    }

    /// Whether the bank accepts nothing but repay and liquidation at `now`: status paused and its bounded
    /// pause still running.
    pub fn is_paused(&self, now: i64) -> bool {
        self.status == BankStatus::Paused as u8 && now < self.paused_until
    }

    /// Writes `params` (validated first by the caller) at `now`. A move into status paused starts a pause
    /// of the group's longest pause (`pause`), after which the bank acts as reduce-only.
    pub fn set_params(
        &mut self,
        params: &BankParams,
        now: i64,
        pause: &margin_risk::governance::PauseLimits,
    ) -> Result<()> {
        if params.status == BankStatus::Paused && self.status != BankStatus::Paused as u8 {
            self.paused_until = margin_risk::governance::bank_paused_until(now, pause).risk()?;
        }
        self.apply_params(params);
        Ok(())
    }
}

impl Bank {
    /// Accrues interest up to `now` (unix seconds) with margin-risk; the protocol fee is added to the
    /// fees owed to the insurance vault. A clock behind the last accrual accrues nothing.
    pub fn accrue(&mut self, now: i64) -> Result<margin_risk::interest::Accrual> {
        let elapsed = u64::try_from(now.saturating_sub(self.last_accrual)).unwrap_or(0);
        let mut totals = self.totals();
        let accrual =
            margin_risk::interest::accrue(&mut totals, &self.interest_curve(), self.risk.protocol_fee_bps, elapsed)
                .risk()?;
        self.set_totals(&totals);
        self.pending_insurance_fees =
            margin_risk::math::add(self.pending_insurance_fees, accrual.protocol_fee_tokens).risk()?;
        self.last_accrual = self.last_accrual.max(now);
        Ok(accrual)
    }

    /// [`Bank::accrue`] for a bank the instruction writes, at address `key`: emits `InterestAccrued` when time
    /// has passed since the last accrual (every accrual that moves the indices or the fees is an event).
    pub fn accrue_and_emit(&mut self, key: &Pubkey, now: i64) -> Result<margin_risk::interest::Accrual> {
        let elapsed = now > self.last_accrual;
        let accrual = self.accrue(now)?;
        if elapsed {
            crate::events::emit_event(crate::events::InterestAccrued {
                bank: *key,
                borrow_rate_bps: accrual.borrow_rate_bps,
                interest: accrual.interest_tokens,
                protocol_fee: accrual.protocol_fee_tokens,
                deposit_index: self.deposit_index,
                borrow_index: self.borrow_index,
            });
        }
        Ok(accrual)
    }

    /// Records `publish_time` as the newest price this bank used (it never moves back).
    pub fn record_price_time(&mut self, publish_time: i64) {
        self.last_price_publish_time = self.last_price_publish_time.max(publish_time);
    }

    /// A copy of the bank with interest accrued to `now`, for reading a bank the instruction does not write:
    /// every health check values every position at its indices as of now.
    pub fn accrued_to(&self, now: i64) -> Result<Bank> {
        let mut copy = *self;
        if now > self.last_accrual {
            copy.accrue(now)?;
        }
        Ok(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored u8, Borsh byte and enum agree: 0 active, 1 reduce-only, 2 paused; anything else is refused.
    #[test]
    fn bank_statuses_round_trip_through_their_stored_byte() {
        for status in [BankStatus::Active, BankStatus::ReduceOnly, BankStatus::Paused] {
            assert_eq!(BankStatus::from_stored(status as u8).unwrap(), status);
            let mut bytes = Vec::new();
            status.serialize(&mut bytes).unwrap();
            assert_eq!(bytes, vec![status as u8]);
        }
        assert_eq!((BankStatus::ReduceOnly as u8, BankStatus::Paused as u8), (1, 2));
        assert!(BankStatus::from_stored(3).is_err());
    }

    /// The bank embeds its parameters as they are: the parameter groups have no padding, so their Borsh
    /// encoding (instruction arguments, IDL) and their bytes in the zero-copy bank are the same.
    #[test]
    fn parameter_groups_encode_the_same_in_borsh_and_in_the_bank() {
        let params = sample_params();
        let mut borsh = Vec::new();
        params.risk.serialize(&mut borsh).unwrap();
        assert_eq!(borsh, bytemuck::bytes_of(&params.risk));
        let mut borsh = Vec::new();
        params.limits.serialize(&mut borsh).unwrap();
        assert_eq!(borsh, bytemuck::bytes_of(&params.limits));
        let mut borsh = Vec::new();
        params.size.serialize(&mut borsh).unwrap();
        assert_eq!(borsh, bytemuck::bytes_of(&params.size));
        assert_eq!((core::mem::size_of::<RiskParams>(), core::mem::size_of::<LimitParams>()), (84, 24));
        let mut bank = <Bank as bytemuck::Zeroable>::zeroed();
        bank.apply_params(&params);
        assert_eq!(bank.params(), params);
        assert_eq!(Bank::params_from_values(&params.values()).unwrap(), params, "values round-trip");
    }

    fn sample_params() -> BankParams {
        let mut risk = <RiskParams as bytemuck::Zeroable>::zeroed();
        (risk.max_age_seconds, risk.init_asset_weight_bps, risk.curve) = (60, 8_000, [1, 2, 3, 4, 5, 6]);
        let limits = LimitParams { deposit_cap: u64::MAX, borrow_cap: 7, dust_threshold: 9 };
        let dynamic =
            DynamicParams { divergence_multiplier_bps: 10_000, expansion_multiplier_bps: 20_000, max_extra_bps: 1_000 };
        let size = SizeParams { depth_quote: 2_000_000_000_000, excess_haircut_bps: 2_500, padding: 0 };
        BankParams { risk, limits, status: BankStatus::ReduceOnly, dynamic, size }
    }
}
