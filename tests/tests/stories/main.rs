//! The program's integration tests, grouped by story, in one test binary (one link of solana-program-test
//! instead of one per story). Run one story with `cargo test -p margin-tests --test stories <story>::`.
#![allow(deprecated)] // solana-program-test 3.1 marks its items "agave-unstable-api"

mod attacks;
mod audit_findings;
mod audit_round_3;
mod client_agrees;
mod correlation_groups;
mod dynamic_margin;
mod fallback_oracle;
mod fuzz;
mod governance;
mod governance_stories;
mod incidents;
mod largest_account;
mod lending;
mod liquidation;
mod setup;
mod size_aware_weights;
mod token_2022;
