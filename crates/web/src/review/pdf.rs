//! The season review as a PDF a mayor's office reads: page 1 holds the
//! library, the title and period, the date of issue, the key figures as large
//! numbers in a grid and the charts that fit; then the other charts, the
//! tables (headers repeated on each page they span) and each chart's data.
//! Charts are vector paths drawn from the same layout as the page's SVG.
//! Text is set in DejaVu Sans, embedded (`crate::pdf_fonts`), so every name
//! prints as typed; numbers come worded by `almanach_domain::fmt`.

use almanach_domain::fmt::date_long;
use pdf_writer::{Content, Filter, Finish, Pdf, Rect, Ref, TextStr};

use super::chart::Chart;
use super::document::ReviewView;
use super::figures::{Figure, RowView};
use super::format::Fmt;
use crate::pdf_fonts::{Font, Fonts, deflate, width};

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 48.0;
const TOP: f32 = PAGE_H - 44.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// Where content stops, above the footer.
const BOTTOM: f32 = 50.0;
const FOOTER: f32 = 30.0;

const INK: (f32, f32, f32) = (0.12, 0.16, 0.22);
const MUTED: (f32, f32, f32) = (0.29, 0.33, 0.39);
const ACCENT: (f32, f32, f32) = (0.12, 0.37, 0.66);
const LINE: (f32, f32, f32) = (0.82, 0.84, 0.86);
const BAND: (f32, f32, f32) = (0.95, 0.96, 0.97);

/// Key figures a row on page 1.
const FIGURE_COLUMNS: usize = 3;
const TABLE_SIZE: f32 = 8.0;

/// Words on lines no wider than `max`; a word too long for a line stays
/// whole. Only ordinary spaces break: no-break spaces hold "12 %" together.
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

/// A key figure's number, set large, and the words after it:
/// "1 à 6 séances par thème" gives "1 à 6" and "séances par thème",
/// "3,05 €" stays whole. `fmt` joins a number and its unit with a no-break space.
fn number_and_unit(value: &str) -> (&str, &str) {
    let numeric = |t: &str| {
        t == "%"
            || t == "€"
            || t.trim_start_matches(['+', '−', '-', '€'])
                .starts_with(|c: char| c.is_ascii_digit())
    };
    let parts: Vec<&str> = value.split('\u{a0}').collect();
    let mut end = 0;
    let mut pos = 0;
    for (i, t) in parts.iter().enumerate() {
        let range_word =
            i > 0 && matches!(*t, "à" | "to") && parts.get(i + 1).is_some_and(|n| numeric(n));
        if !(numeric(t) || range_word) {
            break;
        }
        end = pos + t.len();
        pos = end + '\u{a0}'.len_utf8();
    }
    if end == 0 || end >= value.len() {
        (value, "")
    } else {
        (&value[..end], value[end..].trim_start_matches('\u{a0}'))
    }
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// The document being laid out: finished pages and the current one, with
/// `y` the top of the free space (PDF points, from the bottom), and the
/// characters set so far in each font.
struct Doc {
    pages: Vec<Content>,
    page: Content,
    y: f32,
    fonts: Fonts,
}

impl Doc {
    fn new() -> Doc {
        Doc {
            pages: Vec::new(),
            page: Content::new(),
            y: TOP,
            fonts: Fonts::new(),
        }
    }

    fn on_first_page(&self) -> bool {
        self.pages.is_empty()
    }

    fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(done);
        self.y = TOP;
    }

    fn fits(&self, h: f32) -> bool {
        self.y - h >= BOTTOM
    }

    /// Room for `h` points more, or a new page.
    fn need(&mut self, h: f32) {
        if !self.fits(h) {
            self.new_page();
        }
    }

    fn text(
        &mut self,
        s: &str,
        (font, size): (Font, f32),
        x: f32,
        y: f32,
        align: Align,
        (r, g, b): (f32, f32, f32),
    ) {
        let x = match align {
            Align::Left => x,
            Align::Center => x - width(s, font, size) / 2.0,
            Align::Right => x - width(s, font, size),
        };
        self.page.set_fill_rgb(r, g, b);
        self.fonts.show(&mut self.page, s, (font, size), (x, y));
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, (r, g, b): (f32, f32, f32)) {
        self.page
            .set_fill_rgb(r, g, b)
            .rect(x, y, w, h)
            .fill_nonzero();
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, (r, g, b): (f32, f32, f32), width: f32) {
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
            self.y -= size * 1.15;
            self.text(&line, (font, size), MARGIN, self.y, Align::Left, colour);
            self.y -= size * 0.3;
        }
    }

    /// A section's title, kept with at least `keep` points of what follows.
    fn heading(&mut self, s: &str, size: f32, keep: f32) {
        self.need(size * 2.0 + keep);
        self.y -= size * 0.6;
        self.paragraph(s, Font::Bold, size, INK);
        self.y -= size * 0.4;
    }

    /// Page 1's head: who, what, when, and the day it was made.
    fn masthead(&mut self, v: &ReviewView) {
        let tr = &v.tr;
        self.rect(0.0, PAGE_H - 10.0, PAGE_W, 10.0, ACCENT);
        let issued = v
            .issued
            .map(|d| tr.tf("review.pdf.issued", &[("date", date_long(d, tr.lang))]))
            .unwrap_or_default();
        let issued_w = width(&issued, Font::Regular, 8.5);
        let library = wrap(&v.library, Font::Bold, 10.5, CONTENT_W - issued_w - 24.0);
        self.y -= 10.5;
        if !issued.is_empty() {
            let y = self.y;
            self.text(
                &issued,
                (Font::Regular, 8.5),
                PAGE_W - MARGIN,
                y,
                Align::Right,
                MUTED,
            );
        }
        for line in library {
            let y = self.y;
            self.text(&line, (Font::Bold, 10.5), MARGIN, y, Align::Left, ACCENT);
            self.y -= 13.0;
        }
        self.y -= 8.0;
        self.paragraph(&v.title, Font::Bold, 22.0, INK);
        self.y -= 2.0;
        self.paragraph(&v.period, Font::Regular, 11.0, INK);
        if let Some(s) = &v.series_filter {
            self.paragraph(
                &tr.tf("review.series_filter", &[("series", s.clone())]),
                Font::Regular,
                11.0,
                INK,
            );
        }
        self.y -= 8.0;
        let y = self.y;
        self.hline(MARGIN, PAGE_W - MARGIN, y, LINE, 0.75);
        self.y -= 4.0;
    }

    /// The key figures, three to a row: the number large, its unit after
    /// it (or under it when too long), what it counts, and the change.
    fn figures(&mut self, figures: &[Figure]) {
        let gap = 8.0;
        let cols = FIGURE_COLUMNS as f32;
        let box_w = (CONTENT_W - gap * (cols - 1.0)) / cols;
        let inner = box_w - 22.0;
        let (number_size, unit_size, label_size, change_size) = (21.0, 10.0, 8.5, 8.0);
        struct Laid {
            number: Vec<String>,
            /// On the number's last line, or under it.
            unit_inline: bool,
            unit: Vec<String>,
            label: Vec<String>,
            change: Vec<String>,
        }
        impl Laid {
            fn height(&self, sizes: (f32, f32, f32, f32)) -> f32 {
                let (n, u, l, c) = sizes;
                let units = if self.unit_inline { 0 } else { self.unit.len() };
                self.number.len() as f32 * n * 1.1
                    + units as f32 * u * 1.3
                    + self.label.len() as f32 * l * 1.3
                    + self.change.len() as f32 * c * 1.35
            }
        }
        let sizes = (number_size, unit_size, label_size, change_size);
        for row in figures.chunks(FIGURE_COLUMNS) {
            let laid: Vec<Laid> = row
                .iter()
                .map(|fig| {
                    let (number, unit) = number_and_unit(&fig.value);
                    let number = wrap(number, Font::Bold, number_size, inner);
                    let last = number
                        .last()
                        .map_or(0.0, |l| width(l, Font::Bold, number_size));
                    let unit_inline =
                        unit.is_empty() || last + 5.0 + width(unit, Font::Bold, unit_size) <= inner;
                    Laid {
                        unit: if unit_inline {
                            vec![unit.to_string()]
                        } else {
                            wrap(unit, Font::Bold, unit_size, inner)
                        },
                        number,
                        unit_inline,
                        label: wrap(&fig.label, Font::Regular, label_size, inner),
                        change: if fig.change.is_empty() {
                            Vec::new()
                        } else {
                            wrap(&fig.change, Font::Bold, change_size, inner)
                        },
                    }
                })
                .collect();
            let box_h = laid.iter().map(|l| l.height(sizes)).fold(0.0, f32::max) + 18.0;
            self.need(box_h + gap);
            for (i, fig) in laid.iter().enumerate() {
                let x = MARGIN + i as f32 * (box_w + gap) + 12.0;
                let top = self.y;
                self.rect(x - 12.0, top - box_h, box_w, box_h, BAND);
                self.rect(x - 12.0, top - box_h, 3.0, box_h, ACCENT);
                let mut y = top - 6.0;
                for l in &fig.number {
                    y -= number_size;
                    self.text(l, (Font::Bold, number_size), x, y, Align::Left, INK);
                    y -= number_size * 0.1;
                }
                if fig.unit_inline {
                    let after = fig
                        .number
                        .last()
                        .map_or(0.0, |l| width(l, Font::Bold, number_size) + 5.0);
                    let unit_y = y + number_size * 0.1;
                    self.text(
                        &fig.unit[0],
                        (Font::Bold, unit_size),
                        x + after,
                        unit_y,
                        Align::Left,
                        INK,
                    );
                } else {
                    for l in &fig.unit {
                        y -= unit_size * 1.3;
                        self.text(l, (Font::Bold, unit_size), x, y, Align::Left, INK);
                    }
                }
                y -= 3.0;
                for l in &fig.label {
                    y -= label_size * 1.3;
                    self.text(l, (Font::Regular, label_size), x, y, Align::Left, MUTED);
                }
                for l in &fig.change {
                    y -= change_size * 1.35;
                    self.text(l, (Font::Bold, change_size), x, y, Align::Left, ACCENT);
                }
            }
            self.y -= box_h + gap;
        }
    }

    /// The room `table` takes, first row to last.
    fn table_height(head: &[String], rows: &[Vec<String>], widths: &[f32]) -> f32 {
        let height = |cells: &[String], font: Font| {
            cells
                .iter()
                .zip(widths)
                .map(|(c, w)| wrap(c, font, TABLE_SIZE, w - 8.0).len())
                .max()
                .unwrap_or(1) as f32
                * TABLE_SIZE
                * 1.3
                + 7.0
        };
        height(head, Font::Bold) + rows.iter().map(|r| height(r, Font::Regular)).sum::<f32>() + 14.0
    }

    /// What to keep with a title: the whole of a table that fits on a page,
    /// else its first rows.
    fn keep(h: f32) -> f32 {
        if h <= TOP - BOTTOM - 60.0 { h } else { 80.0 }
    }

    /// A table whose first column is left-aligned and the others right-aligned;
    /// the header is repeated on each page it spans.
    fn table(&mut self, head: &[String], rows: &[Vec<String>], widths: &[f32]) {
        let size = TABLE_SIZE;
        let total: f32 = widths.iter().sum();
        let cell_lines = |cells: &[String], font: Font| -> Vec<Vec<String>> {
            cells
                .iter()
                .zip(widths)
                .map(|(c, w)| wrap(c, font, size, w - 8.0))
                .collect()
        };
        let height = |lines: &[Vec<String>]| {
            lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * size * 1.3 + 7.0
        };
        let head_lines = cell_lines(head, Font::Bold);
        let head_h = height(&head_lines);
        let draw_row = |doc: &mut Doc, lines: &[Vec<String>], h: f32, font: Font, band: bool| {
            if band {
                doc.rect(MARGIN, doc.y - h, total, h, BAND);
            }
            let mut x = MARGIN;
            for (i, (cell, w)) in lines.iter().zip(widths).enumerate() {
                for (k, line) in cell.iter().enumerate() {
                    let y = doc.y - 4.0 - size - k as f32 * size * 1.3;
                    if i == 0 {
                        doc.text(line, (font, size), x + 4.0, y, Align::Left, INK);
                    } else {
                        doc.text(line, (font, size), x + w - 4.0, y, Align::Right, INK);
                    }
                }
                x += w;
            }
            doc.y -= h;
            let y = doc.y;
            doc.hline(MARGIN, MARGIN + total, y, LINE, 0.5);
        };
        self.need(head_h + 20.0);
        draw_row(self, &head_lines, head_h, Font::Bold, true);
        for row in rows {
            let lines = cell_lines(row, Font::Regular);
            let h = height(&lines);
            if !self.fits(h) {
                self.new_page();
                draw_row(self, &head_lines, head_h, Font::Bold, true);
            }
            draw_row(self, &lines, h, Font::Regular, false);
        }
        self.y -= 14.0;
    }

    /// A chart's scale: its layout's width brought to the content width.
    fn chart_scale(c: &Chart) -> f32 {
        (CONTENT_W / c.width() as f32).min(1.0)
    }

    /// The room a chart takes with its title.
    fn chart_height(c: &Chart) -> f32 {
        let title = wrap(&c.title, Font::Bold, 12.0, CONTENT_W).len() as f32 * 12.0 * 1.45;
        title + 14.0 + c.height() as f32 * Doc::chart_scale(c)
    }

    /// A chart with its title; its data goes with the tables.
    fn chart(&mut self, c: &Chart) {
        let scale = Doc::chart_scale(c);
        let h = c.height() as f32 * scale;
        self.need(Doc::chart_height(c));
        self.y -= 6.0;
        self.paragraph(&c.title, Font::Bold, 12.0, INK);
        self.y -= 8.0;
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
    }

    /// A chart's data as a table under its title.
    fn chart_table(&mut self, c: &Chart) {
        let n = c.head.len().max(1);
        let first = (CONTENT_W * 0.42).min(220.0);
        let rest = (CONTENT_W - first) / (n - 1).max(1) as f32;
        let widths: Vec<f32> = (0..n).map(|i| if i == 0 { first } else { rest }).collect();
        let h = Doc::table_height(&c.head, &c.rows, &widths);
        self.heading(&c.title, 11.0, Doc::keep(h));
        self.table(&c.head, &c.rows, &widths);
    }
}

/// The review as PDF bytes.
pub fn render(v: &ReviewView) -> Vec<u8> {
    let tr = &v.tr;
    let f = Fmt { lang: tr.lang };
    let mut doc = Doc::new();

    // Page 1: the masthead, the key figures, and the charts that fit, in order.
    doc.masthead(v);
    doc.heading(tr.t("review.key_figures"), 13.0, 60.0);
    doc.figures(&v.figures);
    for n in &v.notes {
        doc.paragraph(n, Font::Regular, 8.5, MUTED);
    }
    let mut later = Vec::new();
    for c in &v.charts {
        if doc.on_first_page() && doc.fits(Doc::chart_height(c)) {
            doc.chart(c);
        } else {
            later.push(c);
        }
    }
    if !later.is_empty() {
        doc.new_page();
        doc.heading(tr.t("review.charts"), 15.0, 100.0);
        for c in later {
            doc.chart(c);
        }
    }

    // Per series: indicators down, series across (a page is too narrow for
    // fourteen columns), four series a table.
    let all: Vec<&RowView> = v.rows.iter().chain(std::iter::once(&v.total)).collect();
    for (n, group) in all.chunks(4).enumerate() {
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
        let first = 140.0;
        let rest = (CONTENT_W - first) / group.len() as f32;
        let widths: Vec<f32> = (0..head.len())
            .map(|i| if i == 0 { first } else { rest })
            .collect();
        let h = Doc::table_height(&head, &rows, &widths);
        if n == 0 {
            doc.heading(tr.t("review.by_series"), 15.0, Doc::keep(h + 20.0));
            doc.paragraph(tr.t("review.table_caption"), Font::Regular, 8.5, MUTED);
            doc.y -= 6.0;
        } else {
            doc.need(Doc::keep(h));
        }
        doc.table(&head, &rows, &widths);
    }

    if let Some(p) = &v.previous_period {
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
        let widths = [170.0, 90.0, 90.0, CONTENT_W - 350.0];
        let h = Doc::table_height(&head, &rows, &widths);
        doc.heading(
            &tr.tf("review.compare_with", &[("period", p.clone())]),
            15.0,
            Doc::keep(h),
        );
        doc.table(&head, &rows, &widths);
    }

    if !v.charts.is_empty() {
        doc.heading(tr.t("review.pdf.chart_data"), 15.0, 120.0);
        for c in &v.charts {
            doc.chart_table(c);
        }
    }
    doc.pages
        .push(std::mem::replace(&mut doc.page, Content::new()));

    // Footers, now that the count is known: the title, the page number.
    let total = doc.pages.len();
    let mut pages = Vec::with_capacity(total);
    for (i, mut c) in std::mem::take(&mut doc.pages).into_iter().enumerate() {
        let label = tr.tf(
            "review.pdf.page",
            &[("n", f.int(i as i64 + 1)), ("total", f.int(total as i64))],
        );
        let (r, g, b) = LINE;
        c.set_stroke_rgb(r, g, b)
            .set_line_width(0.5)
            .move_to(MARGIN, FOOTER + 12.0)
            .line_to(PAGE_W - MARGIN, FOOTER + 12.0)
            .stroke();
        let (r, g, b) = MUTED;
        c.set_fill_rgb(r, g, b);
        let label_w = width(&label, Font::Regular, 8.0);
        let footer = (Font::Regular, 8.0);
        doc.fonts
            .show(&mut c, &label, footer, (PAGE_W - MARGIN - label_w, FOOTER));
        let room = CONTENT_W - label_w - 24.0;
        let title = wrap(&v.title, Font::Regular, 8.0, room)
            .into_iter()
            .next()
            .unwrap_or_default();
        doc.fonts.show(&mut c, &title, footer, (MARGIN, FOOTER));
        pages.push(c.finish());
    }
    write(v, &pages, &doc.fonts)
}

/// The file: catalog, page tree, information, the fonts, and a page and its
/// compressed content stream per page.
fn write(v: &ReviewView, pages: &[pdf_writer::Buf], fonts: &Fonts) -> Vec<u8> {
    let mut next = Ref::new(1);
    let catalog = next.bump();
    let tree = next.bump();
    let info = next.bump();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (next.bump(), next.bump())).collect();
    let mut pdf = Pdf::new();
    {
        let mut cat = pdf.catalog(catalog);
        cat.pages(tree).lang(TextStr(v.tr.code()));
        cat.viewer_preferences().display_doc_title(true);
    }
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(pages.len() as i32);
    pdf.document_info(info)
        .title(TextStr(&v.title))
        .author(TextStr(&v.library))
        .creator(TextStr("Almanach"));
    let font_refs = fonts.write(&mut pdf, &mut next);
    for ((id, content_id), content) in page_ids.iter().zip(pages) {
        let mut page = pdf.page(*id);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(*content_id);
        let mut resources = page.resources();
        let mut names = resources.fonts();
        for (name, r) in &font_refs {
            names.pair(*name, *r);
        }
        names.finish();
        resources.finish();
        page.finish();
        pdf.stream(*content_id, &deflate(content))
            .filter(Filter::FlateDecode);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pdf_writer::Str;

    #[test]
    fn lines_break_at_spaces_only() {
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
        let tight = width("1\u{a0}à\u{a0}6", Font::Regular, 10.0);
        assert_eq!(wrap("", Font::Regular, 10.0, 10.0), [""]);
        assert_eq!(
            wrap("1\u{a0}à\u{a0}6", Font::Regular, 10.0, tight - 1.0).len(),
            1
        );
    }

    /// A table longer than a page goes on over the next ones, its header
    /// repeated at the top of each.
    #[test]
    fn long_tables_repeat_their_header_on_each_page() {
        let mut doc = Doc::new();
        let head = vec!["Thématique".to_string(), "Participants".to_string()];
        let rows: Vec<Vec<String>> = (0..150)
            .map(|i| vec![format!("Thème n° {i}"), i.to_string()])
            .collect();
        doc.table(&head, &rows, &[300.0, CONTENT_W - 300.0]);
        doc.pages
            .push(std::mem::replace(&mut doc.page, Content::new()));
        assert!(doc.pages.len() >= 3, "{} pages", doc.pages.len());
        // A string as the content stream writes it.
        let mut shown = |s: &str, font: Font| {
            let mut c = Content::new();
            c.show(Str(&doc.fonts.encode(s, font)));
            let op = c.finish().to_vec();
            op[..op.len() - " Tj".len()].to_vec()
        };
        let header = shown("Participants", Font::Bold);
        let last_row = shown("Thème n° 149", Font::Regular);
        let pages: Vec<Vec<u8>> = doc.pages.into_iter().map(|c| c.finish().to_vec()).collect();
        let holds = |page: &[u8], s: &[u8]| page.windows(s.len()).any(|w| w == s);
        for (i, page) in pages.iter().enumerate() {
            assert!(holds(page, &header), "no header on page {}", i + 1);
        }
        assert!(
            holds(pages.last().unwrap(), &last_row),
            "every row is drawn"
        );
    }

    #[test]
    fn key_figures_split_their_number_from_their_unit() {
        let nb = |s: &str| s.replace('~', "\u{a0}");
        for (value, number, unit) in [
            ("1~à~6~séances par thème", "1~à~6", "séances par thème"),
            ("4~pers. / atelier", "4", "pers. / atelier"),
            ("142~pers.~<~14 ans", "142", "pers.~<~14 ans"),
            ("3,05~€", "3,05~€", ""),
            ("1\u{202f}067", "1\u{202f}067", ""),
            ("12~%", "12~%", ""),
            ("ages~4~to~6", "ages~4~to~6", ""),
        ] {
            let v = nb(value);
            assert_eq!(
                number_and_unit(&v),
                (nb(number).as_str(), nb(unit).as_str()),
                "{value}"
            );
        }
    }
}
