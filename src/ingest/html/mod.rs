//! HTML pages as articles: the bytes of a page (a saved file, a WARC
//! record's payload, a JSON record's `html` field) are decoded
//! (`decode`: transfer and content encodings, binary bodies refused, the
//! charset from the HTTP header, then `<meta>`, then detection), their main
//! text and metadata extracted (`extract`, with `dom_smoothie`), and the
//! article's fields chosen (`fields`: id, URL, site, date, language).
//! Runs inside [`RawRecord::parse`](super::RawRecord::parse), so on every
//! thread of the chunked pipeline.

mod decode;
mod extract;
mod fields;

use crate::article::{Article, RejectReason};

pub use fields::language_code;

/// What is known about a page besides its bytes: from the WARC record and
/// its HTTP header, or from the file it was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageHints {
    /// The article id to use (a file's path); else the URL is the id.
    pub id: Option<String>,
    /// The URL the page was fetched from (`WARC-Target-URI`).
    pub url: Option<String>,
    /// `WARC-Record-ID`: the id of a record with no URL.
    pub record_id: Option<String>,
    /// The charset of the HTTP `Content-Type` header.
    pub charset: Option<String>,
    /// HTTP `Content-Encoding` (gzip, deflate) still applied to the payload.
    pub content_encoding: Option<String>,
    /// HTTP `Transfer-Encoding` (chunked) still applied to the payload.
    pub transfer_encoding: Option<String>,
    /// The bytes are Unicode text already (a JSON string): no charset
    /// applies.
    pub unicode: bool,
}

/// Reads one page into an article: decoded, its main text extracted, its
/// fields chosen.
///
/// # Errors
/// Why the page cannot be read: an encoding or charset that is not known,
/// a binary body, or no article text found.
pub fn read_page(bytes: &[u8], hints: &PageHints) -> Result<Article, RejectReason> {
    let html = if hints.unicode {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        let body = decode::payload(bytes, hints)?;
        decode::to_text(&body, hints.charset.as_deref())?
    };
    // The HTML crates are not expected to panic, but a page is input: if
    // one does, the page is rejected, not the run.
    let url = hints.url.as_deref();
    let page =
        std::panic::catch_unwind(|| extract::extract(&html, url)).unwrap_or_else(|panic| {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(RejectReason::UnreadablePage(format!(
                "the HTML reader failed: {why}"
            )))
        })?;
    fields::article(page, hints)
}
