//! Speakers' documents (agreement, invoice, insurance): their kinds, the
//! size limit and what a file is, judged by its content and never by its
//! name, so a renamed executable is refused.

/// The largest document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum DocumentKind {
    Agreement,
    Invoice,
    Insurance,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::Agreement,
        DocumentKind::Invoice,
        DocumentKind::Insurance,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            DocumentKind::Agreement => "agreement",
            DocumentKind::Invoice => "invoice",
            DocumentKind::Insurance => "insurance",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.slug() == s.trim())
    }
}

/// Why a file is refused; each is a locale key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge,
    UnknownType,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::Empty => "documents.error.empty",
            Refusal::TooLarge => "documents.error.too_large",
            Refusal::UnknownType => "documents.error.type",
        }
    }
}

const ODT: &str = "application/vnd.oasis.opendocument.text";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The content type of an accepted document, read from its first bytes.
pub fn sniff(bytes: &[u8]) -> Result<&'static str, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Refusal::TooLarge);
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok("application/pdf");
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if bytes.starts_with(b"\xff\xd8\xff") {
        return Ok("image/jpeg");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // An ODT starts with an uncompressed `mimetype` entry naming itself.
        if bytes.len() >= 38 + ODT.len()
            && &bytes[30..38] == b"mimetype"
            && bytes[38..].starts_with(ODT.as_bytes())
        {
            return Ok(ODT);
        }
        // A DOCX has its main part under `word/`; entry names are stored
        // in the clear in the local headers.
        let head = &bytes[..bytes.len().min(64 * 1024)];
        if find(head, b"[Content_Types].xml") && find(bytes, b"word/document.xml") {
            return Ok(DOCX);
        }
    }
    Err(Refusal::UnknownType)
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_judged_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0...."), Ok("image/jpeg"));
        // A Windows executable renamed .pdf.
        assert_eq!(
            sniff(b"MZ\x90\x00\x03\x00\x00\x00"),
            Err(Refusal::UnknownType)
        );
        // A zip that is neither ODT nor DOCX.
        assert_eq!(
            sniff(b"PK\x03\x04\x14\x00\x00\x00\x00\x00 random.txt"),
            Err(Refusal::UnknownType)
        );
        let mut odt = b"PK\x03\x04".to_vec();
        odt.resize(30, 0);
        odt.extend_from_slice(b"mimetype");
        odt.extend_from_slice(ODT.as_bytes());
        assert_eq!(sniff(&odt), Ok(ODT));
        assert_eq!(sniff(b""), Err(Refusal::Empty));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        assert_eq!(sniff(&big), Err(Refusal::TooLarge));
        assert_eq!(DocumentKind::parse("invoice"), Some(DocumentKind::Invoice));
        assert_eq!(DocumentKind::parse("exe"), None);
    }
}
