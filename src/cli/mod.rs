//! Command-line interface: argument definitions and dispatch to commands.

mod args;
mod cluster;
mod dedup;
mod eval;
mod extract;
mod generate;
mod index;
mod merge;
mod output;
mod progress;
mod stage;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command};

/// `--threads` beyond this many per core only adds start-up cost.
const MAX_THREADS_PER_CORE: usize = 4;

/// An error and its causes on one line: `newsdedup: error: what: cause: cause`.
pub fn one_line_error(err: &anyhow::Error) -> String {
    let text = err
        .chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    format!("newsdedup: error: {}", flatten(&text))
}

/// A command-line error without clap's usage block, on one line.
fn one_line_usage_error(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect();
    let message = message.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    format!("newsdedup: error: {} (see --help)", flatten(message))
}

/// Line breaks and tabs inside a message become spaces.
fn flatten(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses arguments and runs the chosen command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            eprintln!("{}", one_line_usage_error(&e));
            return Ok(ExitCode::from(2));
        }
        Err(e) => {
            let _ = e.print();
            return Ok(ExitCode::SUCCESS);
        }
    };
    if let Some(threads) = cli.threads {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let most = MAX_THREADS_PER_CORE * cores;
        if threads == 0 || threads > most {
            anyhow::bail!(
                "--threads {threads}: give 1 to {most} ({MAX_THREADS_PER_CORE} per core; this machine has {cores}), or leave it out for one per core"
            );
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| anyhow::anyhow!("cannot start {threads} threads: {e}"))?;
    }
    progress::show_timings(cli.timings);
    output::remove_staged_files_on_interrupt()?;
    match cli.command {
        Command::Dedup(args) => dedup::run(&args),
        Command::Extract(args) => extract::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Cluster(args) => cluster::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::MergeEval(args) => merge::eval(&args),
        Command::Index(command) => index::run(&command),
        Command::Check(args) => index::check(&args),
        Command::Stage(command) => stage::run(&command),
    }
}

/// Opens the corpus named on the command line; files a directory walk met
/// but does not read are counted on stderr (each is listed in the reports
/// as rejected: `unsupported_file` or `unreadable_file`).
pub fn open_corpus(
    inputs: &[String],
    reading: &args::ReadArgs,
) -> anyhow::Result<newsdedup::Corpus> {
    if inputs.is_empty() {
        anyhow::bail!(
            "no input given: name JSON Lines files, HTML pages, WARC files, directories, or - for stdin"
        );
    }
    let specs: Vec<newsdedup::InputSpec> = inputs
        .iter()
        .map(|s| newsdedup::InputSpec::parse(s))
        .collect();
    let corpus = newsdedup::Corpus::open_as(&specs, reading.input_format())?
        .with_max_bytes(reading.max_bytes);
    let skipped = corpus.files_not_read();
    if skipped > 0 {
        eprintln!(
            "newsdedup: {skipped} files in the input directories are not read (not .jsonl, .ndjson, .html, .htm, .warc, optionally .gz, or .txt; or unreadable): each is listed as rejected"
        );
    }
    Ok(corpus)
}
