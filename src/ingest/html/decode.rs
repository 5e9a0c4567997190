//! From the bytes of a page to its text: HTTP transfer and content
//! encodings undone, binary bodies refused, and the charset chosen from the
//! byte order mark, the HTTP header, a `<meta>` declaration, then detection
//! (`chardetng`), decoded with `encoding_rs`.

use std::borrow::Cow;
use std::io::Read;

use encoding_rs::Encoding;

use super::PageHints;
use crate::article::RejectReason;

/// How many bytes at the start of a page are searched for `<meta charset>`.
const META_PRESCAN: usize = 4096;

fn unreadable(why: String) -> RejectReason {
    RejectReason::UnreadablePage(why)
}

/// The page's bytes with HTTP chunking and compression undone, refused
/// when they are not text.
pub(super) fn payload<'a>(
    bytes: &'a [u8],
    hints: &PageHints,
) -> Result<Cow<'a, [u8]>, RejectReason> {
    let mut body = Cow::Borrowed(bytes);
    if let Some(te) = &hints.transfer_encoding {
        if te.to_ascii_lowercase().contains("chunked") {
            // A crawler that kept the chunking; a payload that is not
            // chunked after all is read as it is.
            if let Some(joined) = dechunk(bytes) {
                body = Cow::Owned(joined);
            }
        }
    }
    if let Some(ce) = &hints.content_encoding {
        let ce = ce.trim().to_ascii_lowercase();
        body = match ce.as_str() {
            "" | "identity" | "none" => body,
            "gzip" | "x-gzip" => {
                Cow::Owned(inflate(flate2::read::MultiGzDecoder::new(&body[..]), &ce)?)
            }
            "deflate" => Cow::Owned(
                inflate(flate2::read::ZlibDecoder::new(&body[..]), &ce)
                    .or_else(|_| inflate(flate2::read::DeflateDecoder::new(&body[..]), &ce))?,
            ),
            other => {
                return Err(unreadable(format!(
                    "content encoding {other:?} is not supported"
                )))
            }
        };
    }
    refuse_binary(&body)?;
    Ok(body)
}

fn inflate(mut reader: impl Read, name: &str) -> Result<Vec<u8>, RejectReason> {
    let mut out = Vec::new();
    reader
        .read_to_end(&mut out)
        .map_err(|e| unreadable(format!("content encoding {name}: {e}")))?;
    Ok(out)
}

/// Joins HTTP chunks (`size CRLF data CRLF … 0 CRLF`); `None` when the
/// bytes are not chunked.
fn dechunk(mut bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    loop {
        let end = bytes.iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(&bytes[..end]).ok()?.trim();
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        bytes = &bytes[end + 1..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(bytes.get(..size)?);
        bytes = &bytes[size..];
        bytes = bytes.strip_prefix(b"\r").unwrap_or(bytes);
        bytes = bytes.strip_prefix(b"\n").unwrap_or(bytes);
    }
}

/// Known binary formats by their first bytes.
const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"RIFF", "a RIFF file (WebP, WAV, AVI)"),
];

/// A body that is not text (a known binary format, or NUL bytes in its
/// first kilobyte without a UTF-16 byte order mark) is refused.
fn refuse_binary(body: &[u8]) -> Result<(), RejectReason> {
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| body.starts_with(m)) {
        return Err(unreadable(format!("binary body: {what}")));
    }
    let head = &body[..body.len().min(1024)];
    let utf16 = head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff");
    if let Some(at) = head.iter().position(|&b| b == 0).filter(|_| !utf16) {
        return Err(unreadable(format!("binary body: a NUL byte at byte {at}")));
    }
    Ok(())
}

/// Decodes the page: a byte order mark wins, then the HTTP charset, then a
/// `<meta>` declaration, then detection. A declared charset that is not
/// known is refused.
pub(super) fn to_text(body: &[u8], http_charset: Option<&str>) -> Result<String, RejectReason> {
    if let Some((encoding, bom)) = Encoding::for_bom(body) {
        return Ok(encoding
            .decode_without_bom_handling(&body[bom..])
            .0
            .into_owned());
    }
    let declared = match http_charset {
        Some(label) => Some((label.to_string(), "HTTP header")),
        None => meta_charset(body).map(|label| (label, "<meta> tag")),
    };
    let encoding = match declared {
        Some((label, from)) => {
            let encoding = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                unreadable(format!("unknown charset {label:?} (from the {from})"))
            })?;
            // As browsers do: a page declaring UTF-16 without a byte order
            // mark is ASCII-compatible, so UTF-8.
            if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
                encoding_rs::UTF_8
            } else {
                encoding
            }
        }
        None => detect(body),
    };
    Ok(encoding.decode_without_bom_handling(body).0.into_owned())
}

fn detect(body: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(body).is_ok() {
        return encoding_rs::UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(body, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// The charset a `<meta charset=…>` or `<meta http-equiv=Content-Type
/// content="…; charset=…">` near the start of the page declares.
fn meta_charset(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(META_PRESCAN)];
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest.trim_ascii_start();
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = rest.trim_ascii_start();
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let len = rest
                    .iter()
                    .position(|&b| {
                        matches!(b, b'"' | b'\'' | b';' | b'/' | b'>') || b.is_ascii_whitespace()
                    })
                    .unwrap_or(rest.len());
                if len > 0 {
                    return Some(String::from_utf8_lossy(&rest[..len]).into_owned());
                }
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_from_header_then_meta_then_detection() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><p>caf\xe9</p></html>";
        assert!(to_text(latin1, None).unwrap().contains("caf\u{e9}"));
        assert!(to_text(latin1, Some("windows-1252"))
            .unwrap()
            .contains("caf\u{e9}"));
        let http_equiv =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">\xf0\xd2\xc9";
        assert!(to_text(http_equiv, None)
            .unwrap()
            .contains("\u{41f}\u{440}\u{438}"));
        let undeclared = "<p>Stra\u{df}e und Gr\u{fc}\u{df}e, \u{e4}u\u{df}erst sch\u{f6}n</p>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(undeclared);
        assert_eq!(to_text(&bytes, None).unwrap(), undeclared);
        let err = to_text(b"<p>x</p>", Some("x-no-such")).unwrap_err();
        assert!(err.to_string().contains("unknown charset"), "{err}");
    }

    #[test]
    fn encodings_undone_and_binary_refused() {
        let chunked = b"4\r\n<p>a\r\n5\r\nb</p>\r\n0\r\n\r\n";
        let hints = PageHints {
            transfer_encoding: Some("chunked".into()),
            ..PageHints::default()
        };
        assert_eq!(&*payload(chunked, &hints).unwrap(), b"<p>ab</p>");
        let png = b"\x89PNG\r\n\x1a\n....";
        assert!(payload(png, &PageHints::default()).is_err());
        assert!(payload(b"<p>a\0b</p>", &PageHints::default()).is_err());
        let br = PageHints {
            content_encoding: Some("br".into()),
            ..PageHints::default()
        };
        assert!(payload(b"<p>x</p>", &br).is_err());
    }
}
