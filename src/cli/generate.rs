//! `newsdedup generate`: write the near-duplicate benchmark from real articles.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use newsdedup::bench::synth::{generate, SynthConfig};

use super::args::GenerateArgs;
use super::output::{self, Guard, Output};

pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let mut guard = Guard::default();
    guard.input(&args.from, "input")?;
    guard.output("-o", args.output.as_deref())?;
    let mut out = Output::create(args.output.as_deref())?;
    let originals = output::read_all(&args.from)?;
    let config = SynthConfig {
        tier: args.tier,
        variants: args.variants,
        seed: args.seed,
        scale: args.scale,
        long: args.long,
    };
    let name = out.name().to_path_buf();
    let mut count = 0usize;
    generate(&originals, &config, |value| -> anyhow::Result<()> {
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
        count += 1;
        Ok(())
    })
    .with_context(|| format!("cannot write {}", name.display()))?;
    out.commit()?;
    let left_out = newsdedup::bench::synth::OriginalLinks::find(&originals)
        .dropped
        .iter()
        .filter(|d| d.is_some())
        .count();
    eprintln!(
        "wrote {count} records from {} articles ({left_out} left out: they share >= 20% of their word 5-grams with an earlier one)",
        originals.len()
    );
    Ok(ExitCode::SUCCESS)
}
