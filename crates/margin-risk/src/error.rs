//! The one error type of the risk engine. Append-only: the program maps each variant to its own error code.

/// Every way a risk computation can refuse its input. Never a panic, never a silent clamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum RiskError {
    /// An intermediate or final value does not fit its integer type.
    MathOverflow = 0,
    /// A division by zero was asked for (an empty bank, a zero price or index).
    DivisionByZero = 1,
    /// The oracle price or EMA price is zero or negative.
    NonPositivePrice = 2,
    /// The oracle exponent is outside `[MIN_EXPONENT, MAX_EXPONENT]`.
    ExponentOutOfRange = 3,
    /// The token's decimals are above `MAX_TOKEN_DECIMALS`.
    DecimalsOutOfRange = 4,
    /// The price was published longer ago than the bank's maximum age.
    StalePrice = 5,
    /// The price's publish time is after the current clock.
    FuturePrice = 6,
    /// conf / price is above the bank's limit for actions that add risk.
    ConfidenceTooWideToOpen = 7,
    /// conf / price is above the bank's limit for liquidation: the price cannot be used at all.
    ConfidenceTooWideToLiquidate = 8,
    /// Oracle config out of range or unordered (limits, multipliers, age, discount cap).
    InvalidOracleConfig = 9,
    /// Risk weights out of range or unordered (init must be stricter than maint).
    InvalidRiskWeights = 10,
    /// Interest curve kinks not strictly increasing, rates decreasing, or a value out of range.
    InvalidInterestCurve = 11,
    /// Liquidation bonus bounds unordered, or bonus plus fee too large for the bank's maint asset weight.
    InvalidLiquidationConfig = 12,
    /// The account is not below maintenance (nor being liquidated and below its LiqEnd target).
    NotLiquidatable = 13,
    /// With these banks' weights and prices, repaying debt would not raise LiqEnd health.
    LiquidationCannotImprove = 14,
    /// The debt and collateral positions named are the same, or out of range.
    InvalidLiquidationPair = 15,
    /// The named debt position has no debt.
    NoDebtToRepay = 16,
    /// The named collateral position has no deposit.
    NoCollateralToSeize = 17,
    /// A zero amount where a positive one is required.
    ZeroAmount = 18,
    /// `resolve_bankruptcy` on an account that still has collateral, or no debt.
    NotBankrupt = 19,
    /// The loss to socialise is larger than what the bank's depositors hold.
    LossExceedsDeposits = 20,
    /// The action would put the bank above its maximum utilization.
    UtilizationTooHigh = 21,
    /// The action would put the bank's total deposits above its deposit cap.
    DepositCapExceeded = 22,
    /// The action would put the bank's total borrows above its borrow cap.
    BorrowCapExceeded = 23,
    /// A withdraw of more tokens than the position holds.
    InsufficientDeposit = 24,
    /// A repay of more tokens than the position owes.
    RepayExceedsDebt = 25,
    /// The account's Init health would be below zero after an action that adds risk.
    InitHealthNegative = 26,
    /// A position index beyond the account's positions.
    PositionOutOfRange = 27,
    /// A governance change that changes nothing.
    NoChange = 28,
    /// An instant change that is not risk-reducing in every parameter it moves.
    NotRiskReducing = 29,
    /// A risk-adding step larger than the group's bound for its parameter.
    StepOutOfBounds = 30,
    /// A change of a bank sooner after its last executed change than the group's minimum interval.
    ChangeTooSoon = 31,
    /// A proposal executed before its eta.
    ProposalNotReady = 32,
    /// A proposal executed at or after its expiry.
    ProposalExpired = 33,
    /// A pause longer than the group's limit.
    PauseTooLong = 34,
    /// More pauses in a rolling day than the group allows.
    TooManyPauses = 35,
    /// Lifting a pause when the group is not paused.
    NotPaused = 36,
    /// Governance settings out of range.
    InvalidGovernanceConfig = 37,
    /// A withdraw of more tokens than the vault holds beyond what is owed to the insurance vault.
    InsufficientLiquidity = 38,
    /// A liquidation's repay would clear less than one debt share, so it would clear no debt.
    RepayBelowOneShare = 39,
    /// A listing whose price per native unit is outside the range the engine prices to 6 significant digits
    /// (see `price::check_listing_price`: $10^-9 to $10^7 per whole token).
    PriceOutOfListingRange = 40,
    /// A deposit whose shares (rounded down) are worth nothing.
    DepositBelowOneShare = 41,
    /// One native unit of the token is worth more than [`crate::price::MAX_NATIVE_UNIT_DOLLARS_LOG10`]
    /// allows: rounding by a native unit per action would cost more than a cent.
    NativeUnitTooValuable = 42,
    /// The price was published before the last price the bank used: prices only move forward.
    PriceOlderThanLastUsed = 43,
    /// A dust threshold of 0 (it switches off the dust defences) or worth less than the listing minimum.
    InvalidDustThreshold = 44,
    /// A correlation group that is not 2 to 8 banks with moves within ±100 %, an Init scale of 1× to 3× and a
    /// de-peg scenario for every pair of its banks (`portfolio::validate_group`).
    InvalidCorrelationGroup = 45,
}

impl RiskError {
    /// A sentence for logs and client messages.
    pub const fn message(self) -> &'static str {
        match self {
            RiskError::MathOverflow => "arithmetic overflow",
            RiskError::DivisionByZero => "division by zero",
            RiskError::NonPositivePrice => "oracle price or EMA price is not positive",
            RiskError::ExponentOutOfRange => "oracle exponent out of range",
            RiskError::DecimalsOutOfRange => "token decimals out of range",
            RiskError::StalePrice => "oracle price is older than the bank's maximum age",
            RiskError::FuturePrice => "oracle publish time is in the future",
            RiskError::ConfidenceTooWideToOpen => "oracle confidence too wide for an action that adds risk",
            RiskError::ConfidenceTooWideToLiquidate => "oracle confidence too wide to liquidate on",
            RiskError::InvalidOracleConfig => "invalid oracle config",
            RiskError::InvalidRiskWeights => "invalid risk weights",
            RiskError::InvalidInterestCurve => "invalid interest curve",
            RiskError::InvalidLiquidationConfig => "invalid liquidation bonus or fee",
            RiskError::NotLiquidatable => "account is not liquidatable",
            RiskError::LiquidationCannotImprove => "repaying this debt cannot raise the account's health",
            RiskError::InvalidLiquidationPair => "invalid debt/collateral position pair",
            RiskError::NoDebtToRepay => "no debt in the named position",
            RiskError::NoCollateralToSeize => "no collateral in the named position",
            RiskError::ZeroAmount => "amount must be positive",
            RiskError::NotBankrupt => "account is not bankrupt",
            RiskError::LossExceedsDeposits => "loss exceeds the bank's deposits",
            RiskError::UtilizationTooHigh => "bank utilization would exceed its maximum",
            RiskError::DepositCapExceeded => "bank deposit cap exceeded",
            RiskError::BorrowCapExceeded => "bank borrow cap exceeded",
            RiskError::InsufficientDeposit => "withdraw exceeds the deposit",
            RiskError::RepayExceedsDebt => "repay exceeds the debt",
            RiskError::InitHealthNegative => "init health would be negative",
            RiskError::PositionOutOfRange => "position index out of range",
            RiskError::NoChange => "the change changes nothing",
            RiskError::NotRiskReducing => "only risk-reducing changes apply at once; propose this one",
            RiskError::StepOutOfBounds => "a parameter moves further than the group's step bound",
            RiskError::ChangeTooSoon => "the bank changed too recently",
            RiskError::ProposalNotReady => "the proposal's eta has not come",
            RiskError::ProposalExpired => "the proposal has expired",
            RiskError::PauseTooLong => "pause longer than the group allows",
            RiskError::TooManyPauses => "too many pauses in a rolling day",
            RiskError::NotPaused => "the group is not paused",
            RiskError::InvalidGovernanceConfig => "invalid governance settings",
            RiskError::InsufficientLiquidity => "the vault does not hold that many tokens free to withdraw",
            RiskError::RepayBelowOneShare => "the repay clears less than one debt share; repay more",
            RiskError::PriceOutOfListingRange => "the token's price per native unit is outside the listable range",
            RiskError::DepositBelowOneShare => "the deposit is worth less than one deposit share: deposit more",
            RiskError::NativeUnitTooValuable => {
                "one native unit of the token is worth more than $0.01: list a wrapper with more decimals"
            }
            RiskError::PriceOlderThanLastUsed => "the price is older than the last one the bank used",
            RiskError::InvalidDustThreshold => "the dust threshold is 0 or worth less than a cent at the listing price",
            RiskError::InvalidCorrelationGroup => {
                "a correlation group needs 2 to 8 banks, moves within ±100 %, an Init scale of 1× to 3× and a de-peg scenario for every pair"
            }
        }
    }
}

/// Result of every fallible risk computation.
pub type RiskResult<T> = core::result::Result<T, RiskError>;
