//! Output files: checked against every input and every other output before
//! any work, written to a temporary file beside the target and renamed into
//! place only when the run succeeds (a failed or killed run leaves the
//! user's file as it was).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use std::sync::Mutex;

use anyhow::{bail, Context};

/// Temporary files of outputs not yet moved into place, removed when the
/// run is interrupted (Ctrl-C, SIGTERM) so no half-written file is left.
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// On SIGINT, SIGTERM or SIGHUP: remove the staged files and exit with
/// 130. The user's files were never touched; an index transaction that
/// was not committed is dropped, as in a crash.
pub fn remove_staged_files_on_interrupt() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        let staged = STAGED.lock().map(|s| s.clone()).unwrap_or_default();
        for path in staged {
            let _ = std::fs::remove_file(&path).or_else(|_| std::fs::remove_dir_all(&path));
        }
        eprintln!("newsdedup: interrupted: outputs not yet complete were not written");
        std::process::exit(130);
    })
    .context("cannot install the interrupt handler")
}

/// A staged file's place in [`STAGED`], given up when it is dropped
/// (committed, or deleted with its `NamedTempFile`).
struct Registered(PathBuf);

impl Registered {
    fn new(path: &Path) -> Self {
        if let Ok(mut staged) = STAGED.lock() {
            staged.push(path.to_path_buf());
        }
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut staged) = STAGED.lock() {
            staged.retain(|p| *p != self.0);
        }
    }
}

/// What an output path is compared by: the file it names when it exists
/// (device and inode, so symbolic and hard links are seen through), else
/// the path it will have (its directory resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    File {
        dev: u64,
        ino: u64,
    },
    Path(PathBuf),
    /// A device or pipe (`/dev/null`, `/dev/stdout`): written in place and
    /// never compared.
    Special,
}

fn identity(path: &Path) -> anyhow::Result<Identity> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => Ok(Identity::Special),
        Ok(meta) => Ok(file_identity(&meta)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                bail!(
                    "{} is a broken symbolic link: name the file it should point to",
                    path.display()
                );
            }
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let dir = parent.canonicalize().with_context(|| {
                format!(
                    "cannot write {}: no directory {}",
                    path.display(),
                    parent.display()
                )
            })?;
            Ok(Identity::Path(
                dir.join(path.file_name().unwrap_or_default()),
            ))
        }
        Err(e) => Err(e).with_context(|| format!("cannot open {}", path.display())),
    }
}

#[cfg(unix)]
fn file_identity(meta: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity::File {
        dev: meta.dev(),
        ino: meta.ino(),
    }
}

#[cfg(not(unix))]
fn file_identity(_: &std::fs::Metadata) -> Identity {
    Identity::Special
}

/// Every path a run reads and writes, so that no output is an input, the
/// index, or another output. Filled before any work is done.
#[derive(Debug, Default)]
pub struct Guard {
    read: Vec<(Identity, String)>,
    written: Vec<(Identity, String)>,
}

impl Guard {
    /// A guard knowing the corpus's files and the paths named as inputs
    /// (directories too: an output directory must not be one).
    pub fn of_corpus(corpus: &newsdedup::Corpus, named: &[String]) -> anyhow::Result<Self> {
        let mut guard = Guard::default();
        for file in corpus.files() {
            guard.input(file, "input")?;
        }
        for name in named.iter().filter(|n| *n != "-") {
            guard.input(Path::new(name), "input")?;
        }
        Ok(guard)
    }

    /// Records a file that is read (`what` names it in errors: "input", "index").
    pub fn input(&mut self, path: &Path, what: &str) -> anyhow::Result<()> {
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_file() || meta.is_dir() {
                let label = format!("the {what} {}", path.display());
                self.read.push((file_identity(&meta), label));
            }
        }
        Ok(())
    }

    /// Records the index a run reads (and may update), refusing it when it
    /// is also one of the inputs.
    pub fn index(&mut self, db: &Path) -> anyhow::Result<()> {
        if let Ok(meta) = std::fs::metadata(db) {
            let id = file_identity(&meta);
            if let Some((_, label)) = self.read.iter().find(|(seen, _)| *seen == id) {
                bail!(
                    "the index {} is {label}: an index is not an input",
                    db.display()
                );
            }
        }
        self.input(db, "index")
    }

    /// Refuses `path` (given with `flag`) when it is a file already read or
    /// written by this run; `-` (stdout) and `None` are always fine.
    pub fn output(&mut self, flag: &str, path: Option<&Path>) -> anyhow::Result<()> {
        let Some(path) = path.filter(|p| *p != Path::new("-")) else {
            return Ok(());
        };
        let id = identity(path)?;
        if id == Identity::Special {
            return Ok(());
        }
        let clash = self
            .read
            .iter()
            .chain(&self.written)
            .find(|(seen, _)| *seen == id);
        if let Some((_, label)) = clash {
            bail!(
                "{flag} {} is {label}: it would be overwritten; write to another path",
                path.display()
            );
        }
        let label = format!("the output of {flag} {}", path.display());
        self.written.push((id, label));
        Ok(())
    }
}

/// An output being written: stdout, a device written in place, or a
/// temporary file renamed over its target by [`Output::commit`].
pub struct Output {
    sink: Sink,
    name: PathBuf,
}

enum Sink {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    InPlace(BufWriter<File>),
    Staged {
        file: BufWriter<tempfile::NamedTempFile>,
        target: PathBuf,
        registered: Registered,
    },
}

impl Output {
    /// Standard output.
    pub fn stdout() -> Self {
        Output {
            sink: Sink::Stdout(BufWriter::new(std::io::stdout().lock())),
            name: PathBuf::from("<stdout>"),
        }
    }

    /// An output to `path` (stdout when `None` or `-`). A regular file is
    /// written beside its target and only renamed into place by
    /// [`Output::commit`]; a symbolic link's target is replaced, not the link.
    pub fn create(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path.filter(|p| *p != Path::new("-")) else {
            return Ok(Output::stdout());
        };
        let cannot = || format!("cannot create {}", path.display());
        let existing = std::fs::metadata(path).ok();
        if let Some(meta) = existing.as_ref().filter(|m| !m.is_file()) {
            if meta.is_dir() {
                bail!("cannot write {}: it is a directory", path.display());
            }
            let file = File::create(path).with_context(cannot)?;
            return Ok(Output {
                sink: Sink::InPlace(BufWriter::with_capacity(1 << 20, file)),
                name: path.to_path_buf(),
            });
        }
        let target = match existing {
            Some(_) => path.canonicalize().with_context(cannot)?,
            None => path.to_path_buf(),
        };
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let file = staging_file(&target, dir).with_context(cannot)?;
        Ok(Output {
            sink: Sink::Staged {
                registered: Registered::new(file.path()),
                file: BufWriter::with_capacity(1 << 20, file),
                target,
            },
            name: path.to_path_buf(),
        })
    }

    /// The path as the user named it, for messages.
    pub fn name(&self) -> &Path {
        &self.name
    }

    /// Flushes the output and, for a file, moves it into place.
    pub fn commit(self) -> anyhow::Result<()> {
        let name = self.name;
        let write_err = || format!("cannot write {}", name.display());
        match self.sink {
            Sink::Stdout(mut w) => w.flush().with_context(write_err),
            Sink::InPlace(mut w) => w.flush().with_context(write_err),
            Sink::Staged {
                file,
                target,
                registered,
            } => {
                let file = file
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(write_err)?;
                file.as_file().sync_data().with_context(write_err)?;
                // Held while the file moves, so an interrupt either removes
                // it first or finds it in place.
                let staged = STAGED.lock();
                let moved = file.persist(&target).map_err(|e| e.error);
                drop(staged);
                drop(registered);
                moved.with_context(write_err)?;
                Ok(())
            }
        }
    }
}

/// A directory of output files, written beside its target under a
/// temporary name and renamed into place by [`StagedDir::commit`]. The
/// target must not exist, or be an empty directory.
pub struct StagedDir {
    staging: PathBuf,
    target: PathBuf,
    registered: Registered,
}

impl StagedDir {
    pub fn create(target: &Path) -> anyhow::Result<Self> {
        if let Ok(mut entries) = std::fs::read_dir(target) {
            if entries.next().is_some() {
                bail!(
                    "{} is a directory that is not empty: name a new or empty directory",
                    target.display()
                );
            }
        } else if target.exists() {
            bail!("{} exists and is not a directory", target.display());
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let base = target.file_name().unwrap_or_default().to_string_lossy();
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{base}."))
            .suffix(".partial")
            .tempdir_in(parent)
            .with_context(|| format!("cannot create {}", target.display()))?
            .keep();
        Ok(StagedDir {
            registered: Registered::new(&staging),
            staging,
            target: target.to_path_buf(),
        })
    }

    /// A new file of the directory; two files of one name are refused.
    pub fn file(&self, name: &std::ffi::OsStr) -> anyhow::Result<BufWriter<File>> {
        let path = self.staging.join(name);
        let shown = self.target.join(name);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| {
                format!(
                    "cannot create {} (two kept files of that name?)",
                    shown.display()
                )
            })?;
        Ok(BufWriter::new(file))
    }

    /// Moves the directory into place.
    pub fn commit(self) -> anyhow::Result<()> {
        let cannot = || format!("cannot write {}", self.target.display());
        if self.target.is_dir() {
            std::fs::remove_dir(&self.target).with_context(cannot)?;
        }
        let staged = STAGED.lock();
        let moved = std::fs::rename(&self.staging, &self.target);
        drop(staged);
        moved.with_context(cannot)
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        // Left behind only when the run failed before committing.
        let _ = std::fs::remove_dir_all(&self.staging);
        let _ = &self.registered;
    }
}

/// A temporary file in the target's directory (so the rename is atomic),
/// with the permissions the target has, or a new file would get.
fn staging_file(target: &Path, dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let base = target.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!(".{base}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".partial");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The process umask applies to this mode, as it does for File::create.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let file = builder.tempfile_in(dir)?;
    if let Ok(meta) = std::fs::metadata(target) {
        file.as_file().set_permissions(meta.permissions())?;
    }
    Ok(file)
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(w) => w.write(buf),
            Sink::InPlace(w) => w.write(buf),
            Sink::Staged { file, .. } => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::InPlace(w) => w.write_all(buf),
            Sink::Staged { file, .. } => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.flush(),
            Sink::InPlace(w) => w.flush(),
            Sink::Staged { file, .. } => file.flush(),
        }
    }
}

/// Writes `text` to stdout (a closed pipe is an error the binary ends
/// quietly on, not a panic).
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = Output::stdout();
    out.write_all(text.as_bytes())
        .context("cannot write <stdout>")?;
    out.commit()
}

/// Moves every output into place, in order.
pub fn commit_all(outputs: impl IntoIterator<Item = Output>) -> anyhow::Result<()> {
    outputs.into_iter().try_for_each(Output::commit)
}

/// Writes one JSON line per value.
pub fn write_json_lines<T: serde::Serialize>(
    out: &mut Output,
    values: impl IntoIterator<Item = T>,
) -> anyhow::Result<()> {
    for value in values {
        let written = serde_json::to_writer(&mut *out, &value)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        written.with_context(|| format!("cannot write {}", out.name().display()))?;
    }
    Ok(())
}

/// Every article of one input, failing on the first bad record or
/// repeated id (for generators, whose input must be clean).
pub fn read_all(path: &Path) -> anyhow::Result<Vec<newsdedup::Article>> {
    let corpus = newsdedup::Corpus::open(&[newsdedup::InputSpec::Path(path.to_path_buf())])?;
    let mut articles = Vec::new();
    let mut first_seen = std::collections::HashMap::new();
    for record in corpus.records() {
        let record = record?;
        let bad = |reason| newsdedup::Error::BadRecord {
            location: record.location.clone(),
            reason,
        };
        let article = record.parse().map_err(bad)?;
        if let Some(first) = first_seen.insert(article.id.clone(), record.location.clone()) {
            return Err(bad(newsdedup::article::RejectReason::DuplicateId {
                id: article.id,
                first,
            })
            .into());
        }
        articles.push(article);
    }
    Ok(articles)
}
