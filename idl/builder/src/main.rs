//! Builds the margin program's IDL as `anchor idl build -p margin` (anchor-cli 1.2.2) does: the same
//! `anchor_lang_idl::build::IdlBuilder`, with Anchor.toml's settings (`resolution = true`, `skip-lint = false`,
//! docs kept), printed as pretty JSON. anchor-cli takes about fourteen minutes to install on a fresh machine;
//! this takes seconds to build. Used by `idl/check.sh`.
//!
//! Usage, from the repository root: `cargo run -p margin-idl -- <output.json>`.

use anchor_lang_idl::build::IdlBuilder;
use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let mut arguments = std::env::args().skip(1);
    let (Some(output), None) = (arguments.next(), arguments.next()) else {
        bail!("usage: margin-idl <output.json>");
    };
    // The builder re-runs cargo as `cargo +$RUSTUP_TOOLCHAIN` when that is set (as rustup sets it for what
    // `cargo run` starts), and spells that argument wrongly in anchor-lang-idl 0.1.4; the workspace's
    // rust-toolchain.toml picks the same toolchain without it.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    // From the working directory (idl/check.sh runs at the repository root), not from where this binary was
    // compiled: a build cache shared by several checkouts would otherwise read another checkout's program.
    let program_path = std::env::current_dir()?.join("programs/margin");
    let program_path =
        program_path.canonicalize().with_context(|| format!("no program at {}", program_path.display()))?;
    let idl = IdlBuilder::new().program_path(program_path).resolution(true).skip_lint(false).no_docs(false).build()?;
    std::fs::write(&output, serde_json::to_string_pretty(&idl)?).with_context(|| format!("cannot write {output}"))?;
    Ok(())
}
