//! Reading back what arrived: headers (RFC 2047 words decoded), multipart
//! bodies split on their boundary, base64 and quoted-printable decoded.
//! Just enough MIME to check what the worker sends, written for the tests.

#[derive(Debug, Clone)]
pub struct Part {
    pub headers: Vec<(String, String)>,
    /// Decoded, for a leaf part.
    pub body: String,
    pub parts: Vec<Part>,
}

impl Part {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn content_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("text/plain")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// Every leaf part, depth first.
    pub fn leaves(&self) -> Vec<&Part> {
        if self.parts.is_empty() {
            vec![self]
        } else {
            self.parts.iter().flat_map(Part::leaves).collect()
        }
    }

    /// The first leaf of this type; panics naming what there is.
    pub fn leaf(&self, content_type: &str) -> &Part {
        let leaves = self.leaves();
        leaves
            .iter()
            .copied()
            .find(|p| p.content_type() == content_type)
            .unwrap_or_else(|| {
                panic!(
                    "no {content_type} part; there are {:?}",
                    leaves.iter().map(|p| p.content_type()).collect::<Vec<_>>()
                )
            })
    }

    pub fn has(&self, content_type: &str) -> bool {
        self.leaves()
            .iter()
            .any(|p| p.content_type() == content_type)
    }
}

/// Parses a message or part as sent: CRLF line ends, kept in bodies.
pub fn parse(raw: &str) -> Part {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    for h in &mut headers {
        h.1 = decode_words(&h.1);
    }
    let mut part = Part {
        headers,
        body: String::new(),
        parts: Vec::new(),
    };
    let ct = part.header("content-type").unwrap_or("").to_string();
    if ct.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = param(&ct, "boundary").expect("a multipart has a boundary");
        let delimiter = format!("--{boundary}");
        for chunk in body.split(&delimiter).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            // The CRLF before a delimiter belongs to it.
            let chunk = chunk.strip_prefix("\r\n").unwrap_or(chunk);
            part.parts
                .push(parse(chunk.strip_suffix("\r\n").unwrap_or(chunk)));
        }
    } else {
        part.body = match part
            .header("content-transfer-encoding")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("base64") => String::from_utf8(base64(body)).expect("UTF-8"),
            Some("quoted-printable") => String::from_utf8(quoted_printable(body)).expect("UTF-8"),
            _ => body.to_string(),
        };
    }
    part
}

/// `boundary="abc"` or `boundary=abc` from a header value.
pub fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn base64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn quoted_printable(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'=' if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') => i += 3,
            b'=' if i + 3 <= b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words, as in a Subject.
fn decode_words(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        let inner = &rest[start + 2..];
        let mut it = inner.splitn(3, '?');
        let (Some(_charset), Some(enc), Some(tail)) = (it.next(), it.next(), it.next()) else {
            out.push_str(&rest[start..]);
            return out;
        };
        let Some(end) = tail.find("?=") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let text = &tail[..end];
        let bytes = if enc.eq_ignore_ascii_case("b") {
            base64(text)
        } else {
            quoted_printable(&text.replace('_', " "))
        };
        out.push_str(&String::from_utf8_lossy(&bytes));
        rest = &tail[end + 2..];
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

#[test]
fn decoders_read_what_mailers_write() {
    assert_eq!(
        base64("SW5zY3JpcHRpb24gY29uZmlybcOpZQ=="),
        "Inscription confirmée".as_bytes()
    );
    assert_eq!(
        quoted_printable("confirm=C3=A9e=\r\nsuite\r\n"),
        "confirméesuite\r\n".as_bytes()
    );
    assert_eq!(
        decode_words("=?utf-8?b?SW5zY3JpcHRpb24=?= =?utf-8?q?_confirm=C3=A9e?="),
        "Inscription confirmée"
    );
}
