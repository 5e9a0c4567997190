//! Progress bars on a terminal (indicatif); nothing when stderr is not one.
//! With `--timings`, each stage's wall time goes to stderr when it ends.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use newsdedup::progress::{Progress, Stage};

static TIMINGS: AtomicBool = AtomicBool::new(false);

/// Whether stages report their wall time (`--timings`).
pub fn show_timings(on: bool) {
    TIMINGS.store(on, Ordering::Relaxed);
}

/// Shows one bar per stage on stderr when it is a terminal.
pub struct Bars {
    enabled: bool,
    bar: Mutex<Option<ProgressBar>>,
    started: Mutex<Option<(Stage, Instant)>>,
}

impl Bars {
    pub fn new() -> Self {
        Bars {
            enabled: std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
            started: Mutex::new(None),
        }
    }
}

impl Progress for Bars {
    fn begin(&self, stage: Stage, total: Option<u64>) {
        if TIMINGS.load(Ordering::Relaxed) {
            *self.started.lock().expect("progress lock") = Some((stage, Instant::now()));
        }
        if !self.enabled {
            return;
        }
        let bytes = matches!(
            stage,
            Stage::LearnBoilerplate
                | Stage::Sign
                | Stage::Vectors
                | Stage::CompareCopies
                | Stage::Write
        );
        let template = if bytes {
            "{msg:>22} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
        } else {
            "{msg:>22} [{bar:30}] {pos}/{len} eta {eta}"
        };
        let bar = ProgressBar::new(total.unwrap_or(0));
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("templates are valid")
                .progress_chars("=> "),
        );
        bar.set_message(stage.to_string());
        *self.bar.lock().expect("progress lock") = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &*self.bar.lock().expect("progress lock") {
            bar.inc(n);
        }
    }

    fn end(&self) {
        if let Some(bar) = self.bar.lock().expect("progress lock").take() {
            bar.finish_and_clear();
        }
        if let Some((stage, at)) = self.started.lock().expect("progress lock").take() {
            eprintln!("{stage}: {:.2} s", at.elapsed().as_secs_f64());
        }
    }
}
