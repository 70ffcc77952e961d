//! Chart geometry: numbers in, coordinates out. Templates draw the SVG from these structs, so
//! every label passes through the template engine's escaping and no markup is built by hand.

/// A label on an axis.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisLabel {
    /// Position along the axis, in SVG units.
    pub at: f64,
    /// Text.
    pub text: String,
}

/// A point of a series, with the value it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// x in SVG units.
    pub x: f64,
    /// y in SVG units.
    pub y: f64,
    /// Tooltip text.
    pub label: String,
}

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name in the legend.
    pub name: String,
    /// CSS class (colour).
    pub class: String,
    /// `points` attribute of the polyline.
    pub points: String,
    /// The points, for markers and tooltips.
    pub markers: Vec<Point>,
    /// Whether to draw a dot per point: only while there are few enough to tell apart.
    pub dots: bool,
}

/// A shaded stretch of the x axis (an outage).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Left edge in SVG units.
    pub x: f64,
    /// Width in SVG units.
    pub w: f64,
    /// What it marks.
    pub label: String,
}

/// Most x-axis labels a line chart prints; the rest are thinned out evenly.
pub const MAX_X_LABELS: usize = 12;

/// Most points a series is drawn with a dot each.
pub const MAX_DOTS: usize = 60;

/// A marked point (a crossover).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// x in SVG units.
    pub x: f64,
    /// y in SVG units.
    pub y: f64,
    /// What it marks.
    pub label: String,
}

/// A line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Title.
    pub title: String,
    /// Width in SVG units.
    pub width: f64,
    /// Height in SVG units.
    pub height: f64,
    /// Left edge of the plot area.
    pub left: f64,
    /// Bottom edge of the plot area.
    pub bottom: f64,
    /// Right edge of the plot area.
    pub right: f64,
    /// Top edge of the plot area.
    pub top: f64,
    /// x-axis labels.
    pub x_labels: Vec<AxisLabel>,
    /// y-axis labels (with grid lines).
    pub y_labels: Vec<AxisLabel>,
    /// The series.
    pub series: Vec<Series>,
    /// A marked point, if any.
    pub marker: Option<Marker>,
    /// How many x positions the series have.
    pub n_positions: usize,
    /// Shaded stretches (outages), drawn under the series.
    pub bands: Vec<Band>,
}

impl LineChart {
    /// Shades the stretches between x positions `from` and `to` (indices into the x labels,
    /// fractional allowed), each with its label.
    pub fn with_bands(mut self, bands: &[(f64, f64, String)]) -> Self {
        let n = self.n_positions.max(2) as f64;
        let at = |i: f64| self.left + (self.right - self.left) * (i / (n - 1.0)).clamp(0.0, 1.0);
        self.bands = bands
            .iter()
            .filter(|(from, to, _)| to >= from)
            .map(|(from, to, label)| {
                let x = at(*from);
                Band {
                    x: round1(x),
                    w: round1((at(*to) - x).max(1.0)),
                    label: label.clone(),
                }
            })
            .collect();
        self
    }
}

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Category label.
    pub label: String,
    /// Value label.
    pub value: String,
    /// CSS class (colour).
    pub class: String,
}

/// A bar chart (vertical bars).
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Title.
    pub title: String,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Left edge of the plot area.
    pub left: f64,
    /// Bottom edge of the plot area.
    pub bottom: f64,
    /// Right edge of the plot area.
    pub right: f64,
    /// y-axis labels with grid lines.
    pub y_labels: Vec<AxisLabel>,
    /// The bars.
    pub bars: Vec<Bar>,
}

/// A "nice" step for about `ticks` intervals up to `max` (1, 2 or 5 × a power of ten).
pub fn nice_step(max: f64, ticks: u32) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / f64::from(ticks.max(1));
    let power = 10f64.powf(raw.log10().floor());
    let unit = raw / power;
    let nice = if unit <= 1.0 {
        1.0
    } else if unit <= 2.0 {
        2.0
    } else if unit <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

fn y_axis(
    max: f64,
    top: f64,
    bottom: f64,
    format: &dyn Fn(f64) -> String,
) -> (f64, Vec<AxisLabel>) {
    let step = nice_step(max, 5);
    let ceiling = (max / step).ceil().max(1.0) * step;
    let mut labels = Vec::new();
    let mut v = 0.0;
    while v <= ceiling + step / 2.0 {
        labels.push(AxisLabel {
            at: bottom - (v / ceiling) * (bottom - top),
            text: format(v),
        });
        v += step;
    }
    (ceiling, labels)
}

/// Input of a line chart series: name, CSS class and (x label, value) points.
pub struct SeriesData {
    /// Legend name.
    pub name: String,
    /// CSS class.
    pub class: String,
    /// Values, one per x position.
    pub values: Vec<f64>,
}

/// Lays out a line chart over shared x positions.
pub fn line_chart(
    title: &str,
    x_labels: &[String],
    series: Vec<SeriesData>,
    format: &dyn Fn(f64) -> String,
    marker_at: Option<(usize, String)>,
) -> LineChart {
    let (width, height) = (640.0, 300.0);
    let (left, right, top, bottom) = (80.0, 620.0, 30.0, 260.0);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let (ceiling, y_labels) = y_axis(max, top, bottom, format);
    let n = x_labels.len().max(1);
    let x_at = |i: usize| {
        if n == 1 {
            (left + right) / 2.0
        } else {
            left + (right - left) * i as f64 / (n - 1) as f64
        }
    };
    let y_at = |v: f64| bottom - (v / ceiling) * (bottom - top);
    let series: Vec<Series> = series
        .into_iter()
        .map(|s| {
            let markers: Vec<Point> = s
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| Point {
                    x: round1(x_at(i)),
                    y: round1(y_at(*v)),
                    label: format!(
                        "{}: {}",
                        x_labels.get(i).map_or("", String::as_str),
                        format(*v)
                    ),
                })
                .collect();
            let points = markers
                .iter()
                .map(|p| format!("{},{}", p.x, p.y))
                .collect::<Vec<_>>()
                .join(" ");
            Series {
                name: s.name,
                class: s.class,
                points,
                dots: markers.len() <= MAX_DOTS,
                markers,
            }
        })
        .collect();
    let marker = marker_at.and_then(|(i, label)| {
        let y = series.first()?.markers.get(i)?.y;
        Some(Marker {
            x: round1(x_at(i)),
            y,
            label,
        })
    });
    LineChart {
        title: title.to_string(),
        width,
        height,
        left,
        bottom,
        right,
        top,
        x_labels: x_labels
            .iter()
            .enumerate()
            .filter(|(i, _)| i % n.div_ceil(MAX_X_LABELS) == 0)
            .map(|(i, t)| AxisLabel {
                at: round1(x_at(i)),
                text: t.clone(),
            })
            .collect(),
        y_labels: y_labels
            .into_iter()
            .map(|l| AxisLabel {
                at: round1(l.at),
                text: l.text,
            })
            .collect(),
        series,
        marker,
        n_positions: n,
        bands: Vec::new(),
    }
}

/// Lays out a bar chart: (label, value, class) per bar.
pub fn bar_chart(
    title: &str,
    bars: &[(String, f64, String)],
    format: &dyn Fn(f64) -> String,
) -> BarChart {
    let (width, height) = (640.0, 300.0);
    let (left, right, top, bottom) = (80.0, 620.0, 30.0, 230.0);
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
    let (ceiling, y_labels) = y_axis(max, top, bottom, format);
    let slot = (right - left) / bars.len().max(1) as f64;
    let w = (slot * 0.6).min(80.0);
    BarChart {
        title: title.to_string(),
        width,
        height,
        left,
        bottom,
        right,
        y_labels: y_labels
            .into_iter()
            .map(|l| AxisLabel {
                at: round1(l.at),
                text: l.text,
            })
            .collect(),
        bars: bars
            .iter()
            .enumerate()
            .map(|(i, (label, value, class))| {
                let h = (value / ceiling) * (bottom - top);
                Bar {
                    x: round1(left + slot * i as f64 + (slot - w) / 2.0),
                    y: round1(bottom - h),
                    w: round1(w),
                    h: round1(h),
                    label: label.clone(),
                    value: format(*value),
                    class: class.clone(),
                }
            })
            .collect(),
    }
}

/// A legend entry: name and CSS class (colour).
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// Name.
    pub name: String,
    /// CSS class.
    pub class: String,
}

/// One column of a stacked bar chart: its segments from the bottom up, or a note when the
/// column has no figures (an option that cannot be built is shown as such, never as zero).
#[derive(Debug, Clone, PartialEq)]
pub struct StackColumn {
    /// Category label under the column.
    pub label: String,
    /// Centre of the column.
    pub centre: f64,
    /// The column's total, formatted, above it; or why there is none.
    pub total: String,
    /// Baseline of the total written above the column.
    pub total_y: f64,
    /// Segments, bottom first; each bar's `label` names its kind.
    pub segments: Vec<Bar>,
}

/// A stacked bar chart: one column per category, one segment per kind.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedBarChart {
    /// Title.
    pub title: String,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Left edge of the plot area.
    pub left: f64,
    /// Bottom edge of the plot area.
    pub bottom: f64,
    /// Right edge of the plot area.
    pub right: f64,
    /// y-axis labels with grid lines.
    pub y_labels: Vec<AxisLabel>,
    /// The columns.
    pub columns: Vec<StackColumn>,
    /// The kinds that appear in some column, in stacking order.
    pub legend: Vec<LegendEntry>,
}

/// Input of one stacked column: its label and its (kind, value) segments bottom first, or
/// `Err(why)` when the column has no figures.
pub type StackData = (String, Result<Vec<(LegendEntry, f64)>, String>);

/// Lays out a stacked bar chart. Segments of zero are left out; the legend lists each kind that
/// has a segment somewhere, in stacking order (columns give their kinds in the same order).
pub fn stacked_bar_chart(
    title: &str,
    columns: &[StackData],
    format: &dyn Fn(f64) -> String,
) -> StackedBarChart {
    let (width, height) = (640.0, 320.0);
    let (left, right, top, bottom) = (80.0, 400.0, 30.0, 270.0);
    let totals: Vec<f64> = columns
        .iter()
        .map(|(_, c)| {
            c.as_ref()
                .map_or(0.0, |s| s.iter().map(|(_, v)| v.max(0.0)).sum())
        })
        .collect();
    let max = totals.iter().copied().fold(0.0, f64::max);
    let (ceiling, y_labels) = y_axis(max, top, bottom, format);
    let slot = (right - left) / columns.len().max(1) as f64;
    let w = (slot * 0.5).min(90.0);
    let mut legend: Vec<(usize, LegendEntry)> = Vec::new();
    let columns = columns
        .iter()
        .zip(&totals)
        .enumerate()
        .map(|(i, ((label, column), total))| {
            let x = left + slot * i as f64 + (slot - w) / 2.0;
            let mut y = bottom;
            let segments = match column {
                Ok(segments) => segments
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, v))| *v > 0.0)
                    .map(|(position, (kind, value))| {
                        if !legend.iter().any(|(_, k)| k == kind) {
                            legend.push((position, kind.clone()));
                        }
                        let h = value / ceiling * (bottom - top);
                        y -= h;
                        Bar {
                            x: round1(x),
                            y: round1(y),
                            w: round1(w),
                            h: round1(h),
                            label: kind.name.clone(),
                            value: format(*value),
                            class: kind.class.clone(),
                        }
                    })
                    .collect(),
                Err(_) => Vec::new(),
            };
            StackColumn {
                label: label.clone(),
                centre: round1(x + w / 2.0),
                total: match column {
                    Ok(_) => format(*total),
                    Err(why) => why.clone(),
                },
                total_y: round1(y - 6.0),
                segments,
            }
        })
        .collect();
    StackedBarChart {
        title: title.to_string(),
        width,
        height,
        left,
        bottom,
        right,
        y_labels: y_labels
            .into_iter()
            .map(|l| AxisLabel {
                at: round1(l.at),
                text: l.text,
            })
            .collect(),
        columns,
        legend: {
            legend.sort_by_key(|(position, _)| *position);
            legend.into_iter().map(|(_, k)| k).collect()
        },
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(47.0, 5), 10.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
        assert_eq!(nice_step(1234.0, 5), 500.0);
    }

    #[test]
    fn line_chart_maps_values_into_the_plot_area() {
        let c = line_chart(
            "t",
            &["1".into(), "2".into(), "3".into()],
            vec![SeriesData {
                name: "a".into(),
                class: "a".into(),
                values: vec![0.0, 50.0, 100.0],
            }],
            &|v| format!("{v}"),
            Some((1, "cross".into())),
        );
        let m = &c.series[0].markers;
        assert_eq!((m[0].x, m[0].y), (80.0, 260.0));
        assert_eq!((m[2].x, m[2].y), (620.0, 30.0));
        assert_eq!(c.series[0].points, "80,260 350,145 620,30");
        assert_eq!(c.marker.as_ref().map(|k| k.x), Some(350.0));
    }

    #[test]
    fn bars_are_proportional() {
        let c = bar_chart(
            "t",
            &[
                ("a".into(), 10.0, "x".into()),
                ("b".into(), 5.0, "x".into()),
            ],
            &|v| format!("{v}"),
        );
        assert!((c.bars[0].h - 2.0 * c.bars[1].h).abs() < 0.2);
        assert!(c.bars.iter().all(|b| b.y + b.h <= 230.1));
    }

    #[test]
    fn stacked_columns_stack_their_segments_to_the_total_and_name_what_cannot_be_drawn() {
        let kind = |name: &str| LegendEntry {
            name: name.into(),
            class: format!("k-{name}"),
        };
        let chart = stacked_bar_chart(
            "t",
            &[
                (
                    "NVR".into(),
                    Ok(vec![
                        (kind("hardware"), 60.0),
                        (kind("care"), 0.0),
                        (kind("labour"), 40.0),
                    ]),
                ),
                (
                    "VMS".into(),
                    Ok(vec![
                        (kind("hardware"), 30.0),
                        (kind("care"), 20.0),
                        (kind("labour"), 0.0),
                    ]),
                ),
                ("Cloud".into(), Err("not comparable".into())),
            ],
            &|v| format!("{v:.0}"),
        );
        let nvr = &chart.columns[0];
        // Zero segments are left out; the rest sit on each other from the axis up.
        assert_eq!(nvr.segments.len(), 2);
        assert_eq!(nvr.segments[0].y + nvr.segments[0].h, chart.bottom);
        assert!((nvr.segments[1].y + nvr.segments[1].h - nvr.segments[0].y).abs() < 0.2);
        assert_eq!(nvr.total, "100");
        // Heights are proportional to the values: 60 of NVR's hardware is twice VMS's 30.
        let vms = &chart.columns[1];
        assert!((nvr.segments[0].h - 2.0 * vms.segments[0].h).abs() < 0.2);
        // A column without figures draws nothing and says why.
        assert!(chart.columns[2].segments.is_empty());
        assert_eq!(chart.columns[2].total, "not comparable");
        let legend: Vec<&str> = chart.legend.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(legend, ["hardware", "care", "labour"]);
    }
}
