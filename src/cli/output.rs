//! Opening output files (buffered, with the path in errors) and stdout.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// A buffered writer to a file, or to stdout when `path` is `None` or `-`.
pub fn create(path: Option<&Path>) -> anyhow::Result<(Box<dyn Write>, PathBuf)> {
    match path {
        Some(p) if p != Path::new("-") => {
            let file = File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
            Ok((
                Box::new(BufWriter::with_capacity(1 << 20, file)),
                p.to_path_buf(),
            ))
        }
        _ => Ok((
            Box::new(BufWriter::new(std::io::stdout().lock())),
            PathBuf::from("<stdout>"),
        )),
    }
}

/// Every article of one input, failing on the first bad record (for
/// generators, whose input must be clean).
pub fn read_all(path: &Path) -> anyhow::Result<Vec<newsdedup::Article>> {
    let corpus = newsdedup::Corpus::open(&[newsdedup::InputSpec::Path(path.to_path_buf())])?;
    let mut articles = Vec::new();
    for record in corpus.records() {
        let record = record?;
        let article = record
            .parse()
            .map_err(|reason| newsdedup::Error::BadRecord {
                location: record.location.clone(),
                reason,
            })?;
        articles.push(article);
    }
    Ok(articles)
}
