//! The program's events, decoded from a transaction's logs. On a cluster an event is a "Program data:
//! <base64>" line (Anchor's `emit!`); in the in-process chain the native syscall stubs print it, and the
//! [`crate::chain`] backend routes it into the log as "Program log: event: <hex>". Both are read here.
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use margin::events::*;

const DATA_PREFIX: &str = "Program data: ";
/// How the in-process chain writes an event into the log.
pub const NATIVE_PREFIX: &str = "Program log: event: ";

/// The bytes (discriminator, then Borsh body) of every event in `logs`, in order.
pub fn event_bytes(logs: &[String]) -> Vec<Vec<u8>> {
    logs.iter()
        .filter_map(|line| {
            if let Some(encoded) = line.strip_prefix(DATA_PREFIX) {
                base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()
            } else {
                line.strip_prefix(NATIVE_PREFIX).and_then(from_hex)
            }
        })
        .collect()
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|index| u8::from_str_radix(hex.get(index..index + 2)?, 16).ok()).collect()
}

/// The events of type `E` in `logs`, in order.
pub fn decode<E: AnchorDeserialize + Discriminator>(logs: &[String]) -> Vec<E> {
    event_bytes(logs)
        .iter()
        .filter_map(|bytes| E::deserialize(&mut bytes.strip_prefix(E::DISCRIMINATOR)?).ok())
        .collect()
}

macro_rules! margin_events {
    ($($name:ident),* $(,)?) => {
        /// Any event of the program. Unboxed: a proposal's event carries its action (a correlation group's
        /// moves, about 600 bytes), and events are decoded one at a time.
        #[allow(clippy::large_enum_variant)]
        pub enum MarginEvent {
            $(
                #[allow(missing_docs)]
                $name($name),
            )*
        }

        impl MarginEvent {
            /// The event in `bytes` (discriminator then Borsh body), or `None` for other data.
            pub fn from_bytes(bytes: &[u8]) -> Option<MarginEvent> {
                $(
                    if let Some(mut body) = bytes.strip_prefix($name::DISCRIMINATOR) {
                        return $name::deserialize(&mut body).ok().map(MarginEvent::$name);
                    }
                )*
                None
            }

            /// The event's name, as in the IDL.
            pub fn name(&self) -> &'static str {
                match self {
                    $(MarginEvent::$name(_) => stringify!($name),)*
                }
            }
        }
    };
}

margin_events!(
    GroupCreated,
    BankAdded,
    AccountOpened,
    AccountClosed,
    Deposited,
    Withdrawn,
    Borrowed,
    Repaid,
    InterestAccrued,
    Liquidated,
    BankruptcyResolved,
    ProposalCreated,
    ProposalCancelled,
    BankParamsChanged,
    GroupGovernanceChanged,
    GroupPaused,
    GroupUnpaused,
    LiquidationFlagCleared,
    FeesSwept,
    DepositForfeited,
    FallbackOracleChanged,
    CorrelationGroupChanged,
);

/// Every event of the program in `logs`, in order.
pub fn all(logs: &[String]) -> Vec<MarginEvent> {
    event_bytes(logs).iter().filter_map(|bytes| MarginEvent::from_bytes(bytes)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;
    use anchor_lang::AnchorSerialize;

    #[test]
    fn events_decode_from_both_log_forms_and_other_lines_are_skipped() {
        let event = GroupPaused {
            group: Pubkey::new_unique(),
            signer: Pubkey::new_unique(),
            duration_seconds: 60,
            paused_until: 42,
        };
        let mut bytes = GroupPaused::DISCRIMINATOR.to_vec();
        event.serialize(&mut bytes).unwrap();
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        let logs = vec![
            format!("{DATA_PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(&bytes)),
            "Program log: Instruction: PauseGroup".to_string(),
            format!("{NATIVE_PREFIX}{hex}"),
            format!("{NATIVE_PREFIX}zz"),
        ];
        let paused: Vec<GroupPaused> = decode(&logs);
        assert_eq!(paused.len(), 2);
        assert_eq!((paused[1].group, paused[1].paused_until), (event.group, 42));
        assert!(decode::<GroupUnpaused>(&logs).is_empty());
        let names: Vec<&str> = all(&logs).iter().map(MarginEvent::name).collect();
        assert_eq!(names, ["GroupPaused", "GroupPaused"]);
    }
}
