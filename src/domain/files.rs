//! R2: what an uploaded file really is, judged by its first bytes rather than its name or
//! the declared type, and a file name that is safe to send back in `Content-Disposition`.

/// The content types a material file may have.
pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const ODT: &str = "application/vnd.oasis.opendocument.text";
pub const PNG: &str = "image/png";
pub const JPEG: &str = "image/jpeg";

/// The content type of `data` from its magic bytes, or `None` for anything not allowed.
/// A ZIP container counts only as an ODT (its first entry is `mimetype` naming the type)
/// or a DOCX (it holds `[Content_Types].xml` and a `word/` part).
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"%PDF-") {
        return Some(PDF);
    }
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(PNG);
    }
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(JPEG);
    }
    if data.starts_with(b"PK\x03\x04") {
        if data.get(30..38) == Some(b"mimetype".as_slice())
            && data
                .get(38..38 + ODT.len())
                .is_some_and(|m| m == ODT.as_bytes())
        {
            return Some(ODT);
        }
        let head = &data[..data.len().min(64 * 1024)];
        if contains(head, b"[Content_Types].xml") && contains(data, b"word/") {
            return Some(DOCX);
        }
    }
    None
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The file name reduced to its last path part with control characters removed, at most
/// 200 characters; empty names become `file`.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_string();
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed
    }
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266), so no
/// name can inject a header or a path, and browsers download instead of rendering.
pub fn content_disposition(name: &str) -> String {
    let name = clean_name(name);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_allowed_types_and_refuses_others() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(PDF));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(PNG));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(JPEG));
        let mut odt = b"PK\x03\x04".to_vec();
        odt.resize(30, 0);
        odt.extend_from_slice(b"mimetype");
        odt.extend_from_slice(ODT.as_bytes());
        assert_eq!(sniff(&odt), Some(ODT));
        let mut docx = b"PK\x03\x04".to_vec();
        docx.resize(30, 0);
        docx.extend_from_slice(b"[Content_Types].xml....word/document.xml");
        assert_eq!(sniff(&docx), Some(DOCX));
        assert_eq!(sniff(b"PK\x03\x04plain zip"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
    }

    #[test]
    fn disposition_is_safe() {
        let h = content_disposition("../../etc/起草说明\r\n\"x\".pdf");
        assert!(!h.contains('\r') && !h.contains('\n') && !h.contains(".."));
        assert!(h.starts_with("attachment; filename=\""));
        assert!(h.contains("filename*=UTF-8''%E8%B5%B7"));
        assert_eq!(clean_name("   "), "file");
    }
}
