//! Margin: cross and isolated margin accounts over SPL token banks.
//!
//! Placeholder until the program issue: the instructions land one file each under `instructions/`.
use anchor_lang::prelude::*;

declare_id!("FXtCumWauYfw5ve37BBrAwtqPMdu5X6FmCTjZruxRz4w");

#[program]
pub mod margin {}
