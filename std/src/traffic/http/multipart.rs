//! The text of a multipart request body: its file parts stored as files and shown as
//! `<File Contents for NAME>`, the rest as text (spec section 2).
//!
//! The reading is the reference's, line by line at CRLF, so that the same upload gives the
//! same text (and so matches its recording): a line of a file part that starts with
//! `Content-` is taken as a part header, and a file part ends at the next boundary line.

use super::attachments::{header_variable, placeholder, Attachments};
use super::body;

/// The boundary line of a body sent with this `Content-Type`, if it is multipart (the
/// reference looks at the header spelled exactly `Content-Type`).
pub fn boundary(content_type: &str) -> Option<Vec<u8>> {
    let boundary = header_variable(content_type, "boundary").filter(|b| !b.is_empty())?;
    Some([b"--", boundary.as_bytes()].concat())
}

/// The record text of a multipart body with this `boundary` line; its files go to
/// `attachments`.
pub fn record_text(payload: &[u8], boundary: &[u8], attachments: &Attachments) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut file: Option<String> = None;
    let mut written = false;
    let mut contents: Vec<u8> = Vec::new();
    for line in split_crlf(payload) {
        let at_boundary = file.is_some() && line.starts_with(boundary);
        if (!line.is_empty() || written)
            && file.is_some()
            && !at_boundary
            && !line.starts_with(b"Content-")
        {
            if written {
                contents.extend_from_slice(b"\r\n");
            }
            contents.extend_from_slice(line);
            written = true;
            continue;
        }
        let text = body::record_text(line);
        if at_boundary {
            let name = file.take().unwrap_or_default();
            lines.push(placeholder(&attachments.store(&name, &contents)));
            written = false;
            contents.clear();
        } else if text.starts_with("Content-Disposition: form-data;") {
            file = header_variable(&text, "filename")
                .filter(|f| !f.is_empty())
                .map(str::to_string);
        }
        lines.push(text.into_owned());
    }
    lines.join("\n")
}

/// `payload` split at every CRLF.
fn split_crlf(payload: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut rest = payload;
    while let Some(at) = rest.windows(2).position(|w| w == b"\r\n") {
        lines.push(&rest[..at]);
        rest = &rest[at + 2..];
    }
    lines.push(rest);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_parts_become_placeholders_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let attachments = Attachments::new(Some(dir.path().to_path_buf()), None);
        let payload = b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\
            \x00\x01\r\n\r\nlast\r\n--XyZ--\r\n";
        let text = record_text(
            payload,
            &boundary("multipart/form-data; boundary=XyZ").unwrap(),
            &attachments,
        );
        assert_eq!(
            text,
            "--XyZ\nContent-Disposition: form-data; name=\"note\"\n\nhello\n--XyZ\n\
             Content-Disposition: form-data; name=\"up\"; filename=\"a.bin\"\nContent-Type: application/octet-stream\n\n\
             <File Contents for a.bin>\n--XyZ--\n"
        );
        assert_eq!(
            std::fs::read(dir.path().join("a.bin")).unwrap(),
            b"\x00\x01\r\n\r\nlast"
        );
    }
}
