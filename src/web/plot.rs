//! The few plotly.js figure attributes the lab's charts use, as a small
//! builder that writes plotly's JSON (the full plotly crate weighed some
//! 300 KB of the page's wasm). Names follow plotly.js.

use serde::Serialize;
use serde_json::{Map, Value, json};

/// A chart: traces, layout and plotly's configuration.
#[derive(Clone, Debug, Default)]
pub struct Plot {
    data: Vec<Value>,
    layout: Value,
}

impl Plot {
    /// An empty chart with a layout.
    pub fn new(layout: Layout) -> Self {
        Plot { data: Vec::new(), layout: Value::Object(layout.0) }
    }

    /// Adds a trace.
    pub fn add_trace(&mut self, t: Trace) {
        self.data.push(Value::Object(t.0));
    }

    /// Number of traces.
    pub fn traces(&self) -> usize {
        self.data.len()
    }

    /// What `Plotly.react` takes: data, layout and config.
    pub fn to_json(&self) -> String {
        let config = json!({
            "responsive": true,
            "displaylogo": false,
            "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
                "hoverClosestCartesian", "hoverCompareCartesian", "toggleSpikelines", "sendDataToCloud"],
        });
        json!({ "data": self.data, "layout": self.layout, "config": config }).to_string()
    }
}

fn set(mut m: Map<String, Value>, k: &str, v: impl Serialize) -> Map<String, Value> {
    m.insert(k.into(), serde_json::to_value(v).unwrap_or(Value::Null));
    m
}

/// An axis.
#[derive(Clone, Debug, Default)]
pub struct Axis(Map<String, Value>);

impl Axis {
    /// An axis with a title.
    pub fn titled(title: &str) -> Self {
        Axis(set(set(Map::new(), "title", json!({ "text": title })), "zeroline", false))
    }
    /// A logarithmic axis.
    pub fn log(self) -> Self {
        Axis(set(self.0, "type", "log"))
    }
}

/// A layout.
#[derive(Clone, Debug, Default)]
pub struct Layout(Map<String, Value>);

impl Layout {
    /// A chart 360 px high with its title at the left (clear of the mode
    /// bar plotly draws top right) and titled axes.
    pub fn new(title: &str, x: Axis, y: Axis) -> Self {
        let m = set(Map::new(), "title", json!({ "text": title, "xref": "paper", "x": 0, "xanchor": "left" }));
        let m = set(m, "height", 360);
        let m = set(m, "margin", json!({ "l": 60, "r": 20, "t": 50, "b": 50 }));
        Layout(set(set(m, "xaxis", Value::Object(x.0)), "yaxis", Value::Object(y.0)))
    }
    /// Bars side by side.
    pub fn grouped_bars(self) -> Self {
        Layout(set(self.0, "barmode", "group"))
    }
}

/// How points are drawn.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// Markers only.
    Markers,
    /// Lines only.
    Lines,
    /// Both.
    LinesMarkers,
}

/// Marker shapes.
#[derive(Clone, Copy, Debug)]
pub enum Symbol {
    /// ●
    Circle,
    /// ■
    Square,
    /// ◆
    Diamond,
    /// ▲
    TriangleUp,
    /// ✕
    X,
}

/// Line dashes.
#[derive(Clone, Copy, Debug)]
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

/// A trace: a scatter or a bar.
#[derive(Clone, Debug, Default)]
pub struct Trace(Map<String, Value>);

impl Trace {
    /// A scatter trace.
    pub fn scatter<X: Serialize, Y: Serialize>(x: Vec<X>, y: Vec<Y>) -> Self {
        Trace(set(set(set(Map::new(), "type", "scatter"), "x", x), "y", y))
    }
    /// A bar trace.
    pub fn bar<X: Serialize, Y: Serialize>(x: Vec<X>, y: Vec<Y>) -> Self {
        Trace(set(set(set(Map::new(), "type", "bar"), "x", x), "y", y))
    }
    /// Its name in the legend.
    pub fn name(self, n: impl Into<String>) -> Self {
        Trace(set(self.0, "name", n.into()))
    }
    /// Markers, lines or both.
    pub fn mode(self, m: Mode) -> Self {
        let m = match m {
            Mode::Markers => "markers",
            Mode::Lines => "lines",
            Mode::LinesMarkers => "lines+markers",
        };
        Trace(set(self.0, "mode", m))
    }
    /// Markers of a colour, size and shape.
    pub fn markers(self, colour: &str, size: u32, symbol: Symbol) -> Self {
        let s = match symbol {
            Symbol::Circle => "circle",
            Symbol::Square => "square",
            Symbol::Diamond => "diamond",
            Symbol::TriangleUp => "triangle-up",
            Symbol::X => "x",
        };
        Trace(set(self.0, "marker", json!({ "color": colour, "size": size, "symbol": s })))
    }
    /// Bars or markers of a colour.
    pub fn colour(self, colour: &str) -> Self {
        Trace(set(self.0, "marker", json!({ "color": colour })))
    }
    /// A line of a colour and dash.
    pub fn line(self, colour: &str, dash: Dash) -> Self {
        let d = match dash {
            Dash::Solid => "solid",
            Dash::Dot => "dot",
            Dash::Dash => "dash",
            Dash::DashDot => "dashdot",
        };
        Trace(set(self.0, "line", json!({ "color": colour, "dash": d })))
    }
    /// Hover texts, one per point, shown alone.
    pub fn hover(self, texts: Vec<String>) -> Self {
        Trace(set(set(self.0, "hovertext", texts), "hoverinfo", "text"))
    }
    /// No hover.
    pub fn no_hover(self) -> Self {
        Trace(set(self.0, "hoverinfo", "skip"))
    }
    /// Traces of one group toggle together in the legend.
    pub fn group(self, g: impl Into<String>) -> Self {
        Trace(set(self.0, "legendgroup", g.into()))
    }
    /// Vertical error bars (± each value).
    pub fn error_y(self, e: Vec<f64>) -> Self {
        Trace(set(self.0, "error_y", json!({ "type": "data", "array": e, "visible": true })))
    }
}
