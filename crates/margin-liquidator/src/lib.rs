//! The margin program's liquidator bot. It keeps a book of the group (a full refresh by getProgramAccounts,
//! kept current by websocket updates), judges every account with the program's own health code through the
//! SDK's snapshot on each price change, sizes liquidations with the program's planner and ranks them by
//! estimated profit, then refetches, simulates, bids a priority fee and sends. Operators read
//! docs/guides/liquidator.md.
//!
//! - [`config`]: file, environment and flags.
//! - [`book`]: what the bot knows of the group.
//! - [`decide`]: health, ranking and sizing (pure, on a snapshot).
//! - [`act`]: refetch, simulate, send.
//! - [`feed`]: websocket subscriptions and the full refresh.
//! - [`service`]: the loop, reconnects, deduplication.
//! - [`metrics`] and [`server`]: Prometheus `/metrics` and `/healthz`.
pub mod act;
pub mod book;
pub mod config;
pub mod decide;
pub mod feed;
pub mod metrics;
pub mod server;
pub mod service;
