//! Test harness of the margin program: the program run natively in solana-program-test with real SPL Token,
//! Pyth `PriceUpdateV2` accounts written directly, and the clock moved at will.
#![allow(deprecated)] // solana-program-test 3.1 marks its items "agave-unstable-api"

pub mod actions;
pub mod env;
pub mod fixtures;
pub mod governance;
pub mod lookup;
pub mod market;
pub mod multisig;
pub mod random;
pub mod shrink;
pub mod tokens;

pub use margin_sdk::pyth;

pub use env::*;
pub use fixtures::*;
pub use lookup::size_and_locks;
pub use market::*;
pub use random::Random;
