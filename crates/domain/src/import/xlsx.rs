//! An XLSX workbook read within bounds (docs/decisions/0013). The zip is
//! inspected before calamine opens it: how many parts, what each declares
//! it unpacks to and what it really inflates to (the reading stops at the
//! limit), how many shared strings and styles calamine would keep. Then the
//! sheet is read cell by cell (calamine's `worksheet_cells_reader`, never a
//! dense range), so a far-away cell costs its own refusal and nothing more.

use std::collections::BTreeMap;
use std::io::{self, BufReader, Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{DataRef, Reader, Xlsx};
use quick_xml::events::Event;

use super::cells::{Record, cell_name, excel_serial, normalize};
use super::problems::{ErrorKind, ImportError, ImportLimits, Limit};

/// More parts than any workbook of a season needs (Excel writes about 10).
pub const MAX_ENTRIES: usize = 1_000;
/// Excel itself allows about 64 000 cell formats.
pub const MAX_STYLES: usize = 65_000;

fn unreadable(why: impl std::fmt::Display) -> ImportError {
    ImportError::file(ErrorKind::Unreadable(why.to_string()))
}

fn too_big(limit: Limit) -> ImportError {
    ImportError::file(ErrorKind::TooBig(limit))
}

/// The table of `sheet` (the first one when None) and what was read.
pub(super) fn read(
    bytes: &[u8],
    sheet: Option<&str>,
    limits: &ImportLimits,
) -> Result<(Vec<Record>, String), ImportError> {
    // Whatever a malformed part makes a library do (an arithmetic
    // overflow on a reversed range…), it ends as a refusal of the file.
    catch_unwind(AssertUnwindSafe(|| {
        inspect(bytes, limits)?;
        read_sheet(bytes, sheet, limits)
    }))
    .unwrap_or_else(|_| Err(unreadable("classeur XLSX abîmé")))
}

/// A reader that stops one byte past what is left of the budget.
struct Budget<'a, R> {
    inner: R,
    left: &'a mut u64,
    over: bool,
}

impl<R: Read> Read for Budget<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX);
        let want = buf.len().min(room);
        let n = self.inner.read(&mut buf[..want])?;
        match self.left.checked_sub(n as u64) {
            Some(l) => *self.left = l,
            None => {
                self.over = true;
                return Err(io::Error::other("budget"));
            }
        }
        Ok(n)
    }
}

/// The zip, part by part, before anything keeps its content.
fn inspect(bytes: &[u8], limits: &ImportLimits) -> Result<(), ImportError> {
    let broken = |e: zip::result::ZipError| {
        unreadable(format!(
            "archive zip abîmée ou incomplète (détail technique\u{a0}: {e})"
        ))
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(broken)?;
    if zip.len() > MAX_ENTRIES {
        return Err(too_big(Limit::Entries {
            count: zip.len(),
            max: MAX_ENTRIES,
        }));
    }
    let mut names = Vec::with_capacity(zip.len());
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_data(i).map_err(broken)?;
        declared = declared.saturating_add(entry.size());
        names.push(String::from_utf8_lossy(entry.name_raw()).to_ascii_lowercase());
    }
    if names.iter().any(|n| n == "mimetype") {
        let mut kind = String::new();
        if let Ok(f) = zip.by_name("mimetype") {
            let _ = f.take(200).read_to_string(&mut kind);
        }
        if kind.contains("opendocument") {
            return Err(ImportError::file(ErrorKind::Ods));
        }
    }
    if !names.iter().any(|n| n.ends_with("workbook.xml")) {
        return Err(ImportError::file(ErrorKind::NotAWorkbook));
    }
    if declared > limits.max_unpacked_bytes {
        return Err(too_big(Limit::Unpacked {
            max: limits.max_unpacked_bytes,
        }));
    }
    // Declared sizes may lie: what each part really inflates to counts.
    let mut left = limits.max_unpacked_bytes;
    for (i, name) in names.iter().enumerate() {
        let entry = zip.by_index(i).map_err(|e| {
            if e.to_string().to_lowercase().contains("password") {
                ImportError::file(ErrorKind::EncryptedOrXls)
            } else {
                broken(e)
            }
        })?;
        let mut r = Budget {
            inner: entry,
            left: &mut left,
            over: false,
        };
        let counted = if name.ends_with("sharedstrings.xml") {
            count(&mut r, &["si"], "uniqueCount", limits.max_cells, |max| {
                Limit::SharedStrings { max }
            })
        } else if name.ends_with("styles.xml") {
            count(
                &mut r,
                &["xf", "font", "fill", "border", "numFmt", "dxf"],
                "",
                MAX_STYLES,
                |max| Limit::Styles { max },
            )
        } else {
            io::copy(&mut r, &mut io::sink()).map(|_| ()).map_err(|_| {
                unreadable(format!(
                    "la partie «\u{a0}{name}\u{a0}» est abîmée ou plus grande qu'elle ne l'annonce"
                ))
            })
        };
        if r.over {
            return Err(too_big(Limit::Unpacked {
                max: limits.max_unpacked_bytes,
            }));
        }
        counted?;
    }
    Ok(())
}

/// Counts the elements named `tags` in an XML part, and the number its
/// root announces in `announced` (calamine reserves room for it).
fn count(
    r: &mut impl Read,
    tags: &[&str],
    announced: &str,
    max: usize,
    limit: impl Fn(usize) -> Limit,
) -> Result<(), ImportError> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(r));
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let local = e.local_name();
                if tags.contains(&local.as_ref()) {
                    n += 1;
                    if n > max {
                        return Err(too_big(limit(max)));
                    }
                } else if !announced.is_empty()
                    && let Ok(Some(a)) = e.try_get_attribute(announced)
                {
                    let v = a.value.trim();
                    if v.parse::<u64>().map_or(!v.is_empty(), |v| v > max as u64) {
                        return Err(too_big(limit(max)));
                    }
                }
            }
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(_) => return Err(unreadable("une partie XML du classeur est abîmée")),
        }
    }
}

fn cell_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => excel_serial(dt.as_f64()),
        DataRef::DateTimeIso(s) => s.split('T').next().unwrap_or_default().to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

fn read_sheet(
    bytes: &[u8],
    sheet: Option<&str>,
    limits: &ImportLimits,
) -> Result<(Vec<Record>, String), ImportError> {
    let broken_book = |e: calamine::XlsxError| {
        unreadable(format!("classeur XLSX abîmé (détail technique\u{a0}: {e})"))
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(broken_book)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s || normalize(n) == normalize(s))
            .cloned()
            .ok_or_else(|| ImportError::new(1, "", ErrorKind::NoSuchSheet(names.clone()), s))?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ImportError::file(ErrorKind::Empty))?,
    };
    let mut cells = book.worksheet_cells_reader(&name).map_err(broken_book)?;
    // The extent the sheet declares, before a single cell is read.
    let d = cells.dimensions();
    let declared_rows = u64::from(d.end.0.saturating_sub(d.start.0)) + 1;
    let declared_cols = u64::from(d.end.1) + 1;
    if d.end.0 as usize >= limits.max_rows
        || declared_cols > limits.max_columns as u64
        || declared_rows.saturating_mul(declared_cols) > limits.max_cells as u64
    {
        return Err(too_big(Limit::Declared {
            range: format!(
                "{}:{}",
                cell_name(d.start.0, d.start.1),
                cell_name(d.end.0, d.end.1)
            ),
            max_rows: limits.max_rows,
            max_columns: limits.max_columns,
        }));
    }
    // Cells as they come, row by row; a row is laid out up to its last
    // cell. Every cell kept counts, a cell written twice too.
    let mut rows: BTreeMap<u32, (usize, Vec<(u32, String)>)> = BTreeMap::new();
    let (mut kept, mut laid_out) = (0usize, 0usize);
    while let Some(c) = cells.next_cell().map_err(broken_book)? {
        let text = cell_text(c.get_value());
        if text.is_empty() {
            continue;
        }
        let (r, col) = c.get_position();
        if r as usize >= limits.max_rows || col as usize >= limits.max_columns {
            return Err(too_big(Limit::Cell {
                cell: cell_name(r, col),
                max_rows: limits.max_rows,
                max_columns: limits.max_columns,
            }));
        }
        let (width, row) = rows.entry(r).or_default();
        let wider = (col as usize + 1).max(*width);
        laid_out += wider - *width;
        *width = wider;
        kept += 1;
        if laid_out.max(kept) > limits.max_cells {
            return Err(too_big(Limit::Cells {
                max: limits.max_cells,
            }));
        }
        row.push((col, text));
    }
    let records = rows
        .into_iter()
        .map(|(r, (width, row))| {
            let mut cells = vec![String::new(); width];
            for (c, text) in row {
                cells[c as usize] = text;
            }
            Record {
                line: r as usize + 1,
                cells,
            }
        })
        .collect();
    Ok((records, format!("XLSX, feuille «\u{a0}{name}\u{a0}»")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(0, 199), "GR1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }
}
