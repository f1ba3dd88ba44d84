//! The native command line, `opimp`. Every error is one line on stderr and
//! exit code 2; nothing panics on bad input.

mod drive;
mod node;
pub mod files;
mod logits;
mod overrides;
mod science;
mod study;

use clap::{Parser, Subcommand};
use std::io::Write;

/// Measure how much a policy narrows the future (optimization) and how far
/// it moves it (impact), on the study's sequence.
#[derive(Parser, Debug)]
#[command(name = "opimp", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print N tokens of the sequence, comma-separated on one line.
    #[command(allow_negative_numbers = true)]
    Generate(science::GenerateArgs),
    /// Measure Op, Imp and their theoretical values for a scripted policy.
    #[command(allow_negative_numbers = true)]
    Measure(science::MeasureArgs),
    /// Differential Op and Imp of a system given as JSON: closed form and
    /// Monte Carlo.
    #[command(allow_negative_numbers = true)]
    Differential(science::DifferentialArgs),
    /// Pretrain, fine-tune and measure one model; print the results.
    #[command(allow_negative_numbers = true)]
    Train(study::TrainArgs),
    /// Run a whole study (a preset or a config file) on every core and write
    /// the results JSON the page imports. Re-running resumes.
    #[command(allow_negative_numbers = true)]
    Sweep(study::SweepArgs),
    /// Convert a results JSON file to CSV (one row per model and per
    /// scripted policy).
    Export(study::ExportArgs),
    /// Evaluate the post's claims on a results file: each holds, does not
    /// hold, or has too few models to tell, with the numbers behind it.
    Claims(study::ClaimsArgs),
    /// Print a saved model's logits and temperature-0 actions on its
    /// experiment's evaluation histories, as JSON.
    Logits(logits::LogitsArgs),
}

pub use study::summary;

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let help_for_missing = e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) || help_for_missing {
                let _ = e.print();
                return if help_for_missing { 2 } else { 0 };
            }
            // clap's message spans lines (a list of missing arguments, a
            // tip, usage); keep what comes before "Usage:" on one line.
            let text = e.render().to_string();
            let message = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
                .collect::<Vec<_>>()
                .join(" ");
            eprintln!("opimp: {} (see opimp --help)", message.trim_start_matches("error: "));
            return 2;
        }
    };
    let result = match cli.command {
        Command::Generate(a) => science::generate(a),
        Command::Measure(a) => science::measure(a),
        Command::Differential(a) => science::differential(a),
        Command::Train(a) => study::train(a),
        Command::Sweep(a) => study::sweep(a),
        Command::Export(a) => study::export(a),
        Command::Claims(a) => study::claims(a),
        Command::Logits(a) => logits::logits(a),
    };
    match result {
        Ok(text) if text.is_empty() => 0,
        Ok(text) => {
            // A closed pipe (opimp ... | head) is not an error worth a panic.
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            0
        }
        Err(msg) => {
            eprintln!("opimp: {}", msg.replace('\n', " "));
            2
        }
    }
}
