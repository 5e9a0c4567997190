//! `newsdedup index …` and `newsdedup check`: the persistent index for CI.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use newsdedup::dedup::Rejection;
use newsdedup::index::{Access, BatchOptions, EventQuery, Index, IndexSettings, Requested};
use newsdedup::report::check::{self as check_report, CheckFormat};
use newsdedup::Corpus;

use super::args::{
    CheckArgs, CheckFormatArg, IndexAddArgs, IndexCommand, IndexCompactArgs, IndexCreateArgs,
    IndexRemoveArgs, IndexStatsArgs, IndexVerifyArgs, LevelArg, WaitArgs,
};
use super::output::{self, Guard, Output};
use super::progress::Bars;

pub fn run(command: &IndexCommand) -> anyhow::Result<ExitCode> {
    match command {
        IndexCommand::Create(args) => create(args),
        IndexCommand::Add(args) => add(args),
        IndexCommand::Stats(args) => stats(args),
        IndexCommand::Remove(args) => remove(args),
        IndexCommand::Verify(args) => verify(args),
        IndexCommand::Compact(args) => compact(args),
    }
}

fn write_access(wait: &WaitArgs) -> Access {
    Access::Write {
        wait: wait.wait.map(Duration::from_secs),
    }
}

/// The incoming corpus, refused when one of its files is the index, and a
/// guard for the outputs.
fn corpus(
    inputs: &[String],
    reading: &super::args::ReadArgs,
    db: &Path,
) -> anyhow::Result<(Corpus, Guard)> {
    let corpus = super::open_corpus(inputs, reading)?;
    let mut guard = Guard::of_corpus(&corpus, inputs)?;
    guard.index(db)?;
    Ok((corpus, guard))
}

fn report_rejected(rejected: &[Rejection]) {
    for r in rejected {
        eprintln!("rejected {}: {}", r.location, r.reason);
    }
}

fn create(args: &IndexCreateArgs) -> anyhow::Result<ExitCode> {
    let config = args.matching.config();
    config.validate()?;
    let mut settings = IndexSettings::from_config(&config);
    if let Some(slots) = args.rare_slots {
        settings = settings.with_rare_slots(slots);
    }
    let index = Index::create_with_settings(&args.db, settings)?;
    eprintln!("created index {} ({})", args.db.display(), index.settings());
    Ok(ExitCode::SUCCESS)
}

fn add(args: &IndexAddArgs) -> anyhow::Result<ExitCode> {
    let (corpus, _) = corpus(&args.inputs, &args.reading, &args.db)?;
    let index = Index::open(&args.db, write_access(&args.wait))?;
    let options = BatchOptions {
        replace: args.replace,
        on_error: args.reading.on_error(),
    };
    let outcome = index.add(&corpus, options, &Bars::new())?;
    report_rejected(&outcome.batch.rejected);
    let held = index.stats()?.articles;
    eprintln!(
        "read {} records: {} added, {} unchanged, {} replaced, {} rejected; {} now holds {} articles",
        outcome.batch.stats.records,
        outcome.added,
        outcome.unchanged,
        outcome.replaced,
        outcome.batch.rejected.len(),
        args.db.display(),
        held
    );
    Ok(ExitCode::SUCCESS)
}

fn stats(args: &IndexStatsArgs) -> anyhow::Result<ExitCode> {
    let index = Index::open(&args.db, Access::Read)?;
    let s = index.stats()?;
    let text = if args.json {
        let json = serde_json::to_string_pretty(&s).context("cannot encode the statistics")?;
        format!("{json}\n")
    } else {
        let mb = |b: u64| b as f64 / (1 << 20) as f64;
        format!(
            "index           {}\nformat version  {}\narticles        {}\nsettings        {}\nband entries    {}\nslot entries    {}\nfile size       {:.1} MB ({:.1} MB in use)\n",
            args.db.display(),
            s.format_version,
            s.articles,
            s.settings,
            s.band_entries,
            s.slot_entries,
            mb(s.file_bytes),
            mb(s.stored_bytes)
        )
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn remove(args: &IndexRemoveArgs) -> anyhow::Result<ExitCode> {
    let index = Index::open(&args.db, write_access(&args.wait))?;
    let removed = index.remove(&args.ids)?;
    eprintln!(
        "removed {removed} articles; {} now holds {}",
        args.db.display(),
        index.stats()?.articles
    );
    Ok(ExitCode::SUCCESS)
}

fn compact(args: &IndexCompactArgs) -> anyhow::Result<ExitCode> {
    let mut index = Index::open(&args.db, write_access(&args.wait))?;
    let sizes = index.compact()?;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    eprintln!(
        "compacted {}: {:.1} MiB -> {:.1} MiB ({} articles)",
        args.db.display(),
        mib(sizes.bytes_before),
        mib(sizes.bytes_after),
        index.stats()?.articles
    );
    Ok(ExitCode::SUCCESS)
}

/// Every damaged record on stdout, one line each; a summary on stderr.
fn verify(args: &IndexVerifyArgs) -> anyhow::Result<ExitCode> {
    let index = Index::open(&args.db, Access::Read)?;
    let report = index.verify()?;
    if report.damage.is_empty() {
        output::print(&format!(
            "ok: {} articles, {} entries checked\n",
            report.articles, report.entries
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let lines: String = report
        .damage
        .iter()
        .map(|d| format!("damaged {d}\n"))
        .collect();
    output::print(&lines)?;
    eprintln!(
        "newsdedup: error: index {} is damaged: {} damaged records ({} articles, {} entries read); rebuild the index or restore a copy",
        args.db.display(),
        report.damage.len(),
        report.articles,
        report.entries
    );
    Ok(ExitCode::from(2))
}

pub fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let access = if args.add {
        write_access(&args.wait)
    } else {
        Access::Read
    };
    newsdedup::events::validate_event_threshold(args.event_threshold)
        .context("invalid settings")?;
    args.vectors
        .config()
        .validate()
        .context("invalid settings")?;
    let (corpus, mut guard) = corpus(&args.inputs, &args.reading, &args.db)?;
    guard.output("-o", args.output.as_deref())?;
    let mut report = Output::create(args.output.as_deref())?;
    let index = Index::open(&args.db, access)?;
    index.require(&Requested {
        threshold: args.threshold,
        containment: args.containment,
        num_perm: args.num_perm,
        ngram: args.ngram,
        seed: args.seed,
    })?;
    let options = BatchOptions {
        replace: args.replace,
        on_error: args.reading.on_error(),
    };
    let events = (args.level == LevelArg::Event).then(|| EventQuery {
        threshold: args.event_threshold,
        window_days: (args.window_days > 0).then_some(args.window_days),
        text_window_days: (args.text_window_days > 0).then_some(args.text_window_days),
        places: !args.no_places,
        vectors: args.vectors.config(),
    });
    let outcome = index.check(&corpus, args.add, events, options, &Bars::new())?;
    let format = match args.format {
        CheckFormatArg::Text => CheckFormat::Text,
        CheckFormatArg::Json => CheckFormat::Json,
        CheckFormatArg::Junit => CheckFormat::Junit,
        CheckFormatArg::Github => CheckFormat::Github,
    };
    let name = report.name().to_path_buf();
    let written = check_report::write_check(&outcome, index.path(), format, &mut report, &name)
        .map_err(anyhow::Error::from)
        .and_then(|()| report.commit());
    if let Err(err) = written {
        if args.add && !outcome.added.is_empty() {
            return Err(err.context(format!(
                "the check ran and its {} new articles were added to {} (committed), but its report was not written",
                outcome.added.len(),
                args.db.display()
            )));
        }
        return Err(err);
    }
    let summary = outcome.summary();
    if args.output.is_some() || !matches!(format, CheckFormat::Text | CheckFormat::Github) {
        eprintln!(
            "{}",
            check_report::summary_line(&summary, Path::new(&args.db))
        );
    }
    Ok(if summary.copies() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
