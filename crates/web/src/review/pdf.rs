//! The season review as a PDF: A4 pages with a title page, the key
//! figures, the charts drawn as vector paths from the same layout as the
//! page's SVG, the tables, and page numbers. Text is set in the standard
//! Helvetica with WinAnsiEncoding, which every reader has and which covers
//! French (accents, «», €): nothing to embed, a small file.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::chart::Chart;
use super::metrics::{HELVETICA, HELVETICA_BOLD};
use super::{Fmt, ReviewView};

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// Where content stops, above the page number.
const BOTTOM: f32 = 64.0;

const INK: (f32, f32, f32) = (0.12, 0.16, 0.22);
const MUTED: (f32, f32, f32) = (0.29, 0.33, 0.39);
const ACCENT: (f32, f32, f32) = (0.12, 0.37, 0.66);
const LINE: (f32, f32, f32) = (0.82, 0.84, 0.86);
const BAND: (f32, f32, f32) = (0.95, 0.96, 0.97);

#[derive(Clone, Copy, PartialEq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }
}

/// Text in WinAnsiEncoding (Windows-1252): Latin-1 as is, the typographic
/// marks French needs mapped, thin spaces as no-break spaces, anything else "?".
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => c as u8,
            '\u{202f}' | '\u{2009}' | '\u{2007}' => 0xa0,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '−' => b'-',
            'œ' => 0x9c,
            'Œ' => 0x8c,
            'Ÿ' => 0x9f,
            '‰' => 0x89,
            _ => b'?',
        })
        .collect()
}

/// The width of `s` set in `font` at `size` points.
fn width(s: &str, font: Font, size: f32) -> f32 {
    let table = match font {
        Font::Regular => &HELVETICA,
        Font::Bold => &HELVETICA_BOLD,
    };
    let units: u32 = win_ansi(s)
        .iter()
        .map(|&b| u32::from(table[usize::from(b.max(32)) - 32]))
        .sum();
    units as f32 * size / 1000.0
}

/// Words on lines no wider than `max`; a word too long for a line stays whole.
fn wrap(s: &str, font: Font, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate, font, size) > max && !line.is_empty() {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// The document being laid out: finished pages and the current one, with
/// `y` the top of the free space (PDF points, from the bottom).
struct Doc {
    pages: Vec<Content>,
    page: Content,
    y: f32,
}

impl Doc {
    fn new() -> Doc {
        Doc {
            pages: Vec::new(),
            page: Content::new(),
            y: PAGE_H - MARGIN,
        }
    }

    fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(done);
        self.y = PAGE_H - MARGIN;
    }

    /// Room for `h` points more, or a new page.
    fn need(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    fn fill(&mut self, (r, g, b): (f32, f32, f32)) {
        self.page.set_fill_rgb(r, g, b);
    }

    fn text(
        &mut self,
        s: &str,
        (font, size): (Font, f32),
        x: f32,
        y: f32,
        align: Align,
        colour: (f32, f32, f32),
    ) {
        let x = match align {
            Align::Left => x,
            Align::Center => x - width(s, font, size) / 2.0,
            Align::Right => x - width(s, font, size),
        };
        self.fill(colour);
        let bytes = win_ansi(s);
        self.page
            .begin_text()
            .set_font(font.name(), size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: (f32, f32, f32)) {
        self.fill(colour);
        self.page.rect(x, y, w, h).fill_nonzero();
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, colour: (f32, f32, f32), width: f32) {
        let (r, g, b) = colour;
        self.page
            .set_stroke_rgb(r, g, b)
            .set_line_width(width)
            .move_to(x1, y)
            .line_to(x2, y)
            .stroke();
    }

    /// A paragraph from the current position, wrapped to the content width.
    fn paragraph(&mut self, s: &str, font: Font, size: f32, colour: (f32, f32, f32)) {
        for line in wrap(s, font, size, CONTENT_W) {
            self.need(size * 1.4);
            self.y -= size * 1.2;
            self.text(&line, (font, size), MARGIN, self.y, Align::Left, colour);
            self.y -= size * 0.3;
        }
    }

    fn heading(&mut self, s: &str) {
        self.need(60.0);
        self.y -= 10.0;
        self.paragraph(s, Font::Bold, 16.0, INK);
        self.y -= 8.0;
    }

    /// A table whose first column is left-aligned and the others right-aligned;
    /// the header is repeated on each page it spans.
    fn table(&mut self, head: &[String], rows: &[Vec<String>], widths: &[f32], bold_last: bool) {
        let size = 8.5;
        let cell_lines = |cells: &[String], font: Font| -> Vec<Vec<String>> {
            cells
                .iter()
                .zip(widths)
                .map(|(c, w)| wrap(c, font, size, w - 8.0))
                .collect()
        };
        let height = |lines: &[Vec<String>]| {
            lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * size * 1.25 + 7.0
        };
        let head_lines = cell_lines(head, Font::Bold);
        let head_h = height(&head_lines);
        let draw_row = |doc: &mut Doc, lines: &[Vec<String>], h: f32, font: Font, band: bool| {
            if band {
                doc.rect(MARGIN, doc.y - h, widths.iter().sum(), h, BAND);
            }
            let mut x = MARGIN;
            for (i, (cell, w)) in lines.iter().zip(widths).enumerate() {
                for (k, line) in cell.iter().enumerate() {
                    let y = doc.y - 4.0 - size - k as f32 * size * 1.25;
                    if i == 0 {
                        doc.text(line, (font, size), x + 4.0, y, Align::Left, INK);
                    } else {
                        doc.text(line, (font, size), x + w - 4.0, y, Align::Right, INK);
                    }
                }
                x += w;
            }
            doc.y -= h;
            doc.hline(
                MARGIN,
                MARGIN + widths.iter().sum::<f32>(),
                doc.y,
                LINE,
                0.5,
            );
        };
        self.need(head_h + 20.0);
        draw_row(self, &head_lines, head_h, Font::Bold, true);
        for (n, row) in rows.iter().enumerate() {
            let font = if bold_last && n + 1 == rows.len() {
                Font::Bold
            } else {
                Font::Regular
            };
            let lines = cell_lines(row, font);
            let h = height(&lines);
            if self.y - h < BOTTOM {
                self.new_page();
                draw_row(self, &head_lines, head_h, Font::Bold, true);
            }
            draw_row(self, &lines, h, font, false);
        }
        self.y -= 12.0;
    }

    /// A chart from its layout, scaled to the content width; then its data.
    fn chart(&mut self, c: &Chart) {
        let scale = (CONTENT_W / c.width() as f32).min(1.0);
        let h = c.height() as f32 * scale;
        self.need(h + 40.0);
        self.y -= 4.0;
        self.paragraph(&c.title, Font::Bold, 12.0, INK);
        self.y -= 6.0;
        let top = self.y;
        let px = |x: f64| MARGIN + x as f32 * scale;
        let py = |y: f64| top - y as f32 * scale;
        let size = 11.0 * scale;
        for t in &c.ticks {
            let (r, g, b) = LINE;
            self.page
                .set_stroke_rgb(r, g, b)
                .set_line_width(0.5)
                .move_to(px(t.x1), py(t.y1))
                .line_to(px(t.x2), py(t.y2))
                .stroke();
            let align = if c.horizontal {
                Align::Center
            } else {
                Align::Right
            };
            self.text(
                &t.text,
                (Font::Regular, size),
                px(t.text_x),
                py(t.text_y),
                align,
                MUTED,
            );
        }
        for b in c.placed() {
            self.rect(
                px(b.x),
                py(b.y + b.h),
                b.w as f32 * scale,
                b.h as f32 * scale,
                ACCENT,
            );
            let (label_align, value_align) = if c.horizontal {
                (Align::Right, Align::Left)
            } else {
                (Align::Center, Align::Center)
            };
            self.text(
                &b.label,
                (Font::Regular, size),
                px(b.label_x),
                py(b.label_y),
                label_align,
                INK,
            );
            self.text(
                &b.text,
                (Font::Bold, size),
                px(b.text_x),
                py(b.text_y),
                value_align,
                INK,
            );
        }
        self.y = top - h - 10.0;
        let n = c.head.len().max(1);
        let first = (CONTENT_W * 0.4).min(200.0);
        let rest = (CONTENT_W - first) / (n - 1).max(1) as f32;
        let widths: Vec<f32> = (0..n).map(|i| if i == 0 { first } else { rest }).collect();
        self.table(&c.head, &c.rows, &widths, false);
    }
}

/// The review as PDF bytes.
pub fn render(v: &ReviewView) -> Vec<u8> {
    let tr = &v.tr;
    let f = Fmt { lang: tr.lang };
    let mut doc = Doc::new();

    // Title page.
    doc.rect(0.0, PAGE_H - 18.0, PAGE_W, 18.0, ACCENT);
    doc.y = PAGE_H * 0.62;
    doc.paragraph(&v.library, Font::Regular, 15.0, MUTED);
    doc.y -= 10.0;
    doc.paragraph(&v.title, Font::Bold, 30.0, INK);
    doc.y -= 6.0;
    doc.paragraph(&v.period, Font::Regular, 14.0, INK);
    if let Some(s) = &v.series_filter {
        doc.paragraph(
            &tr.tf("review.series_filter", &[("series", s.clone())]),
            Font::Regular,
            14.0,
            INK,
        );
    }
    doc.hline(MARGIN, MARGIN + 120.0, doc.y - 14.0, ACCENT, 3.0);
    doc.text(
        tr.t("review.pdf.made_with"),
        (Font::Regular, 9.0),
        MARGIN,
        BOTTOM + 10.0,
        Align::Left,
        MUTED,
    );
    doc.new_page();

    // Key figures, two to a row.
    doc.heading(tr.t("review.key_figures"));
    let gap = 12.0;
    let box_w = (CONTENT_W - gap) / 2.0;
    for pair in v.figures.chunks(2) {
        let lines: Vec<(Vec<String>, Vec<String>)> = pair
            .iter()
            .map(|fig| {
                (
                    wrap(&fig.value, Font::Bold, 15.0, box_w - 20.0),
                    wrap(&fig.label, Font::Regular, 9.5, box_w - 20.0),
                )
            })
            .collect();
        let box_h = lines
            .iter()
            .map(|(a, b)| a.len() as f32 * 18.0 + b.len() as f32 * 12.0)
            .fold(0.0, f32::max)
            + if pair.iter().any(|fig| !fig.change.is_empty()) {
                12.0
            } else {
                0.0
            }
            + 18.0;
        doc.need(box_h + gap);
        for (i, (fig, (value, label))) in pair.iter().zip(&lines).enumerate() {
            let x = MARGIN + i as f32 * (box_w + gap);
            doc.rect(x, doc.y - box_h, box_w, box_h, BAND);
            let mut y = doc.y - 8.0;
            for l in value {
                y -= 16.0;
                doc.text(l, (Font::Bold, 15.0), x + 10.0, y, Align::Left, INK);
            }
            y -= 3.0;
            for l in label {
                y -= 11.5;
                doc.text(l, (Font::Regular, 9.5), x + 10.0, y, Align::Left, MUTED);
            }
            if !fig.change.is_empty() {
                y -= 11.5;
                doc.text(
                    &fig.change,
                    (Font::Bold, 9.0),
                    x + 10.0,
                    y,
                    Align::Left,
                    ACCENT,
                );
            }
        }
        doc.y -= box_h + gap;
    }
    for n in &v.notes {
        doc.paragraph(n, Font::Regular, 9.5, MUTED);
    }

    // Charts.
    if !v.charts.is_empty() {
        doc.new_page();
        doc.heading(tr.t("review.charts"));
        for c in &v.charts {
            doc.chart(c);
        }
    }

    // Per series: indicators down, series across (a page is too narrow for
    // fourteen columns), four series a table.
    doc.heading(tr.t("review.by_series"));
    doc.paragraph(tr.t("review.table_caption"), Font::Regular, 9.0, MUTED);
    doc.y -= 6.0;
    let all: Vec<&super::RowView> = v.rows.iter().chain(std::iter::once(&v.total)).collect();
    for group in all.chunks(4) {
        let mut head = vec![String::new()];
        head.extend(group.iter().map(|r| r.name.clone()));
        let rows: Vec<Vec<String>> = v
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                std::iter::once(c.clone())
                    .chain(group.iter().map(|r| r.cells[i].clone()))
                    .collect()
            })
            .collect();
        let first = 150.0;
        let rest = (CONTENT_W - first) / group.len() as f32;
        let widths: Vec<f32> = (0..head.len())
            .map(|i| if i == 0 { first } else { rest })
            .collect();
        doc.table(&head, &rows, &widths, false);
    }

    if let Some(p) = &v.previous_period {
        doc.heading(&tr.tf("review.compare_with", &[("period", p.clone())]));
        let head = vec![
            tr.t("review.indicator").to_string(),
            v.current.clone(),
            p.clone(),
            tr.t("review.change").to_string(),
        ];
        let rows: Vec<Vec<String>> = v
            .changes
            .iter()
            .map(|c| {
                vec![
                    c.label.clone(),
                    c.now.clone(),
                    c.before.clone(),
                    c.change.clone(),
                ]
            })
            .collect();
        doc.table(&head, &rows, &[170.0, 90.0, 90.0, CONTENT_W - 350.0], false);
    }
    doc.pages.push(doc.page);

    // Page numbers, now that the count is known.
    let total = doc.pages.len();
    let mut pages = Vec::with_capacity(total);
    for (i, mut c) in doc.pages.into_iter().enumerate() {
        let label = tr.tf(
            "review.pdf.page",
            &[("n", f.int(i as i64 + 1)), ("total", f.int(total as i64))],
        );
        let (r, g, b) = MUTED;
        let bytes = win_ansi(&label);
        let x = PAGE_W / 2.0 - width(&label, Font::Regular, 9.0) / 2.0;
        c.set_fill_rgb(r, g, b)
            .begin_text()
            .set_font(Font::Regular.name(), 9.0)
            .next_line(x, 30.0)
            .show(Str(&bytes))
            .end_text();
        pages.push(c.finish());
    }
    write(&v.title, pages)
}

/// The file: catalog, page tree, the two fonts, a page and a content stream per page.
fn write(title: &str, pages: Vec<pdf_writer::Buf>) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first = 6;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first + 2 * i as i32))
        .collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(title))
        .creator(TextStr("Almanach"));
    for (id, content) in page_ids.iter().zip(&pages) {
        let content_id = Ref::new(id.get() + 1);
        let mut page = pdf.page(*id);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_id);
        page.resources()
            .fonts()
            .pair(Font::Regular.name(), regular)
            .pair(Font::Bold.name(), bold);
        page.finish();
        pdf.stream(content_id, content);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_text_in_win_ansi() {
        assert_eq!(win_ansi("é à €"), [0xe9, b' ', 0xe0, b' ', 0x80]);
        assert_eq!(
            win_ansi("«\u{202f}replay\u{202f}»"),
            [0xab, 0xa0, b'r', b'e', b'p', b'l', b'a', b'y', 0xa0, 0xbb]
        );
        assert_eq!(win_ansi("œ – 漢"), [0x9c, b' ', 0x96, b' ', b'?']);
    }

    #[test]
    fn widths_follow_the_font() {
        assert_eq!(width("1", Font::Regular, 10.0), 5.56);
        assert!(width("Bilan", Font::Bold, 10.0) > width("Bilan", Font::Regular, 10.0));
        let lines = wrap(
            "Fréquentation des Samedis de l'innovation par saison",
            Font::Regular,
            10.0,
            100.0,
        );
        assert!(
            lines.len() > 1 && lines.iter().all(|l| width(l, Font::Regular, 10.0) <= 100.0),
            "{lines:?}"
        );
    }
}
