//! The part of plotly.js's figure format the lab's charts use, as typed
//! serde structs: what `Plotly.react` takes (data, layout, config). Names
//! follow plotly.js; unset options are left out of the JSON.

use serde::Serialize;

/// A chart: traces, layout and plotly's configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plot {
    /// The traces, drawn in order.
    pub data: Vec<Trace>,
    /// The layout.
    pub layout: Layout,
    /// plotly's configuration.
    pub config: Config,
}

impl Plot {
    /// An empty chart with a layout.
    pub fn new(layout: Layout) -> Self {
        Plot { data: Vec::new(), layout, config: Config::default() }
    }

    /// Adds a trace. A trace of a legend group that already has its entry
    /// is left out of the legend: plotly lists every trace it is not told
    /// to leave out, group or not.
    pub fn add(&mut self, mut t: Trace) {
        if let Some(g) = &t.legendgroup {
            if self.data.iter().any(|o| o.legendgroup.as_ref() == Some(g) && o.showlegend != Some(false)) {
                t.showlegend = Some(false);
            }
        }
        self.data.push(t);
    }

    /// The entries the legend lists, as plotly draws it: every trace not
    /// left out of it.
    pub fn legend_entries(&self) -> Vec<String> {
        self.data.iter().filter(|t| t.showlegend != Some(false)).map(|t| t.name.clone().unwrap_or_default()).collect()
    }

    /// What `Plotly.react` takes, as JSON (non-finite numbers are written
    /// as null: a gap in the chart).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// plotly's configuration: responsive, and a short mode bar.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Redraw when the container resizes.
    pub responsive: bool,
    /// No plotly logo.
    pub displaylogo: bool,
    /// Mode bar buttons left out.
    pub mode_bar_buttons_to_remove: Vec<&'static str>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            responsive: true,
            displaylogo: false,
            mode_bar_buttons_to_remove: vec![
                "select2d",
                "lasso2d",
                "zoomIn2d",
                "zoomOut2d",
                "autoScale2d",
                "hoverClosestCartesian",
                "hoverCompareCartesian",
                "toggleSpikelines",
                "sendDataToCloud",
            ],
        }
    }
}

/// A title.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Title {
    /// Its text.
    pub text: String,
    /// What `x` is measured against (the whole plot area).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xref: Option<&'static str>,
    /// Horizontal position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    /// Which side of the text `x` anchors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xanchor: Option<&'static str>,
}

impl Title {
    /// A plain title.
    pub fn new(text: impl Into<String>) -> Self {
        Title { text: text.into(), xref: None, x: None, xanchor: None }
    }
}

/// An axis type.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AxisType {
    /// Linear.
    Linear,
    /// Logarithmic.
    Log,
    /// Categories (labels).
    Category,
}

/// An axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Axis {
    /// Its title.
    pub title: Title,
    /// Whether a line is drawn at zero.
    pub zeroline: bool,
    /// Linear, log or categories.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<AxisType>,
    /// The fixed range shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
    /// The part of the plot area the axis spans (for panels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<[f64; 2]>,
    /// Another axis this one shares its range with (`"x"`, `"y"`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// The axis it is drawn against (for panels: `"y2"` for `xaxis2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// `"array"`: categories in the order of `categoryarray` (otherwise
    /// plotly orders them by the traces they first appear in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categoryorder: Option<&'static str>,
    /// The categories, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categoryarray: Option<Vec<String>>,
}

impl Axis {
    /// An axis with a title.
    pub fn titled(title: impl Into<String>) -> Self {
        Axis { title: Title::new(title), zeroline: false, kind: None, range: None, domain: None, matches: None, anchor: None, categoryorder: None, categoryarray: None }
    }
    /// Categories in this order, whichever trace each belongs to.
    pub fn categories(&mut self, labels: Vec<String>) {
        self.kind = Some(AxisType::Category);
        self.categoryorder = Some("array");
        self.categoryarray = Some(labels);
    }
    /// A logarithmic axis.
    pub fn log(mut self) -> Self {
        self.kind = Some(AxisType::Log);
        self
    }
    /// A fixed range.
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some([lo, hi]);
        self
    }
}

/// The legend: under the plot, entries side by side, so it never covers
/// the data or scrolls.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Legend {
    /// `"h"`: entries in rows under the plot.
    pub orientation: &'static str,
    /// Position (below the plot area).
    pub y: f64,
    /// Its anchor.
    pub yanchor: &'static str,
    /// Horizontal position.
    pub x: f64,
}

impl Default for Legend {
    fn default() -> Self {
        Legend { orientation: "h", y: -0.3, yanchor: "top", x: 0.0 }
    }
}

/// Margins (px).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Margin {
    /// Left.
    pub l: u32,
    /// Right.
    pub r: u32,
    /// Top.
    pub t: u32,
    /// Bottom.
    pub b: u32,
}

/// How hovering reports points.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HoverMode {
    /// The nearest point.
    Closest,
}

/// A text placed on the chart.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Annotation {
    /// The text.
    pub text: String,
    /// Position in the plot area (0..1 both ways).
    pub x: f64,
    /// Position.
    pub y: f64,
    /// `"paper"`: positions are fractions of the plot area.
    pub xref: &'static str,
    /// Same for y.
    pub yref: &'static str,
    /// No arrow.
    pub showarrow: bool,
    /// Centred.
    pub xanchor: &'static str,
    /// Above the position.
    pub yanchor: &'static str,
}

impl Annotation {
    /// A panel title above the plot area at `x`.
    pub fn panel(text: impl Into<String>, x: f64) -> Self {
        Annotation { text: text.into(), x, y: 1.0, xref: "paper", yref: "paper", showarrow: false, xanchor: "center", yanchor: "bottom" }
    }
}

/// A layout.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Layout {
    /// The chart's title.
    pub title: Title,
    /// Its height (px).
    pub height: u32,
    /// Margins.
    pub margin: Margin,
    /// The x axis.
    pub xaxis: Axis,
    /// The y axis.
    pub yaxis: Axis,
    /// A second panel's axes (small multiples), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xaxis2: Option<Axis>,
    /// Its y axis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yaxis2: Option<Axis>,
    /// A third panel's axes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xaxis3: Option<Axis>,
    /// Its y axis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yaxis3: Option<Axis>,
    /// The legend.
    pub legend: Legend,
    /// Whether the legend is shown.
    pub showlegend: bool,
    /// How hovering reports points.
    pub hovermode: HoverMode,
    /// `"group"`: bars side by side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub barmode: Option<&'static str>,
    /// Texts on the chart (panel titles).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

impl Layout {
    /// A chart 380 px high with its title at the left (clear of the mode
    /// bar), titled axes and the legend under the plot.
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Self {
        Layout {
            title: Title { text: title.into(), xref: Some("paper"), x: Some(0.0), xanchor: Some("left") },
            height: 380,
            margin: Margin { l: 60, r: 16, t: 50, b: 60 },
            xaxis: x,
            yaxis: y,
            xaxis2: None,
            yaxis2: None,
            xaxis3: None,
            yaxis3: None,
            legend: Legend::default(),
            showlegend: true,
            hovermode: HoverMode::Closest,
            barmode: None,
            annotations: Vec::new(),
        }
    }

    /// Bars side by side.
    pub fn grouped_bars(mut self) -> Self {
        self.barmode = Some("group");
        self
    }

    /// Splits the plot area into `titles.len()` (1 to 3) panels side by
    /// side sharing the y axis: panel i draws on axes `x{i+1}`/`y{i+1}`.
    pub fn panels(mut self, titles: &[String]) -> Self {
        let n = titles.len().clamp(1, 3);
        let gap = 0.06;
        let width = (1.0 - gap * (n - 1) as f64) / n as f64;
        let domain = |i: usize| [i as f64 * (width + gap), i as f64 * (width + gap) + width];
        let x_title = self.xaxis.title.text.clone();
        self.xaxis.domain = Some(domain(0));
        for i in 1..n {
            let mut x = Axis::titled(x_title.clone());
            x.domain = Some(domain(i));
            x.anchor = Some(format!("y{}", i + 1));
            x.matches = Some("x".into());
            let mut y = Axis::titled("");
            y.anchor = Some(format!("x{}", i + 1));
            y.matches = Some("y".into());
            y.kind = self.yaxis.kind;
            if i == 1 {
                self.xaxis2 = Some(x);
                self.yaxis2 = Some(y);
            } else {
                self.xaxis3 = Some(x);
                self.yaxis3 = Some(y);
            }
        }
        self.annotations = titles.iter().take(n).enumerate().map(|(i, t)| Annotation::panel(t.clone(), (domain(i)[0] + domain(i)[1]) / 2.0)).collect();
        self.margin.t = 70;
        self
    }
}

/// A trace's type.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Points and lines.
    Scatter,
    /// Bars.
    Bar,
}

/// How points are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Mode {
    /// Markers only.
    #[serde(rename = "markers")]
    Markers,
    /// Lines only.
    #[serde(rename = "lines")]
    Lines,
    /// Both.
    #[serde(rename = "lines+markers")]
    LinesMarkers,
}

/// Marker shapes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Symbol {
    /// ●
    #[serde(rename = "circle")]
    Circle,
    /// ■
    #[serde(rename = "square")]
    Square,
    /// ◆
    #[serde(rename = "diamond")]
    Diamond,
    /// ▲
    #[serde(rename = "triangle-up")]
    TriangleUp,
    /// ✕
    #[serde(rename = "x")]
    X,
}

/// Line dashes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dash {
    /// Solid.
    Solid,
    /// Dotted.
    Dot,
    /// Dashed.
    Dash,
    /// Dashes and dots.
    DashDot,
}

/// A trace's markers (colour, size, shape).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Marker {
    /// Colour.
    pub color: String,
    /// Size (px).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// Shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<Symbol>,
}

/// A trace's line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// Colour.
    pub color: String,
    /// Dash.
    pub dash: Dash,
    /// Width (px).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
}

/// Vertical error bars (± each value).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorBars {
    /// `"data"`: the half-widths are given.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The half-widths.
    pub array: Vec<f64>,
    /// Shown.
    pub visible: bool,
}

/// What a point's hover shows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HoverInfo {
    /// The hover text alone.
    Text,
    /// Nothing.
    Skip,
}

/// A trace's coordinates: numbers or labels.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Values {
    /// Numbers.
    Numbers(Vec<f64>),
    /// Labels (categories).
    Labels(Vec<String>),
}

impl Values {
    /// How many.
    pub fn len(&self) -> usize {
        match self {
            Values::Numbers(v) => v.len(),
            Values::Labels(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Vec<f64>> for Values {
    fn from(v: Vec<f64>) -> Self {
        Values::Numbers(v)
    }
}

impl From<Vec<String>> for Values {
    fn from(v: Vec<String>) -> Self {
        Values::Labels(v)
    }
}

/// A trace: a scatter or a bar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// Scatter or bar.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// x coordinates.
    pub x: Values,
    /// y coordinates.
    pub y: Values,
    /// Its name in the legend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Markers, lines or both (scatter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Markers (or bars' colour).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<Marker>,
    /// The line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<Line>,
    /// Opacity (faint single runs under their mean).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opacity: Option<f64>,
    /// Hover texts, one per point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hovertext: Option<Vec<String>>,
    /// What hovering shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hoverinfo: Option<HoverInfo>,
    /// Traces of one group toggle together and share one legend entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legendgroup: Option<String>,
    /// Whether it has its own legend entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub showlegend: Option<bool>,
    /// Vertical error bars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_y: Option<ErrorBars>,
    /// The panel's x axis (`"x2"`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xaxis: Option<String>,
    /// The panel's y axis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yaxis: Option<String>,
    /// `"toself"`: the trace outlines a filled band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fill: Option<&'static str>,
    /// The band's colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fillcolor: Option<String>,
}

impl Trace {
    fn of(kind: Kind, x: Values, y: Values) -> Self {
        Trace {
            kind,
            x,
            y,
            name: None,
            mode: None,
            marker: None,
            line: None,
            opacity: None,
            hovertext: None,
            hoverinfo: None,
            legendgroup: None,
            showlegend: None,
            error_y: None,
            xaxis: None,
            yaxis: None,
            fill: None,
            fillcolor: None,
        }
    }

    /// A scatter trace.
    pub fn scatter(x: impl Into<Values>, y: impl Into<Values>) -> Self {
        Self::of(Kind::Scatter, x.into(), y.into())
    }

    /// A bar trace.
    pub fn bar(x: impl Into<Values>, y: impl Into<Values>) -> Self {
        Self::of(Kind::Bar, x.into(), y.into())
    }

    /// Its name in the legend.
    pub fn name(mut self, n: impl Into<String>) -> Self {
        self.name = Some(n.into());
        self
    }

    /// Markers, lines or both.
    pub fn mode(mut self, m: Mode) -> Self {
        self.mode = Some(m);
        self
    }

    /// Markers of a colour, size and shape.
    pub fn markers(mut self, colour: &str, size: u32, symbol: Symbol) -> Self {
        self.marker = Some(Marker { color: colour.into(), size: Some(size), symbol: Some(symbol) });
        self
    }

    /// Bars of a colour.
    pub fn bar_colour(mut self, colour: &str) -> Self {
        self.marker = Some(Marker { color: colour.into(), size: None, symbol: None });
        self
    }

    /// A line of a colour and dash.
    pub fn line(mut self, colour: &str, dash: Dash) -> Self {
        self.line = Some(Line { color: colour.into(), dash, width: None });
        self
    }

    /// A thin line (single runs under their mean).
    pub fn thin(mut self) -> Self {
        if let Some(l) = &mut self.line {
            l.width = Some(1.0);
        }
        self
    }

    /// Drawn faintly.
    pub fn faint(mut self) -> Self {
        self.opacity = Some(0.3);
        self
    }

    /// Hover texts, one per point, shown alone.
    pub fn hover(mut self, texts: Vec<String>) -> Self {
        self.hovertext = Some(texts);
        self.hoverinfo = Some(HoverInfo::Text);
        self
    }

    /// One hover text for every point (a line that names its model).
    pub fn hover_all(self, text: impl Into<String>) -> Self {
        let n = self.x.len();
        let t = text.into();
        self.hover(vec![t; n])
    }

    /// No hover.
    pub fn no_hover(mut self) -> Self {
        self.hoverinfo = Some(HoverInfo::Skip);
        self
    }

    /// In a legend group (its entry is the first trace of the group shown).
    pub fn group(mut self, g: impl Into<String>) -> Self {
        self.legendgroup = Some(g.into());
        self
    }

    /// Left out of the legend.
    pub fn unlisted(mut self) -> Self {
        self.showlegend = Some(false);
        self
    }

    /// Vertical error bars (± each value).
    pub fn error_y(mut self, e: Vec<f64>) -> Self {
        self.error_y = Some(ErrorBars { kind: "data", array: e, visible: true });
        self
    }

    /// Drawn in panel `i` (0-based) of a [`Layout::panels`] layout.
    pub fn panel(mut self, i: usize) -> Self {
        if i > 0 {
            self.xaxis = Some(format!("x{}", i + 1));
            self.yaxis = Some(format!("y{}", i + 1));
        }
        self
    }

    /// A filled band of a colour (the trace's points outline it).
    pub fn band(mut self, colour: &str) -> Self {
        self.fill = Some("toself");
        self.fillcolor = Some(colour.into());
        self.line = Some(Line { color: "rgba(0,0,0,0)".into(), dash: Dash::Solid, width: Some(0.0) });
        self.mode = Some(Mode::Lines);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_write_plotlys_json() {
        let mut p = Plot::new(Layout::new("t", Axis::titled("x").log(), Axis::titled("y")));
        p.add(Trace::scatter(vec![1.0, f64::NAN], vec![2.0, 3.0]).name("a").mode(Mode::LinesMarkers).markers("#000", 9, Symbol::TriangleUp).line("#111", Dash::Dot));
        p.add(Trace::bar(vec!["0".to_string()], vec![0.5]).bar_colour("#222").group("g").unlisted());
        let v: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
        let t = &v["data"][0];
        assert_eq!((t["type"].as_str(), t["mode"].as_str()), (Some("scatter"), Some("lines+markers")));
        // Markers and line are both kept.
        assert_eq!((t["marker"]["symbol"].as_str(), t["line"]["dash"].as_str()), (Some("triangle-up"), Some("dot")));
        assert!(t["x"][1].is_null(), "a NaN is a gap");
        assert_eq!(v["data"][1]["x"][0], "0");
        assert_eq!(v["layout"]["xaxis"]["type"], "log");
        assert_eq!(v["layout"]["legend"]["orientation"], "h");
        assert!(v["layout"].get("barmode").is_none(), "unset options are left out");
        assert_eq!(v["config"]["displaylogo"], false);
        assert_eq!(p.legend_entries(), vec!["a".to_string()]);
    }

    #[test]
    fn panels_share_their_axes() {
        let l = Layout::new("t", Axis::titled("step"), Axis::titled("s")).panels(&["n2".into(), "n4".into(), "n6".into()]);
        let v = serde_json::to_value(&l).unwrap();
        assert_eq!(v["xaxis3"]["anchor"], "y3");
        assert_eq!(v["yaxis2"]["matches"], "y");
        assert_eq!(v["annotations"].as_array().unwrap().len(), 3);
        let t = serde_json::to_value(Trace::scatter(vec![1.0], vec![1.0]).panel(2)).unwrap();
        assert_eq!((t["xaxis"].as_str(), t["yaxis"].as_str()), (Some("x3"), Some("y3")));
    }
}
