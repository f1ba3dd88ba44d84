//! The lab's charts on the `plotly` crate: its typed traces, axes and
//! layouts, with the lab's house style added here once (the title at the
//! left, the legend under the plot, panels side by side, faint single runs,
//! bands of ± SE) and the one legend rule plotly.js leaves to its caller.
//! The figure builders use the crate's types directly; this module only
//! adds what the crate does not say.

pub use plotly::common::{DashType as Dash, MarkerSymbol as Symbol, Mode};
pub use plotly::layout::{Axis, BarMode, Layout};
pub use plotly::{Bar, Scatter};

use plotly::Configuration;
use plotly::common::{Anchor, ErrorData, ErrorType, Fill, HoverInfo, Line, Marker, Orientation, Reference, Title};
use plotly::configuration::ModeBarButtonName;
use plotly::layout::{Annotation, AxisType, CategoryOrder, HoverMode, Legend, Margin};
use serde::Serialize;

/// A chart: plotly's figure, and the legend as plotly will draw it.
#[derive(Clone)]
pub struct Plot {
    figure: plotly::Plot,
    legend: Vec<Entry>,
}

/// One trace as the legend sees it.
#[derive(Clone, Debug)]
struct Entry {
    name: String,
    group: Option<String>,
    listed: bool,
}

/// A trace the lab draws: plotly's scatter or bar, which can be left out
/// of the legend.
pub trait Drawn: plotly::Trace + Serialize + 'static {
    /// The same trace without its own legend entry.
    fn unlisted(self: Box<Self>) -> Box<Self>;
}

impl<X: Serialize + Clone + 'static, Y: Serialize + Clone + 'static> Drawn for Scatter<X, Y> {
    fn unlisted(self: Box<Self>) -> Box<Self> {
        self.show_legend(false)
    }
}

impl<X: Serialize + Clone + 'static, Y: Serialize + Clone + 'static> Drawn for Bar<X, Y> {
    fn unlisted(self: Box<Self>) -> Box<Self> {
        self.show_legend(false)
    }
}

impl Plot {
    /// An empty chart with a layout, responsive, with a short mode bar and
    /// no plotly logo.
    pub fn new(layout: Layout) -> Self {
        let mut figure = plotly::Plot::new();
        figure.set_layout(layout);
        figure.set_configuration(
            Configuration::new().responsive(true).display_logo(false).mode_bar_buttons_to_remove(vec![
                ModeBarButtonName::Select2d,
                ModeBarButtonName::Lasso2d,
                ModeBarButtonName::ZoomIn2d,
                ModeBarButtonName::ZoomOut2d,
                ModeBarButtonName::AutoScale2d,
                ModeBarButtonName::HoverClosestCartesian,
                ModeBarButtonName::HoverCompareCartesian,
                ModeBarButtonName::ToggleSpikelines,
                ModeBarButtonName::SendDataToCloud,
            ]),
        );
        Plot { figure, legend: Vec::new() }
    }

    /// Adds a trace. A trace of a legend group that already has its entry
    /// is left out of the legend: plotly lists every trace it is not told
    /// to leave out, group or not.
    pub fn add<T: Drawn>(&mut self, t: Box<T>) {
        let seen = serde_json::to_value(&*t).unwrap_or_default();
        let name = seen["name"].as_str().unwrap_or_default().to_string();
        let group = seen["legendgroup"].as_str().map(str::to_string);
        let mut listed = seen["showlegend"].as_bool() != Some(false);
        let t = if listed && group.is_some() && self.legend.iter().any(|e| e.listed && e.group == group) {
            listed = false;
            t.unlisted()
        } else {
            t
        };
        self.legend.push(Entry { name, group, listed });
        self.figure.add_trace(t);
    }

    /// The entries the legend lists, as plotly draws it: every trace not
    /// left out of it.
    pub fn legend_entries(&self) -> Vec<String> {
        self.legend.iter().filter(|e| e.listed).map(|e| e.name.clone()).collect()
    }

    /// How many traces it draws.
    pub fn traces(&self) -> usize {
        self.legend.len()
    }

    /// What `Plotly.react` takes (data, layout, config), as JSON;
    /// non-finite numbers are written as null, a gap in the chart.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.figure).unwrap_or_else(|_| "{}".into())
    }

    /// The same, as a JSON value (what tests read).
    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(&self.figure).unwrap_or_default()
    }
}

/// An axis with a title and no line at zero.
pub fn axis(title: &str) -> Axis {
    Axis::new().title(title).zero_line(false)
}

/// A logarithmic axis.
pub fn log_axis(title: &str) -> Axis {
    axis(title).type_(AxisType::Log)
}

/// An axis of categories, in the order given (otherwise plotly orders
/// them by the traces they first appear in); no order: as they come.
pub fn category_axis(title: &str, order: Option<Vec<String>>) -> Axis {
    let a = axis(title).type_(AxisType::Category);
    match order {
        Some(labels) => a.category_order(CategoryOrder::Array).category_array(labels),
        None => a,
    }
}

/// The lab's layout: 380 px high, its title at the left (clear of the
/// mode bar), the axes given and the legend under the plot, entries side
/// by side, so it never covers the data or scrolls.
pub fn layout(title: &str, x: Axis, y: Axis) -> Layout {
    Layout::new()
        .title(Title::with_text(title).x_ref(Reference::Paper).x(0.0).x_anchor(Anchor::Left))
        .height(380)
        .margin(Margin::new().left(60).right(16).top(50).bottom(60))
        .x_axis(x)
        .y_axis(y)
        .legend(Legend::new().orientation(Orientation::Horizontal).y(-0.3).y_anchor(Anchor::Top).x(0.0))
        .show_legend(true)
        .hover_mode(HoverMode::Closest)
}

/// A layout of `titles.len()` (1 to 3) panels side by side sharing both
/// axes, each titled above: panel i draws on axes `x{i+1}`/`y{i+1}`
/// ([`ScatterStyle::panel`]).
pub fn panels(title: &str, x: &str, y: &str, titles: &[String]) -> Layout {
    let n = titles.len().clamp(1, 3);
    let gap = 0.06;
    let width = (1.0 - gap * (n - 1) as f64) / n as f64;
    let domain = |i: usize| [i as f64 * (width + gap), i as f64 * (width + gap) + width];
    let mut l = layout(title, axis(x).domain(&domain(0)), axis(y)).margin(Margin::new().left(60).right(16).top(70).bottom(60));
    for i in 1..n {
        let xi = axis(x).domain(&domain(i)).anchor(format!("y{}", i + 1)).matches("x");
        let yi = axis("").anchor(format!("x{}", i + 1)).matches("y");
        l = if i == 1 { l.x_axis2(xi).y_axis2(yi) } else { l.x_axis3(xi).y_axis3(yi) };
    }
    let titles = titles.iter().take(n).enumerate().map(|(i, t)| {
        Annotation::new()
            .text(t)
            .x((domain(i)[0] + domain(i)[1]) / 2.0)
            .y(1.0)
            .x_ref("paper")
            .y_ref("paper")
            .show_arrow(false)
            .x_anchor(Anchor::Center)
            .y_anchor(Anchor::Bottom)
    });
    l.annotations(titles.collect())
}

/// The lab's vocabulary for drawing a trace, on plotly's scatter and bar.
pub trait Style: Sized {
    /// Hover texts, one per point, shown alone.
    fn hover(self, texts: Vec<String>) -> Self;
    /// No hover.
    fn no_hover(self) -> Self;
}

impl<X: Serialize + Clone + 'static, Y: Serialize + Clone + 'static> Style for Box<Scatter<X, Y>> {
    fn hover(self, texts: Vec<String>) -> Self {
        self.hover_text_array(texts).hover_info(HoverInfo::Text)
    }
    fn no_hover(self) -> Self {
        self.hover_info(HoverInfo::Skip)
    }
}

impl<X: Serialize + Clone + 'static, Y: Serialize + Clone + 'static> Style for Box<Bar<X, Y>> {
    fn hover(self, texts: Vec<String>) -> Self {
        self.hover_text_array(texts).hover_info(HoverInfo::Text)
    }
    fn no_hover(self) -> Self {
        self.hover_info(HoverInfo::Skip)
    }
}

/// Bars of one colour.
pub fn bar_colour<X: Serialize + Clone + 'static, Y: Serialize + Clone + 'static>(b: Box<Bar<X, Y>>, colour: &str) -> Box<Bar<X, Y>> {
    b.marker(Marker::new().color(colour.to_string()))
}

/// What only a scatter trace says.
pub trait ScatterStyle: Sized {
    /// Markers of a colour, size and shape.
    fn markers(self, colour: &str, size: usize, symbol: Symbol) -> Self;
    /// A line of a colour and dash.
    fn stroke(self, colour: &str, dash: Dash) -> Self;
    /// A thin line (single runs under their mean).
    fn thin_stroke(self, colour: &str, dash: Dash) -> Self;
    /// Drawn faintly.
    fn faint(self) -> Self;
    /// Drawn in panel `i` (0-based) of a [`panels`] layout.
    fn panel(self, i: usize) -> Self;
    /// A filled band of a colour, outlined by the trace's points.
    fn band(self, colour: &str) -> Self;
    /// Vertical error bars (± each value).
    fn se_bars(self, half_widths: Vec<f64>) -> Self;
}

impl<X: Serialize + Clone + 'static, Y: Serialize + Clone + 'static> ScatterStyle for Box<Scatter<X, Y>> {
    fn markers(self, colour: &str, size: usize, symbol: Symbol) -> Self {
        self.marker(Marker::new().color(colour.to_string()).size(size).symbol(symbol))
    }
    fn stroke(self, colour: &str, dash: Dash) -> Self {
        self.line(Line::new().color(colour.to_string()).dash(dash))
    }
    fn thin_stroke(self, colour: &str, dash: Dash) -> Self {
        self.line(Line::new().color(colour.to_string()).dash(dash).width(1.0))
    }
    fn faint(self) -> Self {
        self.opacity(0.3)
    }
    fn panel(self, i: usize) -> Self {
        if i == 0 { self } else { self.x_axis(format!("x{}", i + 1)).y_axis(format!("y{}", i + 1)) }
    }
    fn band(self, colour: &str) -> Self {
        self.fill(Fill::ToSelf).fill_color(colour.to_string()).line(Line::new().color("rgba(0,0,0,0)").dash(Dash::Solid).width(0.0)).mode(Mode::Lines)
    }
    fn se_bars(self, half_widths: Vec<f64>) -> Self {
        self.error_y(ErrorData::new(ErrorType::Data).array(half_widths).visible(true))
    }
}

/// A chart's title broken into lines of at most `width` characters at
/// spaces (plotly draws a title on one line, so a narrow screen cuts a long
/// one); a word longer than a line stands on its own line.
pub fn wrap_title(title: &str, width: usize) -> String {
    let width = width.max(8);
    let mut lines: Vec<String> = Vec::new();
    for word in title.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_write_plotlys_json() {
        let mut p = Plot::new(layout("t", log_axis("x"), axis("y")));
        p.add(Scatter::new(vec![1.0, f64::NAN], vec![2.0, 3.0]).name("a").mode(Mode::LinesMarkers).markers("#000", 9, Symbol::TriangleUp).stroke("#111", Dash::Dot).se_bars(vec![0.1, 0.2]));
        p.add(bar_colour(Bar::new(vec!["0".to_string()], vec![0.5]), "#222").legend_group("g").show_legend(false));
        let v = p.json();
        let t = &v["data"][0];
        assert_eq!((t["type"].as_str(), t["mode"].as_str()), (Some("scatter"), Some("lines+markers")));
        // Markers and line are both kept.
        assert_eq!((t["marker"]["symbol"].as_str(), t["line"]["dash"].as_str()), (Some("triangle-up"), Some("dot")));
        assert_eq!((t["error_y"]["type"].as_str(), t["error_y"]["array"][1].as_f64()), (Some("data"), Some(0.2)));
        assert!(t["x"][1].is_null(), "a NaN is a gap");
        assert_eq!(v["data"][1]["x"][0], "0");
        assert_eq!(v["data"][1]["marker"]["color"], "#222");
        assert_eq!(v["layout"]["xaxis"]["type"], "log");
        assert_eq!(v["layout"]["xaxis"]["title"]["text"], "x");
        assert_eq!(wrap_title("Predicted against measured optimization", 30), "Predicted against measured<br>optimization");
        assert_eq!(wrap_title("Short title", 30), "Short title");
        for line in wrap_title("A rather long title about impact against its lower bound at every size", 24).split("<br>") {
            assert!(line.chars().count() <= 24, "{line}");
        }
        assert_eq!(wrap_title("Supercalifragilistic x", 10), "Supercalifragilistic<br>x");
        assert_eq!(v["layout"]["legend"]["orientation"], "h");
        assert_eq!(v["layout"]["title"]["xanchor"], "left");
        assert!(v["layout"].get("barmode").is_none(), "unset options are left out");
        assert_eq!(v["config"]["displaylogo"], false);
        assert_eq!(p.legend_entries(), vec!["a".to_string()]);
        assert_eq!(p.traces(), 2);
        // What the page hands plotly.js is the same figure.
        assert_eq!(serde_json::from_str::<serde_json::Value>(&p.to_json()).unwrap(), v);
    }

    #[test]
    fn a_group_is_listed_once() {
        let mut p = Plot::new(layout("t", axis("x"), axis("y")));
        p.add(Scatter::new(vec![1.0], vec![1.0]).name("faint").legend_group("g").show_legend(false));
        p.add(Scatter::new(vec![1.0], vec![1.0]).name("mean").legend_group("g"));
        p.add(Scatter::new(vec![1.0], vec![1.0]).name("again").legend_group("g"));
        p.add(Scatter::new(vec![1.0], vec![1.0]).name("other").legend_group("h"));
        assert_eq!(p.legend_entries(), vec!["mean".to_string(), "other".into()]);
        assert_eq!(p.json()["data"][2]["showlegend"], false, "plotly is told, not only the list");
    }

    #[test]
    fn panels_share_their_axes() {
        let v = serde_json::to_value(panels("t", "step", "s", &["n2".into(), "n4".into(), "n6".into()])).unwrap();
        assert_eq!(v["xaxis3"]["anchor"], "y3");
        assert_eq!(v["xaxis2"]["matches"], "x");
        assert_eq!(v["yaxis2"]["matches"], "y");
        assert_eq!(v["xaxis3"]["title"]["text"], "step");
        assert_eq!(v["annotations"].as_array().unwrap().len(), 3);
        assert_eq!(v["annotations"][1]["text"], "n4");
        let t = serde_json::to_value(Scatter::new(vec![1.0], vec![1.0]).panel(2)).unwrap();
        assert_eq!((t["xaxis"].as_str(), t["yaxis"].as_str()), (Some("x3"), Some("y3")));
    }

    #[test]
    fn categories_keep_their_order() {
        let v = serde_json::to_value(category_axis("a", Some(vec!["b".into(), "a".into()]))).unwrap();
        assert_eq!((v["type"].as_str(), v["categoryorder"].as_str()), (Some("category"), Some("array")));
        assert_eq!(v["categoryarray"][0], "b");
    }
}
