//! The program's one error enum. Append-only: codes are part of the interface clients and bots match on.
use anchor_lang::prelude::*;
use margin_risk::RiskError;

/// Every failure of the program. Codes start at Anchor's 6000.
#[error_code]
pub enum MarginError {
    // Risk-engine errors, in `margin_risk::RiskError` order (code 6000 + the engine's code).
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("division by zero")]
    DivisionByZero,
    #[msg("oracle price or EMA price is not positive")]
    NonPositivePrice,
    #[msg("oracle exponent out of range")]
    ExponentOutOfRange,
    #[msg("token decimals out of range")]
    DecimalsOutOfRange,
    #[msg("oracle price is older than the bank's maximum age")]
    StalePrice,
    #[msg("oracle publish time is in the future")]
    FuturePrice,
    #[msg("oracle confidence too wide for an action that adds risk")]
    ConfidenceTooWideToOpen,
    #[msg("oracle confidence too wide to liquidate on")]
    ConfidenceTooWideToLiquidate,
    #[msg("invalid oracle config")]
    InvalidOracleConfig,
    #[msg("invalid risk weights")]
    InvalidRiskWeights,
    #[msg("invalid interest curve")]
    InvalidInterestCurve,
    #[msg("invalid liquidation bonus or fee")]
    InvalidLiquidationConfig,
    #[msg("account is not liquidatable")]
    NotLiquidatable,
    #[msg("repaying this debt cannot raise the account's health")]
    LiquidationCannotImprove,
    #[msg("invalid debt/collateral position pair")]
    InvalidLiquidationPair,
    #[msg("no debt in the named position")]
    NoDebtToRepay,
    #[msg("no collateral in the named position")]
    NoCollateralToSeize,
    #[msg("amount must be positive")]
    ZeroAmount,
    #[msg("account is not bankrupt")]
    NotBankrupt,
    #[msg("loss exceeds the bank's deposits")]
    LossExceedsDeposits,
    #[msg("bank utilization would exceed its maximum")]
    UtilizationTooHigh,
    #[msg("bank deposit cap exceeded")]
    DepositCapExceeded,
    #[msg("bank borrow cap exceeded")]
    BorrowCapExceeded,
    #[msg("withdraw exceeds the deposit")]
    InsufficientDeposit,
    #[msg("repay exceeds the debt")]
    RepayExceedsDebt,
    #[msg("init health would be negative")]
    InitHealthNegative,
    #[msg("position index out of range")]
    PositionOutOfRange,
    #[msg("the change changes nothing")]
    NoChange,
    #[msg("only risk-reducing changes apply at once; propose this one")]
    NotRiskReducing,
    #[msg("a parameter moves further than the group's step bound")]
    StepOutOfBounds,
    #[msg("the bank changed too recently")]
    ChangeTooSoon,
    #[msg("the proposal's eta has not come")]
    ProposalNotReady,
    #[msg("the proposal has expired")]
    ProposalExpired,
    #[msg("pause longer than the group allows")]
    PauseTooLong,
    #[msg("too many pauses in a rolling day")]
    TooManyPauses,
    #[msg("the group is not paused")]
    NotPaused,
    #[msg("invalid governance settings")]
    InvalidGovernanceConfig,
    #[msg("the vault does not hold that many tokens free to withdraw")]
    InsufficientLiquidity,
    #[msg("the repay clears less than one debt share; repay more")]
    RepayBelowOneShare,
    #[msg("the token's price per native unit is outside the listable range")]
    PriceOutOfListingRange,
    #[msg("the deposit is worth less than one deposit share: deposit more")]
    DepositBelowOneShare,
    #[msg("one native unit of the token is worth more than $0.01: list a wrapper with more decimals")]
    NativeUnitTooValuable,
    #[msg("the price is older than the last one the bank used")]
    PriceOlderThanLastUsed,
    #[msg("the dust threshold is 0 or worth less than a cent at the listing price")]
    InvalidDustThreshold,
    #[msg("a correlation group needs 2 to 8 banks, moves within ±100 %, an Init scale of 1× to 3× and a de-peg scenario for every pair")]
    InvalidCorrelationGroup,
    // Program errors.
    #[msg("the price account is not the bank's pinned one")]
    WrongPriceAccount = 100,
    #[msg("the price account is not owned by the Pyth receiver program")]
    PriceAccountNotPyth,
    #[msg("the price account is not a PriceUpdateV2")]
    InvalidPriceAccount,
    #[msg("the price update is only partially verified")]
    PriceNotFullyVerified,
    #[msg("the price update's feed id is not the bank's")]
    WrongFeedId,
    #[msg("the mint has a Token-2022 extension the program does not support")]
    UnsupportedMintExtension,
    #[msg("the bank does not belong to this group")]
    WrongGroup,
    #[msg("remaining accounts must be, per position in account order, its bank then its price account")]
    BadRemainingAccounts,
    #[msg("the account has no free position")]
    NoFreePosition,
    #[msg("an isolated account holds at most one collateral bank and one debt bank")]
    IsolatedAccountFull,
    #[msg("this bank is usable only inside isolated accounts")]
    IsolatedOnlyBank,
    #[msg("the account has no position in this bank")]
    NoPosition,
    #[msg("the account still holds deposits or debts")]
    AccountNotEmpty,
    #[msg("a position holds a deposit and a debt at once; repay or withdraw first")]
    DepositAndDebtInOneBank,
    #[msg("an account cannot liquidate itself")]
    SelfLiquidation,
    #[msg("unknown account kind")]
    InvalidAccountKind,
    #[msg("the bank is not active for this action")]
    BankNotActive,
    #[msg("the token account's mint is not the bank's")]
    WrongMint,
    #[msg("the vault is not the bank's")]
    WrongVault,
    #[msg("unknown bank status")]
    InvalidBankStatus,
    #[msg("the group is paused: deposits, repays and withdrawals of accounts without debt only")]
    GroupPaused,
    #[msg("only the admin or the guardian may do this")]
    NotAdminOrGuardian,
    #[msg("the proposal is not pending")]
    ProposalNotPending,
    #[msg("the proposal does not match this instruction or its accounts")]
    WrongProposal,
    #[msg("the guardian cannot cancel a proposal that replaces the guardian")]
    GuardianCannotCancelItsReplacement,
    #[msg("the token program is not the one that owns the bank's mint")]
    WrongTokenProgram,
    #[msg("the signer is not the margin account's owner")]
    NotOwner,
    #[msg("the signer is not the group's admin")]
    NotAdmin,
    #[msg("the signer is not the group's guardian")]
    NotGuardian,
    #[msg("the collateral vault cannot pay the seizure: pass the liquidator's margin account to take it as a deposit")]
    CollateralVaultShort,
    #[msg("the price account is not the Pyth push-oracle feed account (shard 0) of the feed id")]
    PriceAccountNotPushFeed,
    #[msg("the fallback price account is not owned by the Switchboard On-Demand program")]
    FallbackNotSwitchboard,
    #[msg("the fallback price account is not a Switchboard pull feed with a result")]
    InvalidFallbackAccount,
    #[msg("the fallback price account is not the one the bank names")]
    WrongFallbackAccount,
    #[msg("a bank is named twice")]
    DuplicateBank,
}

impl From<RiskError> for MarginError {
    fn from(error: RiskError) -> Self {
        match error {
            RiskError::MathOverflow => MarginError::MathOverflow,
            RiskError::DivisionByZero => MarginError::DivisionByZero,
            RiskError::NonPositivePrice => MarginError::NonPositivePrice,
            RiskError::ExponentOutOfRange => MarginError::ExponentOutOfRange,
            RiskError::DecimalsOutOfRange => MarginError::DecimalsOutOfRange,
            RiskError::StalePrice => MarginError::StalePrice,
            RiskError::FuturePrice => MarginError::FuturePrice,
            RiskError::ConfidenceTooWideToOpen => MarginError::ConfidenceTooWideToOpen,
            RiskError::ConfidenceTooWideToLiquidate => MarginError::ConfidenceTooWideToLiquidate,
            RiskError::InvalidOracleConfig => MarginError::InvalidOracleConfig,
            RiskError::InvalidRiskWeights => MarginError::InvalidRiskWeights,
            RiskError::InvalidInterestCurve => MarginError::InvalidInterestCurve,
            RiskError::InvalidLiquidationConfig => MarginError::InvalidLiquidationConfig,
            RiskError::NotLiquidatable => MarginError::NotLiquidatable,
            RiskError::LiquidationCannotImprove => MarginError::LiquidationCannotImprove,
            RiskError::InvalidLiquidationPair => MarginError::InvalidLiquidationPair,
            RiskError::NoDebtToRepay => MarginError::NoDebtToRepay,
            RiskError::NoCollateralToSeize => MarginError::NoCollateralToSeize,
            RiskError::ZeroAmount => MarginError::ZeroAmount,
            RiskError::NotBankrupt => MarginError::NotBankrupt,
            RiskError::LossExceedsDeposits => MarginError::LossExceedsDeposits,
            RiskError::UtilizationTooHigh => MarginError::UtilizationTooHigh,
            RiskError::DepositCapExceeded => MarginError::DepositCapExceeded,
            RiskError::BorrowCapExceeded => MarginError::BorrowCapExceeded,
            RiskError::InsufficientDeposit => MarginError::InsufficientDeposit,
            RiskError::RepayExceedsDebt => MarginError::RepayExceedsDebt,
            RiskError::InitHealthNegative => MarginError::InitHealthNegative,
            RiskError::PositionOutOfRange => MarginError::PositionOutOfRange,
            RiskError::NoChange => MarginError::NoChange,
            RiskError::NotRiskReducing => MarginError::NotRiskReducing,
            RiskError::StepOutOfBounds => MarginError::StepOutOfBounds,
            RiskError::ChangeTooSoon => MarginError::ChangeTooSoon,
            RiskError::ProposalNotReady => MarginError::ProposalNotReady,
            RiskError::ProposalExpired => MarginError::ProposalExpired,
            RiskError::PauseTooLong => MarginError::PauseTooLong,
            RiskError::TooManyPauses => MarginError::TooManyPauses,
            RiskError::NotPaused => MarginError::NotPaused,
            RiskError::InvalidGovernanceConfig => MarginError::InvalidGovernanceConfig,
            RiskError::InsufficientLiquidity => MarginError::InsufficientLiquidity,
            RiskError::RepayBelowOneShare => MarginError::RepayBelowOneShare,
            RiskError::PriceOutOfListingRange => MarginError::PriceOutOfListingRange,
            RiskError::DepositBelowOneShare => MarginError::DepositBelowOneShare,
            RiskError::NativeUnitTooValuable => MarginError::NativeUnitTooValuable,
            RiskError::PriceOlderThanLastUsed => MarginError::PriceOlderThanLastUsed,
            RiskError::InvalidDustThreshold => MarginError::InvalidDustThreshold,
            RiskError::InvalidCorrelationGroup => MarginError::InvalidCorrelationGroup,
        }
    }
}

/// `?` on a risk-engine result inside an instruction.
pub trait RiskResultExt<T> {
    /// The risk error as the program's error.
    fn risk(self) -> Result<T>;
}

impl<T> RiskResultExt<T> for core::result::Result<T, RiskError> {
    fn risk(self) -> Result<T> {
        self.map_err(|error| error!(MarginError::from(error)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clients match on codes: a risk error's code is 6000 + its code in margin-risk, for every variant.
    #[test]
    fn risk_errors_keep_their_codes() {
        for code in 0..=RiskError::InvalidCorrelationGroup as u32 {
            let risk = risk_error(code);
            assert_eq!(MarginError::from(risk) as u32, code, "{risk:?}");
        }
        assert_eq!(MarginError::WrongPriceAccount as u32, 100);
        assert_eq!(MarginError::WrongVault as u32, 118, "program errors are append-only");
        assert_eq!(MarginError::InvalidBankStatus as u32, 119);
        assert_eq!(MarginError::GuardianCannotCancelItsReplacement as u32, 124);
        assert_eq!(MarginError::NotGuardian as u32, 128);
        assert_eq!(MarginError::PriceAccountNotPushFeed as u32, 130);
    }

    fn risk_error(code: u32) -> RiskError {
        use RiskError::*;
        [
            MathOverflow,
            DivisionByZero,
            NonPositivePrice,
            ExponentOutOfRange,
            DecimalsOutOfRange,
            StalePrice,
            FuturePrice,
            ConfidenceTooWideToOpen,
            ConfidenceTooWideToLiquidate,
            InvalidOracleConfig,
            InvalidRiskWeights,
            InvalidInterestCurve,
            InvalidLiquidationConfig,
            NotLiquidatable,
            LiquidationCannotImprove,
            InvalidLiquidationPair,
            NoDebtToRepay,
            NoCollateralToSeize,
            ZeroAmount,
            NotBankrupt,
            LossExceedsDeposits,
            UtilizationTooHigh,
            DepositCapExceeded,
            BorrowCapExceeded,
            InsufficientDeposit,
            RepayExceedsDebt,
            InitHealthNegative,
            PositionOutOfRange,
            NoChange,
            NotRiskReducing,
            StepOutOfBounds,
            ChangeTooSoon,
            ProposalNotReady,
            ProposalExpired,
            PauseTooLong,
            TooManyPauses,
            NotPaused,
            InvalidGovernanceConfig,
            InsufficientLiquidity,
            RepayBelowOneShare,
            PriceOutOfListingRange,
            DepositBelowOneShare,
            NativeUnitTooValuable,
            PriceOlderThanLastUsed,
            InvalidDustThreshold,
            InvalidCorrelationGroup,
        ][code as usize]
    }
}
