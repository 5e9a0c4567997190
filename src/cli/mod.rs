//! Command-line interface: argument definitions and dispatch to commands.

mod args;
mod cluster;
mod dedup;
mod eval;
mod generate;
mod index;
mod merge;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command};

/// Parses arguments and runs the chosen command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return Ok(ExitCode::from(code));
        }
    };
    if let Some(threads) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| anyhow::anyhow!("cannot start {threads} threads: {e}"))?;
    }
    progress::show_timings(cli.timings);
    match cli.command {
        Command::Dedup(args) => dedup::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Cluster(args) => cluster::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::MergeEval(args) => merge::eval(&args),
        Command::Index(command) => index::run(&command),
        Command::Check(args) => index::check(&args),
    }
}
