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

/// A damaged index file can make redb panic, and a page the HTML crates
/// cannot handle could make them panic; the library catches both and
/// returns an error naming the file (or rejects the page with the reason),
/// so the panic itself is not printed. Every other panic is printed as usual.
fn quiet_storage_panics() {
    const CAUGHT: &[&str] = &[
        "redb-",
        "dom_smoothie-",
        "dom_query-",
        "html5ever-",
        "markup5ever-",
    ];
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let caught = info.location().is_some_and(|l| {
            let file = l.file();
            CAUGHT
                .iter()
                .any(|c| file.contains(&format!("/{c}")) || file.contains(&format!("\\{c}")))
        });
        if !caught {
            default(info);
        }
    }));
}
