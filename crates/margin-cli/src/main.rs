//! `margin`: the scenario simulator on the real program (and, later, trader and governance commands).
mod chart;
mod output;
mod path;
mod report;
mod scenario;
mod sim;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "margin", version, about = "Margin: simulate the program on scenarios, in an in-process Solana bank")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a scenario (TOML) on the real program in an in-process bank; prints each step and a summary.
    Sim {
        /// The scenario file (see scenarios/).
        scenario: PathBuf,
        /// Also write the whole report as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also write a PNG chart here (price with confidence band, total health, bad debt).
        #[arg(long)]
        chart: Option<PathBuf>,
        /// Print every Nth step (0: only the summary).
        #[arg(long, default_value_t = 10)]
        every: usize,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // program-test logs every transaction at debug level unless told otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("margin: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Sim { scenario, json, chart, every, quiet } => {
            let (loaded, folder) = scenario::load(&scenario)?;
            let steps = loaded.steps as u64;
            // The program runs natively in this process and prints its logs to stdout; keep them out of ours.
            let mut out = output::Output::without_program_logs();
            let simulation = sim::Simulation::new(loaded, &folder).await?;
            let bar = if quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(steps) };
            let report = simulation
                .run(|row| {
                    if every > 0 && row.step % every == 0 {
                        bar.suspend(|| out.line(&report::Report::step_line(row)));
                    }
                    bar.inc(1);
                })
                .await?;
            bar.finish_and_clear();
            out.line(&report.summary_text());
            if let Some(path) = json {
                let text = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
                std::fs::write(&path, text).map_err(|error| format!("{}: {error}", path.display()))?;
            }
            if let Some(path) = chart {
                chart::write(&report, &path)?;
            }
            Ok(())
        }
    }
}
