//! WARC files, plain or gzip (one member per record, as crawlers write
//! them; a whole file in one member is read too): records framed by their
//! `Content-Length`, each with the byte offset it starts at (in a `.warc.gz`,
//! the offset of its gzip member, as CDX indexes give it). Response records
//! have their HTTP headers read here for status, content type, charset and
//! encodings; the page itself is read later, on any thread
//! ([`super::html`]). Every record is accounted for: a request, a metadata
//! record, a redirect or an image is a record that is not a page, and a
//! damaged one is rejected with the reason, reading going on with the next
//! record (the next gzip member, or the next `WARC/` line).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;

use super::html::PageHints;
use crate::article::RejectReason;

/// Longest WARC or HTTP header line accepted.
const MAX_HEADER_LINE: usize = 64 << 10;
/// Most header lines in one WARC or HTTP header.
const MAX_HEADER_LINES: usize = 1024;

/// One WARC record as read: where it is and what it holds.
#[derive(Debug)]
pub(super) struct WarcItem {
    /// Byte offset of the record (of its gzip member in a `.warc.gz`).
    pub offset: u64,
    /// The bytes of the file that are this record and nothing else (the
    /// record, or its gzip member), to copy it byte for byte; `None` when
    /// it shares a gzip member with other records.
    pub span: Option<(u64, u64)>,
    pub content: Content,
}

#[derive(Debug)]
pub(super) enum Content {
    /// An HTML page: the HTTP payload (or resource block) and what the
    /// record says about it.
    Page { payload: Vec<u8>, hints: PageHints },
    /// A record that is not read as an article (why), or a bad one.
    NotRead(RejectReason),
}

/// A reader that counts the bytes consumed from it.
struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

type FileReader = Counting<BufReader<File>>;

/// The gzip member being read and the offset it starts at.
struct Member {
    start: u64,
    reader: Counting<BufReader<GzDecoder<FileReader>>>,
    records: u32,
}

/// Reads the records of one WARC file in order.
pub(super) struct WarcReader {
    file: Option<FileReader>,
    member: Option<Member>,
    gzip: bool,
    max: u64,
    /// After a malformed record of a plain WARC: skip to the next `WARC/` line.
    resync: bool,
}

impl WarcReader {
    /// A reader of `file`, gzip or not by its first bytes (whatever its
    /// name says: a `.warc` may be compressed, stdin has no name).
    pub fn new(file: File, max: u64) -> Self {
        let mut file = Counting {
            inner: BufReader::with_capacity(1 << 16, file),
            pos: 0,
        };
        // A read error here is met again, and reported, by the first read.
        let gzip = file
            .fill_buf()
            .is_ok_and(|head| head.starts_with(b"\x1f\x8b"));
        WarcReader {
            file: Some(file),
            member: None,
            gzip,
            max,
            resync: false,
        }
    }

    /// The next record, or `None` at the end of the file. Reading errors
    /// of the file itself (not of its content) are `Err`.
    pub fn next_item(&mut self) -> io::Result<Option<WarcItem>> {
        if self.gzip {
            self.next_gzip_item()
        } else {
            self.next_plain_item()
        }
    }

    fn next_plain_item(&mut self) -> io::Result<Option<WarcItem>> {
        let Some(file) = self.file.as_mut() else {
            return Ok(None);
        };
        if std::mem::take(&mut self.resync) {
            skip_to_version_line(file)?;
        }
        skip_blank_lines(file)?;
        let start = file.pos;
        let framed = read_record(file, self.max)?;
        let end = file.pos;
        let content = match framed {
            Framed::End => {
                self.file = None;
                return Ok(None);
            }
            Framed::Bad(reason) => {
                self.resync = true;
                Content::NotRead(RejectReason::MalformedWarc(reason))
            }
            Framed::Record(record) => record.content(),
        };
        Ok(Some(WarcItem {
            offset: start,
            span: Some((start, end - start)),
            content,
        }))
    }

    fn next_gzip_item(&mut self) -> io::Result<Option<WarcItem>> {
        loop {
            if self.member.is_none() && !self.open_member()? {
                return Ok(None);
            }
            let member = self.member.as_mut().expect("a member is open");
            let framed = skip_blank_lines(&mut member.reader)
                .and_then(|()| read_record(&mut member.reader, self.max));
            let framed = match framed {
                Ok(framed) => framed,
                Err(e) => {
                    // The gzip stream itself is damaged: what follows is
                    // found again at the next gzip header.
                    let start = member.start;
                    self.resync_member()?;
                    let reason = format!("damaged gzip member: {e}");
                    return Ok(Some(WarcItem {
                        offset: start,
                        span: None,
                        content: Content::NotRead(RejectReason::MalformedWarc(reason)),
                    }));
                }
            };
            let start = member.start;
            let first = member.records == 0;
            member.records += 1;
            let content = match framed {
                Framed::End if first => {
                    Content::NotRead(RejectReason::MalformedWarc("empty gzip member".into()))
                }
                Framed::End => {
                    self.close_member()?;
                    continue;
                }
                Framed::Bad(reason) => {
                    // The rest of the member is not read; the next one is.
                    let end = self.close_member()?;
                    return Ok(Some(WarcItem {
                        offset: start,
                        span: end.map(|end| (start, end - start)),
                        content: Content::NotRead(RejectReason::MalformedWarc(reason)),
                    }));
                }
                Framed::Record(record) => record.content(),
            };
            // A record alone in its member can be copied as the member.
            let member = self.member.as_mut().expect("a member is open");
            let alone = first && at_end(&mut member.reader);
            let span = if alone {
                self.close_member()?.map(|end| (start, end - start))
            } else {
                None
            };
            return Ok(Some(WarcItem {
                offset: start,
                span,
                content,
            }));
        }
    }

    /// Starts the next gzip member; false at the end of the file.
    fn open_member(&mut self) -> io::Result<bool> {
        let Some(mut file) = self.file.take() else {
            return Ok(false);
        };
        if file.fill_buf()?.is_empty() {
            return Ok(false);
        }
        let start = file.pos;
        self.member = Some(Member {
            start,
            reader: Counting {
                inner: BufReader::with_capacity(1 << 16, GzDecoder::new(file)),
                pos: 0,
            },
            records: 0,
        });
        Ok(true)
    }

    /// Ends the current member: the rest of it is decoded and dropped.
    /// Returns where the next member starts, or `None` when the gzip
    /// stream is damaged (see [`Self::resync_member`]).
    fn close_member(&mut self) -> io::Result<Option<u64>> {
        let Some(member) = self.member.as_mut() else {
            return Ok(None);
        };
        if io::copy(&mut member.reader, &mut io::sink()).is_err() {
            self.resync_member()?;
            return Ok(None);
        }
        let member = self.member.take().expect("a member is open");
        let file = member.reader.inner.into_inner().into_inner();
        let end = file.pos;
        self.file = Some(file);
        Ok(Some(end))
    }

    /// Drops a damaged member: reading goes on at the next gzip header
    /// after the member's start (none: the end of the file).
    fn resync_member(&mut self) -> io::Result<()> {
        let Some(member) = self.member.take() else {
            return Ok(());
        };
        let mut file = member.reader.inner.into_inner().into_inner();
        let found = skip_to_gzip_header(&mut file, member.start + 1)?;
        self.file = found.then_some(file);
        Ok(())
    }
}

/// True when a reader has nothing more to give (errors count as more: the
/// caller meets them on the next read).
fn at_end(reader: &mut impl BufRead) -> bool {
    matches!(reader.fill_buf(), Ok(b) if b.is_empty())
}

/// Moves to the next gzip header (`1f 8b 08`) at or after `from`; false
/// when there is none.
fn skip_to_gzip_header(file: &mut FileReader, from: u64) -> io::Result<bool> {
    use std::io::{Seek, SeekFrom};
    const MAGIC: &[u8] = b"\x1f\x8b\x08";
    let mut at = file.inner.seek(SeekFrom::Start(from))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut carry = 0;
    loop {
        let n = file.inner.read(&mut buf[carry..])?;
        let len = carry + n;
        if let Some(i) = buf[..len].windows(3).position(|w| w == MAGIC) {
            file.pos = file.inner.seek(SeekFrom::Start(at + i as u64))?;
            return Ok(true);
        }
        if n == 0 {
            return Ok(false);
        }
        let keep = len.min(2);
        buf.copy_within(len - keep..len, 0);
        at += (len - keep) as u64;
        carry = keep;
    }
}

/// Skips empty lines (`\r\n` or `\n`) between records.
fn skip_blank_lines(r: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        match buf.first() {
            Some(b'\n') => r.consume(1),
            Some(b'\r') if buf.get(1) == Some(&b'\n') => r.consume(2),
            _ => return Ok(()),
        }
    }
}

/// Skips lines up to the next one that starts with `WARC/`.
fn skip_to_version_line(r: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() || buf.starts_with(b"WARC/") {
            return Ok(());
        }
        let mut line = Vec::new();
        read_line(r, &mut line, MAX_HEADER_LINE)?;
    }
}

/// Reads one line, without its end, keeping at most `cap` bytes; false at
/// the end of the input.
fn read_line(r: &mut impl BufRead, line: &mut Vec<u8>, cap: usize) -> io::Result<bool> {
    line.clear();
    let mut any = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(any);
        }
        any = true;
        let (part, used, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        let room = cap.saturating_sub(line.len());
        line.extend_from_slice(&part[..part.len().min(room)]);
        r.consume(used);
        if done {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(true);
        }
    }
}

/// A header: its lines as (name, value), names compared ignoring case.
#[derive(Debug, Default)]
pub(super) struct Headers(Vec<(String, String)>);

impl Headers {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads header lines up to an empty line; `Err` with the reason when
    /// the header is cut short or too large.
    fn read(r: &mut impl BufRead) -> io::Result<Result<Headers, String>> {
        let mut headers = Headers::default();
        let mut line = Vec::new();
        for _ in 0..MAX_HEADER_LINES {
            if !read_line(r, &mut line, MAX_HEADER_LINE)? {
                return Ok(Err("record cut short in its header".into()));
            }
            if line.is_empty() {
                return Ok(Ok(headers));
            }
            let text = String::from_utf8_lossy(&line);
            if text.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.0.last_mut() {
                    value.push(' ');
                    value.push_str(text.trim());
                }
                continue;
            }
            match text.split_once(':') {
                Some((name, value)) => headers
                    .0
                    .push((name.trim().to_string(), value.trim().to_string())),
                None => {
                    return Ok(Err(format!(
                        "header line without a colon: {:?}",
                        clip(&text)
                    )))
                }
            }
        }
        Ok(Err(format!("more than {MAX_HEADER_LINES} header lines")))
    }
}

fn clip(text: &str) -> String {
    text.chars().take(60).collect()
}

enum Framed {
    End,
    Bad(String),
    Record(Record),
}

struct Record {
    headers: Headers,
    block: Block,
}

enum Block {
    Bytes(Vec<u8>),
    TooLarge { size: u64, limit: u64 },
}

/// Reads one record (version line, header, block of `Content-Length`
/// bytes, and the blank lines that end it).
fn read_record(r: &mut impl BufRead, max: u64) -> io::Result<Framed> {
    let mut line = Vec::new();
    if !read_line(r, &mut line, MAX_HEADER_LINE)? {
        return Ok(Framed::End);
    }
    if !line.starts_with(b"WARC/") {
        let found = clip(&String::from_utf8_lossy(&line));
        return Ok(Framed::Bad(format!(
            "expected a WARC/1.x version line, found {found:?}"
        )));
    }
    let headers = match Headers::read(r)? {
        Ok(h) => h,
        Err(reason) => return Ok(Framed::Bad(reason)),
    };
    let Some(length) = headers
        .get("Content-Length")
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return Ok(Framed::Bad("missing or invalid Content-Length".into()));
    };
    let mut taken = r.take(length);
    let block = if length > max {
        let got = io::copy(&mut taken, &mut io::sink())?;
        if got < length {
            return Ok(Framed::Bad(cut_short(length, got)));
        }
        Block::TooLarge {
            size: length,
            limit: max,
        }
    } else {
        let mut bytes = Vec::with_capacity(length as usize);
        taken.read_to_end(&mut bytes)?;
        if (bytes.len() as u64) < length {
            return Ok(Framed::Bad(cut_short(length, bytes.len() as u64)));
        }
        Block::Bytes(bytes)
    };
    skip_blank_lines(r)?;
    Ok(Framed::Record(Record { headers, block }))
}

fn cut_short(length: u64, got: u64) -> String {
    format!("record cut short: Content-Length {length}, only {got} bytes present")
}

impl Record {
    /// What the record is: a page to read, or why it is not one.
    fn content(self) -> Content {
        let kind = self
            .headers
            .get("WARC-Type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let not_page = |why: String| Content::NotRead(RejectReason::NotAPage(why));
        if kind != "response" && kind != "resource" {
            let kind = if kind.is_empty() { "(none)" } else { &kind };
            return not_page(format!("WARC record of type {kind}"));
        }
        let bytes = match self.block {
            Block::Bytes(bytes) => bytes,
            Block::TooLarge { size, limit } => {
                return Content::NotRead(RejectReason::TooLarge { size, limit })
            }
        };
        let mut hints = PageHints {
            url: self
                .headers
                .get("WARC-Target-URI")
                .map(|u| u.trim_matches(['<', '>']).to_string()),
            record_id: self.headers.get("WARC-Record-ID").map(str::to_string),
            ..PageHints::default()
        };
        let warc_type = self.headers.get("Content-Type").unwrap_or("");
        let is_http = warc_type
            .to_ascii_lowercase()
            .starts_with("application/http");
        let (content_type, payload) = if kind == "response" && is_http {
            let mut cursor = io::Cursor::new(&bytes[..]);
            let (status, http) = match read_http_head(&mut cursor) {
                Ok(head) => head,
                Err(reason) => {
                    return Content::NotRead(RejectReason::MalformedWarc(format!(
                        "HTTP response header: {reason}"
                    )))
                }
            };
            if status != 200 {
                return not_page(format!("HTTP status {status}"));
            }
            hints.transfer_encoding = http.get("Transfer-Encoding").map(str::to_string);
            hints.content_encoding = http.get("Content-Encoding").map(str::to_string);
            let at = cursor.position() as usize;
            let content_type = http.get("Content-Type").map(str::to_string);
            (content_type, bytes[at..].to_vec())
        } else if kind == "response" {
            return not_page(format!(
                "response record of content type {warc_type:?}, not HTTP"
            ));
        } else {
            (Some(warc_type.to_string()), bytes)
        };
        if let Some(ct) = &content_type {
            let (mime, charset) = split_content_type(ct);
            if !mime.is_empty() && !is_html_type(&mime) {
                return not_page(format!("content type {mime}"));
            }
            hints.charset = charset;
        }
        Content::Page { payload, hints }
    }
}

/// Reads an HTTP status line and header; the status code and the header.
fn read_http_head(r: &mut impl BufRead) -> Result<(u16, Headers), String> {
    let mut line = Vec::new();
    let read = read_line(r, &mut line, MAX_HEADER_LINE).map_err(|e| e.to_string())?;
    let status_line = String::from_utf8_lossy(&line).into_owned();
    let status = status_line
        .strip_prefix("HTTP/")
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok());
    let Some(status) = status.filter(|_| read) else {
        return Err(format!(
            "no HTTP status line (found {:?})",
            clip(&status_line)
        ));
    };
    let headers = Headers::read(r).map_err(|e| e.to_string())??;
    Ok((status, headers))
}

/// `text/html; charset=UTF-8` → (`text/html`, `Some("UTF-8")`).
pub(super) fn split_content_type(value: &str) -> (String, Option<String>) {
    let mut parts = value.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    });
    (mime, charset.filter(|c| !c.is_empty()))
}

fn is_html_type(mime: &str) -> bool {
    matches!(
        mime,
        "text/html" | "application/xhtml+xml" | "text/xhtml" | "application/xhtml"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    fn read_all(bytes: &[u8], _gzip: bool) -> Vec<WarcItem> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        use std::io::Seek;
        file.rewind().unwrap();
        let mut reader = WarcReader::new(file, 1 << 20);
        let mut items = Vec::new();
        while let Some(item) = reader.next_item().unwrap() {
            items.push(item);
        }
        items
    }

    const PAGE: &[u8] =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<html><p>caf\xe9</p></html>";

    #[test]
    fn records_have_offsets_and_spans_plain_and_gzip() {
        let a = record("response", "http://a.example/1", PAGE);
        let b = record("request", "http://a.example/1", b"GET / HTTP/1.1\r\n\r\n");
        let plain = [a.clone(), b.clone()].concat();
        let items = read_all(&plain, false);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].offset, 0);
        assert_eq!(items[1].offset, a.len() as u64);
        assert_eq!(items[0].span, Some((0, a.len() as u64)));
        match &items[0].content {
            Content::Page { payload, hints } => {
                assert_eq!(payload, b"<html><p>caf\xe9</p></html>");
                assert_eq!(hints.charset.as_deref(), Some("iso-8859-1"));
                assert_eq!(hints.url.as_deref(), Some("http://a.example/1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            &items[1].content,
            Content::NotRead(RejectReason::NotAPage(_))
        ));
        let (ga, gb) = (gzip(&a), gzip(&b));
        let items = read_all(&[ga.clone(), gb.clone()].concat(), true);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].offset, ga.len() as u64);
        assert_eq!(items[1].span, Some((ga.len() as u64, gb.len() as u64)));
    }

    #[test]
    fn damage_is_reported_and_reading_goes_on() {
        let a = record("response", "http://a.example/1", PAGE);
        let mut cut = a.clone();
        cut.truncate(a.len() - 20);
        // A plain WARC: garbage, then a good record.
        let items = read_all(&[b"garbage line\r\n".to_vec(), a.clone()].concat(), false);
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(matches!(
            &items[0].content,
            Content::NotRead(RejectReason::MalformedWarc(_))
        ));
        assert!(matches!(&items[1].content, Content::Page { .. }));
        // Gzip: a truncated member after a good one.
        let ga = gzip(&a);
        let mut gcut = gzip(&a);
        gcut.truncate(gcut.len() / 2);
        let items = read_all(&[ga.clone(), gcut].concat(), true);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[1].offset, ga.len() as u64);
        assert!(matches!(
            &items[1].content,
            Content::NotRead(RejectReason::MalformedWarc(_))
        ));
        // A record cut short, then a good record in its own member.
        let items = read_all(&[gzip(&cut), ga].concat(), true);
        assert_eq!(items.len(), 2, "{items:?}");
        match &items[0].content {
            Content::NotRead(RejectReason::MalformedWarc(m)) => {
                assert!(m.contains("cut short"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&items[1].content, Content::Page { .. }));
    }
}
