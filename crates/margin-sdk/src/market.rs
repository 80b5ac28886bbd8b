//! What a market screen and an action form show, by the program's own code: a bank's price with its
//! confidence and the haircuts that confidence makes now, rates, utilization, caps and status; an account's
//! health after a deposit, withdraw, borrow or repay booked as the program books it; and the price at which
//! each collateral would make the account liquidatable.
use anchor_lang::prelude::Pubkey;
use margin::state::{Bank, BankStatus, Position};
use margin_risk::health::{Health, HealthPosition, HealthType, RiskWeights};
use margin_risk::interest::{deposit_rate_bps, max_borrow_by_bank, BankLimits};
use margin_risk::math::{mul_div, Rounding, BPS};
use margin_risk::portfolio::{account_health, account_liquidation_price};
use margin_risk::price::{OraclePrice, PythPrice, QUOTE_DECIMALS};

use crate::snapshot::Snapshot;
use crate::SdkError;

/// A bank's status as a trader meets it at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarketStatus {
    /// Every action.
    Active,
    /// Withdraw, repay and liquidation only (also a paused bank whose pause has run out).
    ReduceOnly,
    /// Repay and liquidation only, until `until` (unix seconds).
    Paused {
        /// When the pause ends.
        until: i64,
    },
}

/// A bank's price as the program reads it now: Pyth's own figures and the conservative prices it derives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketPrice {
    /// Pyth's price, confidence, EMA and publish time.
    pub pyth: PythPrice,
    /// Seconds since publication (0 when published ahead of the clock).
    pub age_seconds: i64,
    /// The validated prices per health type (the dynamic Init margin applied), or why the program would not
    /// use the price.
    pub prices: Result<OraclePrice, SdkError>,
    /// The extra Init haircut the bank's dynamic margin applies now, bps (0 when off or calm).
    pub dynamic_extra_bps: u64,
    /// Whether the bank's fallback feed prices it now (its Pyth price cannot be used): then nothing opens
    /// on it, and liquidations run on the fallback's price.
    pub on_fallback: bool,
}

/// One bank as a market screen shows it.
#[derive(Clone)]
pub struct Market {
    /// The bank's address.
    pub address: Pubkey,
    /// The bank, accrued to the snapshot's time.
    pub bank: Bank,
    /// The status now.
    pub status: MarketStatus,
    /// The price, or why it cannot be read (wrong account, not Pyth, not fully verified, …).
    pub price: Result<MarketPrice, SdkError>,
    /// Σ deposits and Σ debts, native units (deposits rounded down, debts up).
    pub deposits: u64,
    /// Σ debts, native units.
    pub borrows: u64,
    /// borrows / deposits, bps (rounded up).
    pub utilization_bps: u64,
    /// Borrow APR now, bps (rounded up).
    pub borrow_rate_bps: u64,
    /// Deposit APR now, bps (rounded down).
    pub deposit_rate_bps: u64,
    /// Caps and maximum utilization.
    pub limits: BankLimits,
    /// The most anyone may borrow from the bank now, native units (caps and utilization).
    pub borrowable: u64,
    /// The most anyone may deposit now, native units: the deposit cap less Σ deposits (0 at or over the cap).
    pub depositable: u64,
    /// Risk weights, bps.
    pub weights: RiskWeights,
}

/// A trader's action on one bank, in native units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Tokens in, deposit shares out (rounded down).
    Deposit(u64),
    /// Deposit shares burned (rounded up).
    Withdraw(u64),
    /// Debt shares booked (rounded up).
    Borrow(u64),
    /// Debt shares cleared (rounded down; all of them when the whole debt is repaid).
    Repay(u64),
}

/// Init, LiqEnd and Maint health, each or why it cannot be computed.
pub type Healths = [Result<Health, SdkError>; 3];

/// The three health types in [`Healths`]' order.
pub const HEALTH_TYPES: [HealthType; 3] = [HealthType::Init, HealthType::LiqEnd, HealthType::Maint];

impl Snapshot {
    /// The market of `bank` now.
    pub fn market(&self, bank: &Pubkey) -> Result<Market, SdkError> {
        let stored = self.banks.get(bank).ok_or(SdkError::UnknownBank(*bank))?;
        let accrued = stored.accrued_to(self.now).map_err(SdkError::from_anchor)?;
        let totals = accrued.totals();
        let utilization_bps = totals.utilization_bps()?;
        let borrow_rate_bps = accrued.interest_curve().borrow_rate_bps(utilization_bps)?;
        Ok(Market {
            address: *bank,
            status: status_at(&accrued, self.now),
            price: self.market_price(&accrued),
            deposits: totals.deposit_tokens()?,
            borrows: totals.borrow_tokens()?,
            utilization_bps,
            borrow_rate_bps,
            deposit_rate_bps: deposit_rate_bps(borrow_rate_bps, utilization_bps, accrued.risk.protocol_fee_bps)?,
            limits: accrued.limits(),
            borrowable: max_borrow_by_bank(&totals, &accrued.limits())?,
            depositable: accrued.limits.deposit_cap.saturating_sub(totals.deposit_tokens()?),
            weights: accrued.weights(),
            bank: accrued,
        })
    }

    fn market_price(&self, bank: &Bank) -> Result<MarketPrice, SdkError> {
        let (prices, pyth) = self.bank_price(bank)?;
        let on_fallback = prices.is_ok() && margin::oracle::check_price(&pyth, bank, self.now).is_err();
        let prices = prices.map_err(SdkError::from);
        let dynamic_extra_bps = margin_risk::dynamic::dynamic_extra_bps(&pyth, &bank.dynamic_margin())?;
        Ok(MarketPrice {
            pyth,
            age_seconds: self.now.saturating_sub(pyth.publish_time).max(0),
            prices,
            dynamic_extra_bps,
            on_fallback,
        })
    }

    /// The account's Init, LiqEnd and Maint health once `action` on `bank` is booked as the program books it
    /// (shares rounded its way, on the bank accrued to now), every other position unchanged. An action the
    /// booking refuses (more than the deposit or the debt, below one share) is that error.
    pub fn health_after(&self, account: &Pubkey, bank: &Pubkey, action: Action) -> Result<Healths, SdkError> {
        let positions = self.positions_after(account, bank, action)?;
        let memberships = self.memberships_with(account, bank)?;
        Ok(HEALTH_TYPES
            .map(|health_type| account_health(&positions, &memberships, health_type).map_err(SdkError::from)))
    }

    /// The account's positions as margin-risk sees them once `action` on `bank` is booked.
    pub fn positions_after(
        &self,
        account: &Pubkey,
        bank: &Pubkey,
        action: Action,
    ) -> Result<Vec<HealthPosition>, SdkError> {
        let (mut positions, index) = self.positions_with(account, bank)?;
        let state = self.banks.get(bank).ok_or(SdkError::UnknownBank(*bank))?;
        let mut totals = state.accrued_to(self.now).map_err(SdkError::from_anchor)?.totals();
        let held = self.account(account)?.used_positions().find(|position| position.bank == *bank).copied();
        let held = held.unwrap_or(Position { bank: *bank, deposit_shares: 0, borrow_shares: 0 });
        let (mut deposit_shares, mut borrow_shares) = (held.deposit_shares, held.borrow_shares);
        match action {
            Action::Deposit(amount) => {
                margin_risk::accounting::deposit(&mut deposit_shares, &mut totals, amount)?;
            }
            Action::Withdraw(amount) => {
                margin_risk::accounting::withdraw(&mut deposit_shares, &mut totals, amount)?;
            }
            Action::Borrow(amount) => {
                margin_risk::accounting::borrow(&mut borrow_shares, &mut totals, amount)?;
            }
            Action::Repay(amount) => {
                margin_risk::accounting::repay(&mut borrow_shares, &mut totals, amount)?;
            }
        }
        let position = &mut positions[index];
        position.deposit_tokens = margin_risk::interest::deposit_tokens_of(deposit_shares, totals.deposit_index)?;
        position.borrow_tokens = margin_risk::interest::borrow_tokens_of(borrow_shares, totals.borrow_index)?;
        Ok(positions)
    }

    /// The price of `bank`'s token, in USD per whole token, at which `account` becomes liquidatable (Maint
    /// below 0) with every other price held and the confidence keeping its ratio to the price; `None` when no
    /// price does (no debt this deposit backs) or the account holds no deposit there. margin-risk's
    /// [`liquidation_price`], exact to the price's scaled unit, rounded down to 10^-`digits` USD.
    pub fn liquidation_price_usd(&self, account: &Pubkey, bank: &Pubkey) -> Result<Option<String>, SdkError> {
        let state = self.account(account)?;
        let Some(index) = state.used_positions().position(|position| position.bank == *bank) else {
            return Ok(None);
        };
        let positions = self.health_positions(account)?;
        let Some(found) = account_liquidation_price(&positions, &self.memberships(account)?, index)? else {
            return Ok(None);
        };
        let scale = margin_risk::health::price_scale(&positions[index]);
        let decimals = self.banks.get(bank).ok_or(SdkError::UnknownBank(*bank))?.decimals;
        Ok(Some(usd_per_token(found, scale, decimals)))
    }
}

fn status_at(bank: &Bank, now: i64) -> MarketStatus {
    if bank.is_paused(now) {
        MarketStatus::Paused { until: bank.paused_until }
    } else if bank.status == BankStatus::Active as u8 {
        MarketStatus::Active
    } else {
        MarketStatus::ReduceOnly
    }
}

/// A price in quote units per native unit scaled by 10^`scale` as USD per whole token (`decimals`), exact:
/// the decimal point moved, no rounding (`"113.3446660000000"`).
pub fn usd_per_token(scaled: u64, scale: u8, decimals: u8) -> String {
    let places = i32::from(scale) + QUOTE_DECIMALS - i32::from(decimals);
    decimal(u128::from(scaled), places)
}

/// `mantissa · 10^-places` in decimal, exact.
pub fn decimal(mantissa: u128, places: i32) -> String {
    let digits = mantissa.to_string();
    if places <= 0 {
        return if mantissa == 0 {
            "0".into()
        } else {
            format!("{digits}{}", "0".repeat(places.unsigned_abs() as usize))
        };
    }
    let places = places as usize;
    let padded = format!("{digits:0>width$}", width = places + 1);
    let (whole, fraction) = padded.split_at(padded.len() - places);
    format!("{whole}.{fraction}")
}

/// A Pyth figure (mantissa · 10^exponent) in decimal, exact (`-` for a negative mantissa).
pub fn pyth_decimal(mantissa: i64, exponent: i32) -> String {
    let text = decimal(u128::from(mantissa.unsigned_abs()), -exponent);
    if mantissa < 0 {
        format!("-{text}")
    } else {
        text
    }
}

/// How far `adjusted` lies from `oracle`, in bps of `oracle`, rounded away from 0 (a haircut of an asset
/// price is negative, a markup of a liability price positive). 0 for an oracle price of 0.
pub fn haircut_bps(oracle: u64, adjusted: u64) -> Result<i64, SdkError> {
    if oracle == 0 {
        return Ok(0);
    }
    let gap = mul_div(oracle.abs_diff(adjusted), BPS, oracle, Rounding::Up)?;
    let gap = i64::try_from(gap).map_err(|_| SdkError::from(margin_risk::RiskError::MathOverflow))?;
    Ok(if adjusted < oracle { -gap } else { gap })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(decimal(1_133_446_660_000, 13), "0.1133446660000");
        assert_eq!(usd_per_token(1_133_446_660_000, 13, 9), "113.3446660000");
        assert_eq!(usd_per_token(1_000_000_000_000, 12, 6), "1.000000000000");
        assert_eq!(decimal(5, 0), "5");
        assert_eq!(decimal(5, -3), "5000");
        assert_eq!(decimal(0, -3), "0");
        assert_eq!(decimal(7, 3), "0.007");
        assert_eq!(pyth_decimal(-15_000_000_000, -8), "-150.00000000");
        assert_eq!(pyth_decimal(7_123, -8), "0.00007123");
    }

    #[test]
    fn haircuts_are_signed_and_rounded_away_from_zero() {
        assert_eq!(haircut_bps(10_000, 9_800), Ok(-200));
        assert_eq!(haircut_bps(10_000, 10_101), Ok(101));
        assert_eq!(haircut_bps(30_000, 29_999), Ok(-1)); // 0.33 bp, rounded up to 1
        assert_eq!(haircut_bps(0, 5), Ok(0));
        assert_eq!(haircut_bps(5, 5), Ok(0));
    }
}
