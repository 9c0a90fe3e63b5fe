//! Bar charts drawn by the server: the bars, their scale and their data
//! table, laid out once in a box of `WIDTH` units; the page draws the layout
//! as inline SVG and the PDF as vector paths, so both show the same chart.
//!
//! Legibility (issue 9, docs/decisions/0016): the box is about as wide as a
//! phone's card, so a label of `FONT` units is still 12 px there, and the
//! page caps its width so it does not grow past ~1.1× on a desktop. Texts
//! are measured (`text_width`, a generous estimate) so that labels wrap
//! instead of running into each other, tick labels never overlap, and bars
//! whose labels cannot stand side by side are laid out in rows.

/// The layout's width; heights depend on the chart.
pub const WIDTH: f64 = 400.0;
/// The size of every text, in layout units.
pub const FONT: f64 = 15.0;
/// A line of text, baseline to baseline.
const LINE: f64 = 17.0;
/// Vertical bars: room under the bars for their labels, above for values.
const V_HEIGHT: f64 = 250.0;
const V_TOP: f64 = 26.0;
const V_BOTTOM: f64 = 28.0;
const V_LEFT: f64 = 54.0;
/// Horizontal bars: one row each, labels on the left on up to two lines.
const H_ROW: f64 = 40.0;
const H_BAR: f64 = 18.0;
const H_LABEL: f64 = 230.0;
const H_VALUE: f64 = 56.0;
const H_TOP: f64 = 6.0;
/// Room under horizontal bars for the scale's values.
const H_SCALE: f64 = FONT + 10.0;
/// A label longer than this is cut with "…" in the PDF, which draws it on
/// one line (the table keeps it whole).
const LABEL_CHARS: usize = 34;

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// The value as people read it: "1 234", "12 %".
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Unique in a page: ids of the title and description.
    pub id: &'static str,
    pub title: String,
    /// The text alternative: every bar in words.
    pub summary: String,
    pub horizontal: bool,
    pub bars: Vec<Bar>,
    /// The scale's top: 100 for shares, else a round number above the highest bar.
    pub max: f64,
    /// Set by `with_max`: the scale keeps its top (shares end at 100 %).
    fixed: bool,
    /// The scale's grid lines, set by `scale`.
    pub ticks: Vec<Tick>,
    /// The data table next to the chart: its header, then its rows (the
    /// first cell of each heads the row).
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A rectangle and texts placed in the chart's box, y downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// The label on one line, cut to `LABEL_CHARS` (the PDF's).
    pub label: String,
    pub label_x: f64,
    pub label_y: f64,
    /// The label as the page draws it: up to two lines, each with its baseline.
    pub lines: Vec<Line>,
    pub text: String,
    pub text_x: f64,
    pub text_y: f64,
}

/// One line of a label and its baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub y: f64,
}

/// A grid line of the scale, and its value written beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub text: String,
    pub text_x: f64,
    pub text_y: f64,
}

/// Coordinates to a tenth: enough for a page, short in the SVG.
fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The smallest round number (1, 2, 2.5 or 5 times a power of ten) at or above `v`.
pub fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|c| *c >= v - 1e-9)
        .unwrap_or(10.0 * p)
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= LABEL_CHARS {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(LABEL_CHARS - 1).collect::<String>())
    }
}

/// The width of `s` at `size` units, bold or not: per-character estimates a
/// little above DejaVu Sans, the widest of the usual sans-serif fonts, so a
/// text measured to fit does fit whatever font the reader's system picks.
pub fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '\'' | '’' | '.' | ',' | ':' | ';' | '!' | '|' => 0.32,
            ' ' | '\u{a0}' | '\u{202f}' | 'f' | 't' | 'r' | '-' | '(' | ')' => 0.42,
            '0'..='9' => 0.64,
            'm' | 'w' | '%' | '€' => 0.98,
            'M' | 'W' => 1.0,
            c if c.is_uppercase() => 0.76,
            _ => 0.64,
        })
        .sum();
    em * size * if bold { 1.1 } else { 1.0 }
}

/// `s` in at most `max_lines` lines of at most `width` units, cut between
/// words; what does not fit ends the last line with "…".
pub fn wrap(s: &str, width: f64, max_lines: usize) -> Vec<String> {
    let fits = |t: &str| text_width(t, FONT, false) <= width;
    let cut = |t: &str| {
        let mut out: String = t.to_string();
        while !out.is_empty() && !fits(&format!("{out}…")) {
            out.pop();
        }
        format!("{}…", out.trim_end())
    };
    let mut lines: Vec<String> = Vec::new();
    let mut words = s.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let last = lines.len() + 1 == max_lines;
        let mut line = w.to_string();
        while let Some(next) = words.peek() {
            let candidate = format!("{line} {next}");
            if !fits(&candidate) {
                break;
            }
            line = candidate;
            words.next();
        }
        if last && words.peek().is_some() {
            let rest: Vec<&str> = words.collect();
            lines.push(cut(&format!("{line} {}", rest.join(" "))));
            return lines;
        }
        lines.push(if fits(&line) { line } else { cut(&line) });
    }
    lines
}

impl Chart {
    /// A chart whose scale fits its bars.
    pub fn new(
        id: &'static str,
        title: String,
        horizontal: bool,
        bars: Vec<Bar>,
        sep: &str,
    ) -> Chart {
        let top = bars.iter().map(|b| b.value).fold(0.0, f64::max);
        let summary = bars
            .iter()
            .map(|b| format!("{}{sep}: {}", b.label, b.text))
            .collect::<Vec<_>>()
            .join(" ; ");
        // Bars side by side only while their labels and values fit under and
        // over them; else in rows, where a label has room for two lines.
        let slot = (WIDTH - V_LEFT) / bars.len().max(1) as f64;
        let horizontal = horizontal
            || bars.iter().any(|b| {
                text_width(&b.label, FONT, false) > slot - 6.0
                    || text_width(&b.text, FONT, true) > slot - 2.0
            });
        Chart {
            id,
            title,
            summary,
            horizontal,
            bars,
            max: nice_ceiling(top),
            fixed: false,
            ticks: Vec::new(),
            head: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// The same chart on a fixed scale (shares: 0 to 100).
    pub fn with_max(mut self, max: f64) -> Chart {
        self.max = max;
        self.fixed = true;
        self
    }

    pub fn with_table(mut self, head: Vec<String>, rows: Vec<Vec<String>>) -> Chart {
        self.head = head;
        self.rows = rows;
        self
    }

    pub fn width(&self) -> f64 {
        WIDTH
    }

    pub fn font_size(&self) -> f64 {
        FONT
    }

    pub fn height(&self) -> f64 {
        if self.horizontal {
            H_TOP + H_ROW * self.bars.len().max(1) as f64 + H_SCALE
        } else {
            V_HEIGHT
        }
    }

    /// The scale from 0 to `max`, `fmt` wording each value: as many round
    /// steps (1, 2 or 5 times a power of ten, at most five) as leave room
    /// between their values, the top moved to the last step unless fixed.
    /// Whole steps only: a count is never written "2" where it is 2.5.
    pub fn scale(mut self, fmt: impl Fn(f64) -> String) -> Chart {
        let axis = if self.horizontal {
            WIDTH - H_LABEL - H_VALUE
        } else {
            V_HEIGHT - V_TOP - V_BOTTOM
        };
        let top = self.bars.iter().map(|b| b.value).fold(0.0, f64::max);
        // Side by side, two neighbours' values each take half their width
        // from the room between them; one above the other, a line.
        let room = |max: f64, n: u32| {
            let widths: Vec<f64> = (0..=n)
                .map(|i| text_width(&fmt(max * f64::from(i) / f64::from(n)), FONT, false))
                .collect();
            let needed = if self.horizontal {
                widths
                    .windows(2)
                    .map(|w| (w[0] + w[1]) / 2.0 + 8.0)
                    .fold(0.0, f64::max)
            } else {
                LINE
            };
            axis / f64::from(n) >= needed
        };
        let (max, n) = if self.fixed {
            let n = [4, 2]
                .into_iter()
                .find(|&n| {
                    let step = self.max / f64::from(n);
                    step.fract() == 0.0 && room(self.max, n)
                })
                .unwrap_or(1);
            (self.max, n)
        } else {
            let steps = (0..12).flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k)));
            steps
                .map(|step| {
                    let n = (top / step - 1e-9).ceil().max(1.0) as u32;
                    (step * f64::from(n), n)
                })
                .find(|&(max, n)| n <= 5 && room(max, n))
                .unwrap_or((nice_ceiling(top), 1))
        };
        self.max = max;
        let bottom = self.height() - H_SCALE;
        self.ticks = (0..=n)
            .map(|i| {
                let v = max * f64::from(i) / f64::from(n);
                if self.horizontal {
                    let x = r1(H_LABEL + axis * v / max);
                    Tick {
                        x1: x,
                        y1: H_TOP,
                        x2: x,
                        y2: bottom,
                        text: fmt(v),
                        text_x: x,
                        text_y: bottom + FONT + 2.0,
                    }
                } else {
                    let y = r1(V_HEIGHT - V_BOTTOM - axis * v / max);
                    Tick {
                        x1: V_LEFT,
                        y1: y,
                        x2: WIDTH,
                        y2: y,
                        text: fmt(v),
                        text_x: V_LEFT - 6.0,
                        text_y: r1(y + FONT * 0.35),
                    }
                }
            })
            .collect();
        self
    }

    /// Each bar with its label and value placed.
    pub fn placed(&self) -> Vec<Placed> {
        let n = self.bars.len().max(1) as f64;
        self.bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let share = (b.value / self.max).clamp(0.0, 1.0);
                if self.horizontal {
                    let y = H_TOP + H_ROW * i as f64 + (H_ROW - H_BAR) / 2.0;
                    let w = (WIDTH - H_LABEL - H_VALUE) * share;
                    let middle = y + H_BAR / 2.0 + FONT * 0.35;
                    let wrapped = wrap(&b.label, H_LABEL - 10.0, 2);
                    let first = middle - LINE / 2.0 * (wrapped.len() as f64 - 1.0);
                    Placed {
                        x: H_LABEL,
                        y: r1(y),
                        w: r1(w),
                        h: H_BAR,
                        label: shorten(&b.label),
                        label_x: H_LABEL - 8.0,
                        label_y: r1(middle),
                        lines: wrapped
                            .into_iter()
                            .enumerate()
                            .map(|(k, text)| Line {
                                text,
                                y: r1(first + LINE * k as f64),
                            })
                            .collect(),
                        text: b.text.clone(),
                        text_x: r1(H_LABEL + w + 6.0),
                        text_y: r1(middle),
                    }
                } else {
                    let slot = (WIDTH - V_LEFT) / n;
                    let w = (slot * 0.6).min(70.0);
                    let x = V_LEFT + slot * i as f64 + (slot - w) / 2.0;
                    let plot = V_HEIGHT - V_TOP - V_BOTTOM;
                    let h = plot * share;
                    let y = V_HEIGHT - V_BOTTOM - h;
                    let label_y = V_HEIGHT - V_BOTTOM + FONT + 3.0;
                    Placed {
                        x: r1(x),
                        y: r1(y),
                        w: r1(w),
                        h: r1(h),
                        label: shorten(&b.label),
                        label_x: r1(x + w / 2.0),
                        label_y,
                        lines: vec![Line {
                            text: b.label.clone(),
                            y: label_y,
                        }],
                        text: b.text.clone(),
                        text_x: r1(x + w / 2.0),
                        text_y: r1(y - 6.0),
                    }
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            text: value.to_string(),
        }
    }

    #[test]
    fn scales_end_on_round_numbers() {
        assert_eq!(nice_ceiling(429.0), 500.0);
        assert_eq!(nice_ceiling(141.0), 200.0);
        assert_eq!(nice_ceiling(22.0), 25.0);
        assert_eq!(nice_ceiling(100.0), 100.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
    }

    #[test]
    fn bars_are_as_long_as_their_share_of_the_scale() {
        let c = Chart::new(
            "t",
            "T".into(),
            false,
            vec![bar("2023-24", 141.0), bar("2024-25", 429.0)],
            " ",
        );
        assert_eq!(c.max, 500.0);
        let p = c.placed();
        let plot = V_HEIGHT - V_TOP - V_BOTTOM;
        assert!((p[1].h - plot * 429.0 / 500.0).abs() < 0.06);
        assert!((p[0].h - plot * 141.0 / 500.0).abs() < 0.06);
        assert!(p[0].x < p[1].x, "left to right in order");
        assert_eq!(
            p[1].y + p[1].h,
            V_HEIGHT - V_BOTTOM,
            "bars stand on the axis"
        );
        assert_eq!(c.summary, "2023-24 : 141 ; 2024-25 : 429");

        let h = Chart::new(
            "h",
            "H".into(),
            true,
            vec![bar(
                "Un titre de thématique bien trop long pour tenir",
                10.0,
            )],
            " ",
        )
        .with_max(100.0);
        let p = h.placed();
        assert!((p[0].w - (WIDTH - H_LABEL - H_VALUE) * 0.1).abs() < 0.06);
        assert!(p[0].label.ends_with('…') && p[0].label.chars().count() == LABEL_CHARS);
        let h = h.scale(|v| format!("{v}\u{a0}%"));
        assert_eq!(
            h.ticks.iter().map(|t| t.text.clone()).collect::<Vec<_>>(),
            ["0\u{a0}%", "50\u{a0}%", "100\u{a0}%"],
            "shares keep their 100 %, in as many steps as their values have room for"
        );
        assert_eq!(
            (h.ticks[0].x1, h.ticks[2].x1),
            (H_LABEL, WIDTH - H_VALUE),
            "the scale spans the bars' room"
        );
    }

    /// The labels of a chart in a phone's card (about 330 px for `WIDTH`)
    /// are at least 12 px, and not twice that on a desktop (the page caps
    /// the chart at 1.1 × `WIDTH`).
    #[test]
    fn labels_are_legible_on_a_phone_and_not_huge_on_a_desktop() {
        const { assert!(FONT * 330.0 / WIDTH >= 12.0) };
        const { assert!(FONT * 1.1 <= 17.0) };
    }

    #[test]
    fn a_count_is_scaled_in_whole_steps_that_have_room_for_their_values() {
        // 10 on a scale of four steps would write 2.5 as "2" and 7.5 as "8".
        let c = Chart::new(
            "c",
            "C".into(),
            true,
            vec![
                bar("Créer un jeu avec Scratch et l'IA", 10.0),
                bar("IA", 4.0),
            ],
            " ",
        )
        .scale(|v| format!("{v:.0}"));
        let values: Vec<f64> = c.ticks.iter().map(|t| t.text.parse().unwrap()).collect();
        assert_eq!(values.first(), Some(&0.0));
        for (t, v) in c.ticks.iter().zip(&values) {
            let at = H_LABEL + (WIDTH - H_LABEL - H_VALUE) * v / c.max;
            assert!(
                (t.x1 - at).abs() < 0.1,
                "{} written where {} is",
                t.text,
                (t.x1 - H_LABEL) / (WIDTH - H_LABEL - H_VALUE) * c.max
            );
        }
        assert_eq!(c.max, *values.last().unwrap());
        assert!(c.max >= 10.0);
        for pair in c.ticks.windows(2) {
            let room = pair[1].text_x - pair[0].text_x;
            let need = (text_width(&pair[0].text, FONT, false)
                + text_width(&pair[1].text, FONT, false))
                / 2.0;
            assert!(room > need, "{} and {} overlap", pair[0].text, pair[1].text);
        }
        // 1111 people: 0, 500, 1 000, 1 500 rather than an empty half scale.
        let v = Chart::new("v", "V".into(), false, vec![bar("2023-24", 1111.0)], " ")
            .scale(|v| format!("{v}"));
        assert_eq!(v.max, 1500.0);
        assert_eq!(v.ticks.len(), 4);
    }

    #[test]
    fn long_labels_wrap_on_two_lines_that_fit_and_keep_what_tells_them_apart() {
        let c = Chart::new(
            "u",
            "U".into(),
            true,
            vec![
                bar("Samedis de l'innovation 2025-2026", 12.0),
                bar("Samedis de l'innovation 2026-2027", 19.0),
                bar("Accompagnement individuel", 0.0),
                bar(
                    "Un titre de thématique vraiment beaucoup trop long pour tenir sur deux lignes",
                    3.0,
                ),
            ],
            " ",
        );
        let placed = c.placed();
        for p in &placed {
            assert!((1..=2).contains(&p.lines.len()), "{:?}", p.lines);
            for l in &p.lines {
                assert!(
                    text_width(&l.text, FONT, false) <= H_LABEL - 10.0,
                    "{}",
                    l.text
                );
            }
            if p.lines.len() == 2 {
                assert!((p.lines[1].y - p.lines[0].y - LINE).abs() < 0.11);
            }
        }
        assert!(placed[0].lines.last().unwrap().text.ends_with("2025-2026"));
        assert!(placed[1].lines.last().unwrap().text.ends_with("2026-2027"));
        assert!(placed[3].lines[1].text.ends_with('…'));
        // Rows never overlap: each row's lines stay within its height.
        for (i, p) in placed.iter().enumerate() {
            let top = H_TOP + H_ROW * i as f64;
            assert!(p.lines[0].y - FONT >= top - 1.0 && p.lines.last().unwrap().y <= top + H_ROW);
        }
    }

    #[test]
    fn bars_whose_labels_cannot_stand_side_by_side_are_laid_in_rows() {
        let seasons: Vec<Bar> = (2015..2026)
            .map(|y| bar(&format!("{y}-{}", (y + 1) % 100), 100.0))
            .collect();
        assert!(Chart::new("s", "S".into(), false, seasons, " ").horizontal);
        let four: Vec<Bar> = (2022..2026)
            .map(|y| bar(&format!("{y}-{}", (y + 1) % 100), 100.0))
            .collect();
        let c = Chart::new("s", "S".into(), false, four, " ");
        assert!(!c.horizontal);
        let p = c.placed();
        for pair in p.windows(2) {
            let gap = pair[1].label_x - pair[0].label_x;
            assert!(gap > text_width(&pair[0].lines[0].text, FONT, false) + 4.0);
        }
    }
}
