//! Upload sniffing (`domain::files::sniff`) and the file name sent back with a material
//! (`clean_name`, `content_disposition`), fed any bytes.
#![no_main]

use consult::domain::files::{self, DOCX, JPEG, ODT, PDF, PNG, clean_name, content_disposition};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    sniffing(data);
    // The same bytes as an uploaded file's name.
    file_name(&String::from_utf8_lossy(&data[..data.len().min(1024)]));
});

/// A type is claimed only when the bytes carry its magic, and only an allowed type.
fn sniffing(data: &[u8]) {
    let Some(claimed) = files::sniff(data) else {
        return;
    };
    let zip = data.starts_with(b"PK\x03\x04");
    let magic_matches = match claimed {
        PDF => data.starts_with(b"%PDF-"),
        PNG => data.starts_with(b"\x89PNG\r\n\x1a\n"),
        JPEG => data.starts_with(&[0xFF, 0xD8, 0xFF]),
        // The first entry of an ODF package is an uncompressed `mimetype` naming the type.
        ODT => {
            zip && data.get(30..38) == Some(b"mimetype".as_slice())
                && data[38..].starts_with(ODT.as_bytes())
        }
        DOCX => {
            let head = &data[..data.len().min(64 * 1024)];
            zip && contains(head, b"[Content_Types].xml") && contains(data, b"word/")
        }
        other => panic!("sniff claimed {other:?}, which is not an allowed type"),
    };
    assert!(magic_matches, "sniff claimed {claimed} for {data:?}");
    // The claim rests on the head of the file: a longer upload with the same head
    // (a PDF's body, an image's pixels) cannot turn it into something else or nothing.
    let mut longer = data.to_vec();
    longer.extend_from_slice(b"\0trailing bytes");
    assert_eq!(files::sniff(&longer), Some(claimed));
}

/// The name kept for a material and the header that sends it back: no path, no control
/// character, no quote that could end the header's value early.
fn file_name(name: &str) {
    let clean = clean_name(name);
    assert!(!clean.is_empty() && clean.chars().count() <= 200);
    assert!(!clean.contains(['/', '\\', '"']), "{clean:?}");
    assert!(!clean.chars().any(char::is_control), "{clean:?}");
    assert!(!clean.starts_with('.'), "{clean:?}");
    let header = content_disposition(name);
    assert!(
        header.is_ascii() && !header.chars().any(|c| c.is_ascii_control()),
        "{header:?}"
    );
    let rest = header
        .strip_prefix("attachment; filename=\"")
        .unwrap_or_else(|| panic!("{header:?}"));
    let (ascii, encoded) = rest
        .split_once("\"; filename*=UTF-8''")
        .unwrap_or_else(|| panic!("{header:?}"));
    assert!(
        !ascii.contains('"') && !encoded.contains(['"', ';', ' ']),
        "{header:?}"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
