//! Program error codes to names and messages, from the program's IDL (`idl/margin.json`, generated from
//! `MarginError` and kept current by CI), plus the Anchor framework errors a client meets most.
use std::sync::OnceLock;

/// A decoded custom error of a margin instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramError {
    /// The custom error code (6000 + the variant's index for the program's own errors).
    pub code: u32,
    /// The variant's name, e.g. `InitHealthNegative`.
    pub name: String,
    /// What it means for the caller.
    pub message: String,
}

impl std::fmt::Display for ProgramError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} ({}): {}", self.name, self.code, self.message)
    }
}

fn program_errors() -> &'static [ProgramError] {
    static ERRORS: OnceLock<Vec<ProgramError>> = OnceLock::new();
    ERRORS.get_or_init(|| {
        let idl: serde_json::Value =
            serde_json::from_str(include_str!("../../../idl/margin.json")).expect("the IDL in idl/ is valid JSON");
        idl["errors"]
            .as_array()
            .expect("the IDL lists errors")
            .iter()
            .map(|error| ProgramError {
                code: error["code"].as_u64().expect("an error code") as u32,
                name: error["name"].as_str().expect("an error name").to_string(),
                message: error["msg"].as_str().unwrap_or_default().to_string(),
            })
            .collect()
    })
}

/// Anchor's framework errors that account checks raise (code, name, message).
const ANCHOR_ERRORS: &[(u32, &str, &str)] = &[
    (2000, "ConstraintMut", "a mut constraint was violated"),
    (2001, "ConstraintHasOne", "a has_one constraint was violated"),
    (2003, "ConstraintRaw", "a raw constraint was violated"),
    (2006, "ConstraintSeeds", "a seeds constraint was violated: wrong PDA"),
    (2012, "ConstraintAddress", "an address constraint was violated"),
    (2014, "ConstraintTokenMint", "a token mint constraint was violated"),
    (2015, "ConstraintTokenOwner", "a token owner constraint was violated"),
    (2040, "ConstraintDuplicateMutableAccount", "the same mutable account was passed twice"),
    (3001, "AccountDiscriminatorNotFound", "the account has no discriminator"),
    (3002, "AccountDiscriminatorMismatch", "the account is of another type"),
    (3006, "AccountNotMutable", "the account must be writable"),
    (3007, "AccountOwnedByWrongProgram", "the account is owned by another program"),
    (3010, "AccountNotSigner", "the account must sign"),
    (3012, "AccountNotInitialized", "the account does not exist"),
];

/// The name and message of custom error `code` of a margin instruction, or `None` for an unknown code.
pub fn describe(code: u32) -> Option<ProgramError> {
    if let Some(error) = program_errors().iter().find(|error| error.code == code) {
        return Some(error.clone());
    }
    ANCHOR_ERRORS.iter().find(|(known, _, _)| *known == code).map(|(code, name, message)| ProgramError {
        code: *code,
        name: name.to_string(),
        message: message.to_string(),
    })
}

/// The custom error code of a program error variant (what a failed transaction carries).
pub fn code(error: margin::errors::MarginError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + error as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use margin::errors::MarginError;

    #[test]
    fn every_program_error_is_named_with_its_message() {
        for error in [
            MarginError::MathOverflow,
            MarginError::InitHealthNegative,
            MarginError::GuardianCannotCancelItsReplacement,
            MarginError::NativeUnitTooValuable,
            MarginError::PriceOlderThanLastUsed,
            MarginError::InvalidDustThreshold,
            MarginError::CollateralVaultShort,
            MarginError::PriceAccountNotPushFeed,
        ] {
            let described = describe(code(error)).expect("a program error");
            assert_eq!(described.name, error.name());
            assert_eq!(described.message, error.to_string());
        }
        // The IDL lists every variant once, in code order: the engine's from 6000, the program's from 6100.
        let codes: Vec<u32> = program_errors().iter().map(|error| error.code).collect();
        assert!(codes.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(codes[0] == 6000 && codes.contains(&code(MarginError::GuardianCannotCancelItsReplacement)));
        assert_eq!(describe(3010).map(|error| error.name), Some("AccountNotSigner".to_string()));
        assert_eq!(describe(5999), None);
    }
}
