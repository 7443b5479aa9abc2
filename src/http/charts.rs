//! Server-rendered charts (R19, R27, R28): each chart is an SVG drawing beside a real table of
//! its figures, inside a `<figure>` with its `<figcaption>`, so it reads without JavaScript,
//! without images, with a screen reader and on paper. Pure: `ChartData` and the page's language
//! in, text out; `templates/charts.html` lays a `ChartSet` out.
//!
//! # Using the charts on a page
//!
//! Give the page's template a field `charts: ChartSet` and write `{% include "charts.html" %}`
//! where the section goes (the partial needs nothing else from the page: every text is in the
//! `ChartSet`, already in the page's language). Build the value with
//!
//! - `render(&service::charts::live(conn, &config, draft_id)?, t, "live")` for the live state
//!   of a draft's current round (undisposed comments count under the outcome "not yet
//!   disposed"), or
//! - `render(&service::charts::of_report(conn, &config, &report_row)?, t, "report")` for a
//!   prepared or published report.
//!
//! The last argument prefixes every `id` in the markup: use a different one for each chart
//! set on one page. The styles are in `site.css` (`.charts`), so the partial works under the
//! staff pages' strict content security policy too.

use std::fmt::Write;

use chrono::NaiveDate;

use crate::domain::charts::{ChartData, MARKET_ENTITIES};
use crate::lang::ftl::{self, T};

/// The charts section of a page.
#[derive(Debug, Clone)]
pub struct ChartSet {
    /// Prefix of the ids in the markup.
    pub id: String,
    pub heading: String,
    /// "N comments in all".
    pub summary: String,
    pub charts: Vec<Chart>,
}

/// One chart: its drawing and the table of its figures.
#[derive(Debug, Clone)]
pub struct Chart {
    pub id: String,
    pub caption: String,
    /// An `<svg>` element (escaped here; the template writes it as it is).
    pub svg: String,
    pub key_label: String,
    pub value_label: String,
    /// The heading of the notes column, when any row has a note.
    pub note_label: Option<String>,
    pub rows: Vec<ChartRow>,
    /// A long table (one row per day) that scrolls inside its box on screen.
    pub tall: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartRow {
    pub label: String,
    pub value: i64,
    pub note: String,
    /// Drawn in the highlight colour (market entities); the note says why.
    pub highlight: bool,
}

/// Text for SVG and HTML: `&`, `<`, `>` and quotes escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The readable name of a stored value (`pub-value-…`), an article number as "Article n",
/// and `none` as "no article" or, for outcomes, "not yet disposed".
fn label(t: T, key: &str, outcome: bool) -> String {
    if outcome && key == "none" {
        return t.s("pub-chart-undisposed");
    }
    if let Ok(n) = key.parse::<i64>() {
        return t.n("pub-article", n);
    }
    let id = format!("pub-value-{key}");
    if ftl::has(t.0, &id) {
        t.s(&id)
    } else {
        key.to_string()
    }
}

/// Draws the whole set in the language of `t`.
pub fn render(data: &ChartData, t: T, id: &str) -> ChartSet {
    let mut charts = Vec::new();
    if !data.days.is_empty() {
        charts.push(timeline(data, t, &format!("{id}-days")));
    }
    let market_note = t.s("pub-chart-market-note");
    let bars_of = |rows: &[(String, i64)], outcome: bool, market: bool| -> Vec<ChartRow> {
        rows.iter()
            .map(|(k, n)| {
                let highlight = market && MARKET_ENTITIES.contains(&k.as_str());
                ChartRow {
                    label: label(t, k, outcome),
                    value: *n,
                    note: if highlight {
                        market_note.clone()
                    } else {
                        String::new()
                    },
                    highlight,
                }
            })
            .collect()
    };
    let market = data.market_entities_by_outcome.is_some();
    charts.push(bars(
        &format!("{id}-kinds"),
        t.s("pub-report-by-stakeholder"),
        t.s("pub-report-col-kind"),
        t,
        bars_of(&data.by_stakeholder_type, false, market),
    ));
    if let Some(m) = &data.market_entities_by_outcome {
        charts.push(bars(
            &format!("{id}-market"),
            t.s("pub-report-market-entities"),
            t.s("pub-report-col-outcome"),
            t,
            bars_of(m, true, false),
        ));
    }
    charts.push(bars(
        &format!("{id}-articles"),
        t.s("pub-report-by-article"),
        t.s("pub-report-col-article"),
        t,
        bars_of(&data.by_article, false, false),
    ));
    charts.push(bars(
        &format!("{id}-outcomes"),
        t.s("pub-report-by-outcome"),
        t.s("pub-report-col-outcome"),
        t,
        bars_of(&data.by_outcome, true, false),
    ));
    ChartSet {
        id: id.to_string(),
        heading: t.s("pub-charts-h"),
        summary: t.n("pub-chart-total", data.total),
        charts,
    }
}

const WIDTH: i64 = 640;
const LABEL_W: i64 = 200;
const ROW_H: i64 = 30;

fn svg_open(id: &str, height: i64, title: &str) -> String {
    format!(
        "<svg class=\"chart-svg\" role=\"img\" aria-labelledby=\"{id}-svg-title\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" \
         focusable=\"false\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-svg-title\">{}</title>",
        escape(title)
    )
}

/// A horizontal bar chart: one bar per row, its label on the left, its figure at its end.
pub fn bars(id: &str, caption: String, key_label: String, t: T, rows: Vec<ChartRow>) -> Chart {
    let max = rows.iter().map(|r| r.value).max().unwrap_or(0).max(1);
    let height = (rows.len() as i64).max(1) * ROW_H + 10;
    let title = format!(
        "{caption}: {}",
        rows.iter()
            .map(|r| format!("{} {}", r.label, r.value))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut svg = svg_open(id, height, &title);
    let span = WIDTH - LABEL_W - 70;
    if rows.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"8\" y=\"24\" class=\"chart-label\" font-size=\"15\">{}</text>",
            escape(&t.s("pub-chart-empty"))
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = i as i64 * ROW_H + 5;
        let w = (r.value * span / max).max(if r.value > 0 { 2 } else { 0 });
        let class = if r.highlight { "bar highlight" } else { "bar" };
        let fill = if r.highlight { "#9a3b00" } else { "#0b5cad" };
        let _ = write!(
            svg,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"chart-label\" font-size=\"15\">{label}</text>\
             <rect class=\"{class}\" fill=\"{fill}\" x=\"{LABEL_W}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"></rect>\
             <text x=\"{vx}\" y=\"{ty}\" class=\"chart-value\" font-size=\"15\">{v}</text>",
            lx = LABEL_W - 8,
            ty = y + 19,
            label = escape(&r.label),
            h = ROW_H - 8,
            vx = LABEL_W + w + 6,
            v = r.value,
        );
    }
    svg.push_str("</svg>");
    let note_label = rows
        .iter()
        .any(|r| !r.note.is_empty())
        .then(|| t.s("pub-chart-col-note"));
    Chart {
        id: id.to_string(),
        caption,
        svg,
        key_label,
        value_label: t.s("pub-report-col-comments"),
        note_label,
        rows,
        tall: false,
    }
}

/// Comments per day over the period: a column per day, the period's opening and closing marked
/// on the axis, and each earlier closing day that an extension moved (R6) marked as extended.
pub fn timeline(data: &ChartData, t: T, id: &str) -> Chart {
    let days = &data.days;
    let n = days.len().max(1) as i64;
    let (left, right, top, bottom) = (44_i64, WIDTH - 10, 24_i64, 190_i64);
    let height = bottom + 44;
    let max = days.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let step = (right - left) as f64 / n as f64;
    let x_of = |i: usize| left as f64 + step * i as f64;
    let caption = t.s("pub-chart-per-day");
    let note = |d: NaiveDate| -> String {
        let mut notes = Vec::new();
        if Some(d) == data.opens_on {
            notes.push(t.s("pub-chart-opens"));
        }
        if data.extended_from.contains(&d) {
            notes.push(t.s("pub-chart-extended"));
        }
        if Some(d) == data.closes_on {
            notes.push(t.s("pub-chart-closes"));
        }
        notes.join(" · ")
    };
    let title = format!("{caption}: {}", t.n("pub-chart-total", data.total));
    let mut svg = svg_open(id, height, &title);
    // The value axis: 0 and the highest day.
    let _ = write!(
        svg,
        "<line class=\"axis\" stroke=\"#4a4a4a\" x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\"></line>\
         <text x=\"{tx}\" y=\"{bottom}\" text-anchor=\"end\" class=\"chart-label\" font-size=\"13\">0</text>\
         <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\" class=\"chart-label\" font-size=\"13\">{max}</text>",
        tx = left - 6,
        ty = top + 10,
    );
    for (i, (_, v)) in days.iter().enumerate() {
        let h = (*v as f64 * (bottom - top) as f64 / max as f64).round() as i64;
        if h > 0 {
            let _ = write!(
                svg,
                "<rect class=\"bar\" fill=\"#0b5cad\" x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{h}\"></rect>",
                x_of(i) + step * 0.12,
                bottom - h,
                (step * 0.76).max(1.0),
            );
        }
    }
    // Marks on the axis: opening (start of its day), closings (end of their day).
    let mut marks: Vec<(f64, String, &str)> = Vec::new();
    for (i, (d, _)) in days.iter().enumerate() {
        if Some(*d) == data.opens_on {
            marks.push((x_of(i), t.s("pub-chart-opens"), "mark"));
        }
        if data.extended_from.contains(d) {
            marks.push((x_of(i + 1), t.s("pub-chart-extended"), "mark extended"));
        }
        if Some(*d) == data.closes_on {
            marks.push((x_of(i + 1), t.s("pub-chart-closes"), "mark"));
        }
    }
    for (x, text, class) in &marks {
        let dash = if class.contains("extended") {
            " stroke-dasharray=\"5 4\""
        } else {
            ""
        };
        let _ = write!(
            svg,
            "<line class=\"{class}\" stroke=\"#9a3b00\" stroke-width=\"2\"{dash} x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{}\"></line>\
             <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" class=\"chart-mark\" font-size=\"13\">{}</text>",
            top - 4,
            bottom + 4,
            top - 8,
            escape(text),
        );
    }
    // Dates under the axis: the first and last day and a few between.
    let every = (days.len() / 6).max(1);
    for (i, (d, _)) in days.iter().enumerate() {
        let last = i + 1 == days.len();
        // Every `every`th day, and the last day unless a label sits just before it.
        if last || (i % every == 0 && days.len() - 1 - i >= every.div_ceil(2).max(2)) {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" class=\"chart-label\" font-size=\"13\">{}</text>",
                x_of(i) + step / 2.0,
                bottom + 20,
                d.format("%m-%d"),
            );
        }
    }
    svg.push_str("</svg>");
    let rows: Vec<ChartRow> = days
        .iter()
        .map(|(d, v)| ChartRow {
            label: d.format("%Y-%m-%d").to_string(),
            value: *v,
            note: note(*d),
            highlight: false,
        })
        .collect();
    Chart {
        id: id.to_string(),
        caption,
        svg,
        key_label: t.s("pub-chart-col-day"),
        value_label: t.s("pub-report-col-comments"),
        note_label: Some(t.s("pub-chart-col-note")),
        tall: rows.len() > 12,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn data() -> ChartData {
        ChartData {
            total: 9,
            opens_on: Some(d("2026-03-01")),
            closes_on: Some(d("2026-03-05")),
            extended_from: vec![d("2026-03-03")],
            days: vec![
                (d("2026-03-01"), 2),
                (d("2026-03-02"), 0),
                (d("2026-03-03"), 4),
                (d("2026-03-04"), 0),
                (d("2026-03-05"), 3),
            ],
            by_stakeholder_type: vec![("enterprise".into(), 5), ("individual".into(), 4)],
            market_entities_by_outcome: Some(vec![("not_adopted".into(), 5)]),
            by_article: vec![("2".into(), 6), ("none".into(), 3)],
            by_outcome: vec![
                ("adopted".into(), 4),
                ("not_adopted".into(), 5),
                ("none".into(), 0),
            ],
        }
    }

    #[test]
    fn every_chart_has_its_table_and_an_accessible_drawing() {
        let set = render(&data(), T(Lang::En), "r");
        let ids: Vec<&str> = set.charts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            ["r-days", "r-kinds", "r-market", "r-articles", "r-outcomes"]
        );
        assert_eq!(set.summary, "9 comments in all");
        for c in &set.charts {
            assert!(c.svg.starts_with("<svg class=\"chart-svg\" role=\"img\""));
            assert!(
                c.svg
                    .contains(&format!("aria-labelledby=\"{}-svg-title\"", c.id))
            );
            assert!(
                c.svg
                    .contains(&format!("<title id=\"{}-svg-title\">", c.id))
            );
            assert!(c.svg.ends_with("</svg>"));
            assert!(!c.svg.contains("style="), "no inline styles (staff CSP)");
        }
        let kinds = &set.charts[1];
        assert_eq!(
            kinds.rows[0],
            ChartRow {
                label: "Enterprise".into(),
                value: 5,
                note: "market entity".into(),
                highlight: true
            }
        );
        assert_eq!(
            kinds.svg.matches("<rect class=\"bar highlight\"").count(),
            1
        );
        assert_eq!(kinds.svg.matches("<rect ").count(), 2);
        let articles = &set.charts[3];
        assert_eq!(articles.rows[0].label, "Article 2");
        assert_eq!(articles.rows[1].label, "No article");
        let outcomes = &set.charts[4];
        assert_eq!(outcomes.rows[2].label, "Not yet disposed");
        // A bar is as long as its share of the largest: 5 ⇒ full span, 4 ⇒ 4/5 of it.
        let span = WIDTH - LABEL_W - 70;
        assert!(outcomes.svg.contains(&format!("width=\"{span}\"")));
        assert!(
            outcomes
                .svg
                .contains(&format!("width=\"{}\"", 4 * span / 5))
        );
    }

    #[test]
    fn the_timeline_marks_the_period_and_its_extension() {
        let c = timeline(&data(), T(Lang::En), "t");
        assert_eq!(c.rows.len(), 5);
        assert_eq!(c.rows[0].note, "period opens");
        assert_eq!(c.rows[2].note, "closing day before an extension");
        assert_eq!(c.rows[4].note, "period closes");
        assert_eq!(c.rows.iter().map(|r| r.value).sum::<i64>(), 9);
        // Three days with comments, three columns; the extension's mark is dashed.
        assert_eq!(c.svg.matches("<rect class=\"bar\"").count(), 3);
        assert_eq!(c.svg.matches("stroke-dasharray").count(), 1);
        assert!(c.svg.contains(">03-01<") && c.svg.contains(">03-05<"));
        let zh = timeline(&data(), T(Lang::Zh), "t");
        assert!(zh.svg.contains("延期"), "{}", zh.svg);
    }

    #[test]
    fn labels_are_escaped_in_the_drawing() {
        let c = bars(
            "x",
            "<caption>".into(),
            "k".into(),
            T(Lang::En),
            vec![ChartRow {
                label: "<script>&".into(),
                value: 1,
                note: String::new(),
                highlight: false,
            }],
        );
        assert!(!c.svg.contains("<script>"));
        assert!(c.svg.contains("&lt;script&gt;&amp;"));
        assert!(c.svg.contains("&lt;caption&gt;"));
        let empty = bars("e", "c".into(), "k".into(), T(Lang::En), Vec::new());
        assert!(empty.svg.contains("No comments"));
    }
}
