//! The `newsdedup` binary: parses arguments, runs one command, reports errors
//! once with their causes, and maps the result to an exit code.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_storage_panics();
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("{}", cli::one_line_error(&err));
            ExitCode::from(2)
        }
    }
}

/// A reader that stopped reading (`| head`) ends the run quietly.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// A damaged index file can make redb panic; the library catches that and
/// returns an error naming the file, so the panic itself is not printed.
/// Every other panic is printed as usual.
fn quiet_storage_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_redb = info
            .location()
            .is_some_and(|l| l.file().contains("/redb-") || l.file().contains("\\redb-"));
        if !in_redb {
            default(info);
        }
    }));
}
