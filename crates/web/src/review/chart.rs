//! Bar charts drawn by the server: the bars, their scale and their data
//! table, laid out once in a box of `WIDTH` units; the page draws the layout
//! as inline SVG and the PDF as vector paths, so both show the same chart.

/// The layout's width; heights depend on the chart.
pub const WIDTH: f64 = 640.0;
/// Vertical bars: room under the bars for their labels, above for values.
const V_HEIGHT: f64 = 260.0;
const V_TOP: f64 = 24.0;
const V_BOTTOM: f64 = 36.0;
const V_LEFT: f64 = 56.0;
/// Horizontal bars: one row each, labels on the left.
const H_ROW: f64 = 30.0;
const H_LABEL: f64 = 230.0;
const H_VALUE: f64 = 80.0;
const H_TOP: f64 = 8.0;
/// A label longer than this is cut with "…" (the table keeps it whole).
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
    pub label: String,
    pub label_x: f64,
    pub label_y: f64,
    pub text: String,
    pub text_x: f64,
    pub text_y: f64,
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
        Chart {
            id,
            title,
            summary,
            horizontal,
            bars,
            max: nice_ceiling(top),
            ticks: Vec::new(),
            head: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// The same chart on a fixed scale (shares: 0 to 100).
    pub fn with_max(mut self, max: f64) -> Chart {
        self.max = max;
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

    pub fn height(&self) -> f64 {
        if self.horizontal {
            H_TOP * 2.0 + H_ROW * self.bars.len().max(1) as f64 + 16.0
        } else {
            V_HEIGHT
        }
    }

    /// The scale in four steps from 0 to `max`, `fmt` wording each value.
    pub fn scale(mut self, fmt: impl Fn(f64) -> String) -> Chart {
        let bottom = self.height() - 16.0;
        self.ticks = (0..=4)
            .map(|i| {
                let v = self.max * f64::from(i) / 4.0;
                if self.horizontal {
                    let x = r1(H_LABEL + (WIDTH - H_LABEL - H_VALUE) * v / self.max);
                    Tick {
                        x1: x,
                        y1: H_TOP,
                        x2: x,
                        y2: bottom,
                        text: fmt(v),
                        text_x: x,
                        text_y: bottom + 13.0,
                    }
                } else {
                    let y = r1(V_HEIGHT - V_BOTTOM - (V_HEIGHT - V_TOP - V_BOTTOM) * v / self.max);
                    Tick {
                        x1: V_LEFT,
                        y1: y,
                        x2: WIDTH,
                        y2: y,
                        text: fmt(v),
                        text_x: V_LEFT - 6.0,
                        text_y: y + 4.0,
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
                    let y = H_TOP + H_ROW * i as f64 + 5.0;
                    let h = H_ROW - 10.0;
                    let w = (WIDTH - H_LABEL - H_VALUE) * share;
                    Placed {
                        x: H_LABEL,
                        y: r1(y),
                        w: r1(w),
                        h: r1(h),
                        label: shorten(&b.label),
                        label_x: H_LABEL - 8.0,
                        label_y: r1(y + h / 2.0 + 4.0),
                        text: b.text.clone(),
                        text_x: r1(H_LABEL + w + 6.0),
                        text_y: r1(y + h / 2.0 + 4.0),
                    }
                } else {
                    let slot = (WIDTH - V_LEFT) / n;
                    let w = (slot * 0.6).min(90.0);
                    let x = V_LEFT + slot * i as f64 + (slot - w) / 2.0;
                    let plot = V_HEIGHT - V_TOP - V_BOTTOM;
                    let h = plot * share;
                    let y = V_HEIGHT - V_BOTTOM - h;
                    Placed {
                        x: r1(x),
                        y: r1(y),
                        w: r1(w),
                        h: r1(h),
                        label: shorten(&b.label),
                        label_x: r1(x + w / 2.0),
                        label_y: V_HEIGHT - V_BOTTOM + 18.0,
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
        let h = h.scale(|v| v.to_string());
        assert_eq!(
            h.ticks.iter().map(|t| t.text.clone()).collect::<Vec<_>>(),
            ["0", "25", "50", "75", "100"]
        );
        assert_eq!(
            (h.ticks[0].x1, h.ticks[4].x1),
            (H_LABEL, WIDTH - H_VALUE),
            "the scale spans the bars' room"
        );
    }
}
