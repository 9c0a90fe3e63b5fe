//! Small XLSX workbooks built in memory, for the tests of this crate and of
//! the others (hostile ones included: a far-away cell, a zip bomb, a lying
//! size), so no binary fixture is committed. The import never writes one.
//!
//! The zip is written by hand: stored parts, and for a bomb a deflate
//! stream of repeated back-references (13 bits per 258 bytes), so hundreds
//! of megabytes cost a few hundred kilobytes and no time to build.

/// The parts of a one-sheet workbook ("Séances") whose sheet XML is `sheet`.
pub fn parts(sheet: &str) -> Vec<(String, Vec<u8>)> {
    let part = |n: &str, s: &str| (n.to_string(), s.as_bytes().to_vec());
    vec![
        part(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        part(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        part(
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Séances" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        part(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        part("xl/worksheets/sheet1.xml", sheet),
    ]
}

/// A sheet's XML: its declared `<dimension ref>` if any, and cells given
/// by reference ("B2") and text, as inline strings.
pub fn sheet(dimension: Option<&str>, cells: &[(&str, &str)]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    if let Some(d) = dimension {
        xml.push_str(&format!(r#"<dimension ref="{d}"/>"#));
    }
    xml.push_str("<sheetData>");
    for (r, text) in cells {
        let text = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        xml.push_str(&format!(
            r#"<row><c r="{r}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c></row>"#
        ));
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// A workbook holding `rows` from A1, every cell as text.
pub fn table(rows: &[&[&str]]) -> Vec<u8> {
    let mut cells = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                cells.push((
                    super::cells::cell_name(r as u32, c as u32),
                    text.to_string(),
                ));
            }
        }
    }
    let cells: Vec<(&str, &str)> = cells
        .iter()
        .map(|(r, t)| (r.as_str(), t.as_str()))
        .collect();
    zip(&parts(&sheet(None, &cells)))
}

/// The parts, stored, in a zip.
pub fn zip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let entries: Vec<Entry> = parts
        .iter()
        .map(|(name, data)| Entry {
            name: name.clone(),
            method: 0,
            crc: crc32(data),
            declared: data.len() as u32,
            data: data.clone(),
        })
        .collect();
    write_zip(&entries)
}

/// The parts, and one more named `name` that inflates to `real` spaces
/// while declaring `declared` bytes (a lie when they differ).
pub fn zip_with_bomb(parts: &[(String, Vec<u8>)], name: &str, declared: u32, real: u64) -> Vec<u8> {
    let mut entries: Vec<Entry> = parts
        .iter()
        .filter(|(n, _)| n != name)
        .map(|(n, data)| Entry {
            name: n.clone(),
            method: 0,
            crc: crc32(data),
            declared: data.len() as u32,
            data: data.clone(),
        })
        .collect();
    entries.push(Entry {
        name: name.to_string(),
        method: 8,
        // Never checked: the reading stops long before the end.
        crc: 0,
        declared,
        data: deflate_repeat(b' ', real),
    });
    write_zip(&entries)
}

struct Entry {
    name: String,
    /// 0 stored, 8 deflated.
    method: u16,
    crc: u32,
    declared: u32,
    data: Vec<u8>,
}

fn write_zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&e.method.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&0x21u16.to_le_bytes());
            h.extend_from_slice(&e.crc.to_le_bytes());
            h.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            h.extend_from_slice(&e.declared.to_le_bytes());
            h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            if central {
                // Comment length, disk, internal and external attributes.
                h.extend_from_slice(&[0; 6]);
                h.extend_from_slice(&0u32.to_le_bytes());
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(e.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(&e.data);
        central.extend(header(0x0201_4b50, true));
    }
    let start = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// CRC-32 (IEEE), as zip checks it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Raw deflate (RFC 1951, one block of fixed codes) inflating to `n`
/// copies of `byte`: the byte once, then back-references of 258 bytes at
/// distance 1, then the rest as literals.
pub fn deflate_repeat(byte: u8, n: u64) -> Vec<u8> {
    let mut w = Bits::default();
    w.put(1, 1); // last block
    w.put(0b01, 2); // fixed Huffman codes
    let literal = |w: &mut Bits, b: u8| {
        if b < 144 {
            w.code(0b0011_0000 + u32::from(b), 8);
        } else {
            w.code(0b1_1001_0000 + u32::from(b - 144), 9);
        }
    };
    if n > 0 {
        literal(&mut w, byte);
    }
    let mut left = n.saturating_sub(1);
    while left >= 258 {
        w.code(0b1100_0101, 8); // length 258 (code 285)
        w.code(0, 5); // distance 1 (code 0)
        left -= 258;
    }
    for _ in 0..left {
        literal(&mut w, byte);
    }
    w.code(0, 7); // end of block (code 256)
    w.finish()
}

#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    /// `len` bits of `v`, least significant first.
    fn put(&mut self, v: u32, len: u32) {
        self.acc |= u64::from(v) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code: most significant bit first.
    fn code(&mut self, v: u32, len: u32) {
        let reversed = v.reverse_bits() >> (32 - len);
        self.put(reversed, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}
