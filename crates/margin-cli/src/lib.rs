//! The `margin` command as a library: the scenario simulator and the trader commands, usable on any
//! `margin_sdk::chain::Chain` (the in-process chain in tests and simulations, JSON-RPC against a cluster).
pub mod chart;
pub mod deploy;
pub mod governance;
pub mod history;
pub mod keypair;
pub mod localnet;
pub mod output;
pub mod path;
pub mod report;
pub mod risk;
pub mod scenario;
pub mod sim;
pub mod trader;
