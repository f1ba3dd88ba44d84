//! Every setting of the lab as a URL query, declared once.
//!
//! [`props`] is the one typed list of link properties: the preset, every
//! experiment setting of [`crate::study::settings`], and the page's own
//! settings (the taxonomy's and differential sections' sliders, what a
//! teacher hides, the guided mode). [`parse`] and [`serialize`] both walk
//! that list, and the page's controls write through the same declarations.
//! Parsing never fails: each bad or unknown parameter becomes a [`Notice`]
//! naming the value that was used instead.

use super::parts::{PART_NAMES, Part, Section};
use crate::sequence::SuccessSet;
use crate::study::engine::Engine;
use crate::study::config::{EXPERIMENT, ExperimentConfig, LINK_ALIASES};
use crate::study::preset::Preset;
use crate::study::settings::{Kind, Setting, Value, no_extra};
use crate::taxonomy::Shape;
use serde::{Deserialize, Serialize};

/// The version links are written with. A link without `v` is version 1.
/// Version 2 names every experiment setting by its config field; version
/// 1's names for the six that differed are read through
/// [`LINK_ALIASES`].
pub const LINK_VERSION: u32 = 2;

/// The taxonomy section's sliders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaxonomyState {
    /// The task whose G is used.
    pub task: SuccessSet,
    /// Success rate s.
    pub success: f64,
    /// The shape of the outcome distribution.
    pub shape: Shape,
}

/// The differential section's sliders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DifferentialState {
    /// Scalar C (k in A = P, F = P − (1 − k) A).
    pub k: f64,
    /// J_g, 2x2, row-major.
    pub jg: [f64; 4],
    /// J_h, 2x2, row-major.
    pub jh: [f64; 4],
    /// Spread of P for the Monte Carlo check.
    pub sigma: f64,
}

/// What a teacher's link shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewState {
    /// Sections and groups of controls hidden.
    pub hide: Vec<Part>,
    /// Guided mode: one section at a time, with next and back.
    pub guide: bool,
}

/// Everything a link holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabState {
    /// The preset the experiment started from.
    pub preset: Preset,
    /// The experiment.
    pub experiment: ExperimentConfig,
    /// Taxonomy sliders.
    pub taxonomy: TaxonomyState,
    /// Differential sliders.
    pub differential: DifferentialState,
    /// What the page shows.
    pub view: ViewState,
    /// The engine the page's workers train and measure on.
    pub engine: Engine,
}

impl Default for LabState {
    fn default() -> Self {
        Self::for_preset(Preset::Quick)
    }
}

impl LabState {
    /// The state a preset link opens.
    pub fn for_preset(preset: Preset) -> Self {
        LabState {
            preset,
            experiment: ExperimentConfig::preset(preset),
            taxonomy: TaxonomyState { task: SuccessSet::N6, success: 0.85, shape: Shape { success_outcomes: 1, failure_outcomes: 1 } },
            differential: DifferentialState { k: 0.5, jg: [1.0, 0.0, 0.0, 1.0], jh: [0.5, 0.2, 0.1, 0.8], sigma: 1.0 },
            view: ViewState::default(),
            engine: Engine::Cpu,
        }
    }

    /// Whether a part (section or group of controls) is shown.
    pub fn shows(&self, part: Part) -> bool {
        !self.view.hide.contains(&part)
    }

    /// The sections shown, in the page's order.
    pub fn sections(&self) -> Vec<Section> {
        Section::ALL.into_iter().filter(|s| self.shows(Part::Section(*s))).collect()
    }
}

macro_rules! float_lab {
    ($name:literal, $label:literal, $help:literal, $($field:ident).+, $lo:expr, $hi:expr) => {
        Setting {
            name: $name,
            label: $label,
            help: $help,
            kind: Kind::Float { lo: $lo, hi: $hi },
            get: |s: &LabState| Value::Float(s.$($field).+),
            set: |s: &mut LabState, v| s.$($field).+ = v.float(),
            extra: no_extra,
        }
    };
}

/// The preset (read first: it sets every experiment default the others change).
pub static PRESET: Setting<LabState> = Setting {
    name: "preset",
    label: "Preset",
    help: "the experiment to start from",
    kind: Kind::Preset,
    get: |s| Value::Preset(s.preset),
    set: |s, v| {
        if let Value::Preset(p) = v {
            s.preset = p;
            s.experiment = ExperimentConfig::preset(p);
        }
    },
    extra: no_extra,
};
/// The taxonomy's task.
pub static TAX_TASK: Setting<LabState> = Setting {
    name: "tax_task",
    label: "Task",
    help: "taxonomy: the task whose success set G is used",
    kind: Kind::Task,
    get: |s| Value::Task(s.taxonomy.task),
    set: |s, v| {
        if let Value::Task(g) = v {
            s.taxonomy.task = g;
            s.taxonomy.shape = s.taxonomy.shape.clamped(g).0;
        }
    },
    extra: no_extra,
};
/// The taxonomy's success rate.
pub static TAX_S: Setting<LabState> =
    float_lab!("tax_s", "Success rate s", "taxonomy: the policy's success rate", taxonomy.success, 0.0, 1.0);
/// Checks a taxonomy count against how many outcomes are in G (`inside`)
/// or outside it.
fn spread_within(s: &LabState, v: &Value, inside: bool) -> Result<(), String> {
    let g = s.taxonomy.task;
    let (n, where_) = if inside { (g.len() as u64, "|G|") } else { (8 - g.len() as u64, "outcomes outside G") };
    if v.int() > n { Err(format!("{} is outside 1..={n} ({where_} for {g})", v.int())) } else { Ok(()) }
}

/// Outcomes of G the successes spread over.
pub static TAX_SUCC: Setting<LabState> = Setting {
    name: "tax_succ",
    label: "Successes spread over",
    help: "taxonomy: how many outcomes of G the successes spread over evenly",
    kind: Kind::Int { lo: 1, hi: 7 },
    get: |s| Value::Int(s.taxonomy.shape.success_outcomes as u64),
    set: |s, v| s.taxonomy.shape.success_outcomes = v.int() as usize,
    extra: |s, v| spread_within(s, v, true),
};
/// Outcomes outside G the failures spread over.
pub static TAX_FAIL: Setting<LabState> = Setting {
    name: "tax_fail",
    label: "Failures spread over",
    help: "taxonomy: how many outcomes outside G the failures spread over evenly",
    kind: Kind::Int { lo: 1, hi: 7 },
    get: |s| Value::Int(s.taxonomy.shape.failure_outcomes as u64),
    set: |s, v| s.taxonomy.shape.failure_outcomes = v.int() as usize,
    extra: |s, v| spread_within(s, v, false),
};
/// The scalar system's C.
pub static K: Setting<LabState> =
    float_lab!("k", "k = C", "differential: the scalar system's C (A = P, F = P − (1 − k) A)", differential.k, 0.01, 3.0);
/// A 2x2 matrix of the differential section.
macro_rules! matrix_lab {
    ($name:literal, $label:literal, $help:literal, $field:ident) => {
        Setting {
            name: $name,
            label: $label,
            help: $help,
            kind: Kind::Floats4 { lo: -10.0, hi: 10.0 },
            get: |s| Value::Floats4(s.differential.$field),
            set: |s, v| {
                if let Value::Floats4(m) = v {
                    s.differential.$field = m;
                }
            },
            extra: no_extra,
        }
    };
}
/// J_g.
pub static JG: Setting<LabState> = matrix_lab!("jg", "J_g", "differential: J_g, dF/dP with the action held fixed (2x2, row-major)", jg);
/// J_h.
pub static JH: Setting<LabState> = matrix_lab!("jh", "J_h", "differential: J_h, dF/dP with the action responding (2x2, row-major)", jh);
/// Spread of P.
pub static SIGMA: Setting<LabState> =
    float_lab!("sigma", "σ", "differential: the spread of P for the Monte Carlo check", differential.sigma, 0.01, 10.0);
/// Hidden parts.
pub static HIDE: Setting<LabState> = Setting {
    name: "hide",
    label: "Hide",
    help: "sections and controls this link hides (for teaching): any of the page's section names and presets, settings, sizes, tasks, run, files, benchmark",
    kind: Kind::Names { allowed: &PART_NAMES },
    get: |s| Value::Names(s.view.hide.iter().map(|p| p.name().to_string()).collect()),
    set: |s, v| {
        if let Value::Names(n) = v {
            s.view.hide = n.iter().filter_map(|n| Part::parse(n)).collect();
        }
    },
    extra: no_extra,
};
/// Guided mode.
pub static GUIDE: Setting<LabState> = Setting {
    name: "guide",
    label: "Guided tour",
    help: "1: walk through the sections one at a time",
    kind: Kind::Flag,
    get: |s| Value::Flag(s.view.guide),
    set: |s, v| s.view.guide = v.flag(),
    extra: no_extra,
};

/// The engine.
pub static ENGINE: Setting<LabState> = Setting {
    name: "engine",
    label: "Engine",
    help: "cpu: train and measure on the CPU, the same numbers bit for bit in every browser; gpu: on the GPU through WebGPU, near numbers (falls back to the CPU where the browser has no WebGPU adapter)",
    kind: Kind::Engine,
    get: |s| Value::Engine(s.engine),
    set: |s, v| {
        if let Value::Engine(e) = v {
            s.engine = e;
        }
    },
    extra: no_extra,
};

/// The page's own settings, after the experiment's in links.
pub static LAB: [&Setting<LabState>; 11] = [&TAX_TASK, &TAX_S, &TAX_SUCC, &TAX_FAIL, &K, &JG, &JH, &SIGMA, &HIDE, &GUIDE, &ENGINE];

/// One link property: a page setting or an experiment setting.
#[derive(Clone, Copy)]
pub enum Prop {
    /// A setting of the page's state.
    Lab(&'static Setting<LabState>),
    /// A setting of the experiment.
    Experiment(&'static Setting<ExperimentConfig>),
}

/// Two properties are the same when they are the same declaration (one
/// static each), never by their names.
impl PartialEq for Prop {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Prop::Lab(a), Prop::Lab(b)) => std::ptr::eq(*a, *b),
            (Prop::Experiment(a), Prop::Experiment(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

impl std::fmt::Debug for Prop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Prop({})", self.name())
    }
}

impl Prop {
    /// Whether this is the page's setting `s`.
    pub fn is_lab(self, s: &'static Setting<LabState>) -> bool {
        matches!(self, Prop::Lab(x) if std::ptr::eq(x, s))
    }

    /// The query parameter.
    pub fn name(self) -> &'static str {
        match self {
            Prop::Lab(s) => s.name,
            Prop::Experiment(s) => s.name,
        }
    }
    /// The control's label.
    pub fn label(self) -> &'static str {
        match self {
            Prop::Lab(s) => s.label,
            Prop::Experiment(s) => s.label,
        }
    }
    /// What it means, with its bounds.
    pub fn help(self) -> String {
        match self {
            Prop::Lab(s) => format!("{} ({})", s.help_line(), s.bounds()),
            Prop::Experiment(s) => format!("{} ({})", s.help_line(), s.bounds()),
        }
    }
    /// Its type and bounds.
    pub fn kind(self) -> Kind {
        match self {
            Prop::Lab(s) => s.kind,
            Prop::Experiment(s) => s.kind,
        }
    }
    /// Whether it is part of the experiment (links that set one name an
    /// experiment).
    pub fn is_experiment(self) -> bool {
        matches!(self, Prop::Experiment(_)) || self.is_lab(&PRESET)
    }
    /// Its value in a state.
    pub fn read(self, s: &LabState) -> Value {
        match self {
            Prop::Lab(x) => x.read(s),
            Prop::Experiment(x) => x.read(&s.experiment),
        }
    }
    /// Its value in a state, as link text.
    pub fn read_text(self, s: &LabState) -> String {
        match self {
            Prop::Lab(x) => x.read_text(s),
            Prop::Experiment(x) => x.read_text(&s.experiment),
        }
    }
    /// Reads text as its value (bounds of its kind checked).
    pub fn parse(self, text: &str) -> Result<Value, String> {
        match self {
            Prop::Lab(x) => x.parse(text),
            Prop::Experiment(x) => x.parse(text),
        }
    }
    /// Writes a value into a state, or says why it was refused (then the
    /// state is unchanged). An experiment setting must leave the whole
    /// experiment valid.
    pub fn write(self, s: &mut LabState, v: Value) -> Result<(), String> {
        match self {
            Prop::Lab(x) => x.write(s, v),
            Prop::Experiment(x) => {
                let mut e = s.experiment.clone();
                x.write(&mut e, v)?;
                e.check()?;
                s.experiment = e;
                Ok(())
            }
        }
    }
}

/// The one list of link properties, in the order they are read and written.
pub fn props() -> impl Iterator<Item = Prop> {
    std::iter::once(Prop::Lab(&PRESET))
        .chain(EXPERIMENT.iter().map(|s| Prop::Experiment(s)))
        .chain(LAB.iter().map(|s| Prop::Lab(s)))
}

/// The property of a query parameter (or of an older link's name for it).
pub fn prop(name: &str) -> Option<Prop> {
    props()
        .find(|p| p.name() == name)
        .or_else(|| LINK_ALIASES.iter().find(|(old, _)| *old == name).map(|(_, s)| Prop::Experiment(s)))
}

/// A parameter that was wrong, and what was used instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The parameter's name as it appeared.
    pub param: String,
    /// Its value as it appeared.
    pub value: String,
    /// What was wrong and what was used instead.
    pub message: String,
}

/// Decodes `%XX` and `+` in a query component; invalid escapes stay as they
/// are.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a value for a query: keeps letters, digits and `-_.~,`.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The longest query read (characters); the rest is ignored with a notice.
pub const MAX_QUERY: usize = 8192;

/// Reads a query string (with or without the leading `?`). Never fails:
/// returns the state and a notice for each parameter that was unknown,
/// repeated or invalid, naming the value used instead.
pub fn parse(query: &str) -> (LabState, Vec<Notice>) {
    let mut notices = Vec::new();
    let mut query = query.strip_prefix('?').unwrap_or(query);
    if query.len() > MAX_QUERY {
        let mut cut = MAX_QUERY;
        while !query.is_char_boundary(cut) {
            cut -= 1;
        }
        notices.push(Notice {
            param: "(link)".into(),
            value: String::new(),
            message: format!("the link is longer than {MAX_QUERY} characters; the rest was ignored"),
        });
        query = &query[..cut];
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let (k, v) = (decode(k), decode(v));
        if pairs.iter().any(|(pk, _)| *pk == k || (prop(pk).is_some() && prop(pk) == prop(&k))) {
            notices.push(Notice { param: k.clone(), value: v, message: format!("'{k}' is given more than once; the first value was used") });
            continue;
        }
        pairs.push((k, v));
    }
    let mut state = LabState::default();
    for (k, v) in &pairs {
        if k == "v" {
            if !matches!(v.trim().parse::<u32>(), Ok(n) if (1..=LINK_VERSION).contains(&n)) {
                notices.push(Notice {
                    param: k.clone(),
                    value: v.clone(),
                    message: format!("link version '{v}' is not one this lab reads (1..={LINK_VERSION}); read as version {LINK_VERSION}"),
                });
            }
        } else if prop(k).is_none() {
            notices.push(Notice { param: k.clone(), value: v.clone(), message: format!("unknown parameter '{k}' was ignored") });
        }
    }
    for p in props() {
        let Some((k, v)) = pairs.iter().find(|(k, _)| prop(k) == Some(p)) else { continue };
        let before = p.read_text(&state);
        let result = p.parse(v).and_then(|value| match p {
            // The experiment is checked whole at the end: settings that
            // depend on each other may arrive in any order.
            Prop::Experiment(x) => x.write(&mut state.experiment, value),
            Prop::Lab(_) => p.write(&mut state, value),
        });
        if let Err(e) = result {
            notices.push(Notice { param: k.clone(), value: v.clone(), message: format!("{k}: {e}; used {before}") });
        }
    }
    if let Err(e) = state.experiment.check() {
        notices.push(Notice {
            param: "experiment".into(),
            value: String::new(),
            message: format!("the settings do not fit together ({e}); used the '{}' preset's experiment", state.preset),
        });
        state.experiment = ExperimentConfig::preset(state.preset);
    }
    (state, notices)
}

/// Writes a state as a query string (without `?`): the version, the preset,
/// then only the properties that differ from what the preset gives.
pub fn serialize(state: &LabState) -> String {
    let base = LabState::for_preset(state.preset);
    let mut parts = vec![format!("v={LINK_VERSION}")];
    for p in props() {
        let value = p.read_text(state);
        if p.is_lab(&PRESET) || value != p.read_text(&base) {
            parts.push(format!("{}={}", p.name(), encode(&value)));
        }
    }
    parts.join("&")
}

/// Whether a query changes an experiment setting (beyond choosing a
/// preset): the page then opens with its settings shown.
pub fn names_settings(query: &str) -> bool {
    let query = query.strip_prefix('?').unwrap_or(query);
    query.split('&').any(|p| prop(&decode(p.split('=').next().unwrap_or(""))).is_some_and(|p| matches!(p, Prop::Experiment(_))))
}

/// Whether a query names an experiment (a preset or any experiment
/// setting), as opposed to a bare visit.
pub fn names_experiment(query: &str) -> bool {
    let query = query.strip_prefix('?').unwrap_or(query);
    query.split('&').any(|p| prop(&decode(p.split('=').next().unwrap_or(""))).is_some_and(|p| p.is_experiment()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::size::Size;

    #[test]
    fn defaults_round_trip() {
        for p in Preset::ALL {
            let s = LabState::for_preset(p);
            let q = serialize(&s);
            assert_eq!(q, format!("v=2&preset={p}"));
            let (back, notices) = parse(&q);
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(back, s);
        }
    }

    #[test]
    fn changes_round_trip() {
        let mut s = LabState::for_preset(Preset::Paper);
        s.experiment.sizes = vec![Size::S, Size::Xl];
        s.experiment.seeds = vec![3, 9];
        s.experiment.tasks = vec![SuccessSet::N2, SuccessSet::parse("1,3,5").unwrap()];
        s.experiment.rl_lr = 0.000123;
        s.experiment.sample_dropout = false;
        s.taxonomy.success = 0.3;
        s.differential.jg = [1.5, -0.25, 0.0, 2.0];
        s.view.hide = vec![Part::Section(Section::Differential), Part::Controls(super::super::parts::Controls::Files)];
        s.view.guide = true;
        s.engine = Engine::Gpu;
        let q = serialize(&s);
        assert!(q.contains("engine=gpu"), "{q}");
        let (back, notices) = parse(&q);
        assert!(notices.is_empty(), "{q}: {notices:?}");
        assert_eq!(back, s);
    }

    #[test]
    fn bad_parameters_are_named() {
        let (s, n) = parse("?preset=quick&steps=abc&colour=red&sizes=s,huge&eps=0&v=99&steps=5&hide=everything&engine=tpu");
        assert_eq!(s.engine, Engine::Cpu);
        assert_eq!(s.experiment, ExperimentConfig::preset(Preset::Quick));
        let params: Vec<&str> = n.iter().map(|n| n.param.as_str()).collect();
        for p in ["steps", "colour", "sizes", "eps", "v", "hide", "engine"] {
            assert!(params.contains(&p), "{p} missing from {params:?}");
        }
        let steps = n.iter().find(|n| n.param == "steps" && n.value == "abc").unwrap();
        assert!(steps.message.contains("used 1000"), "{}", steps.message);
        // Settings that only fit together arrive in any order.
        let (s, n) = parse("?eval=5000&test_tokens=20000");
        assert!(n.is_empty(), "{n:?}");
        assert_eq!(s.experiment.eval_histories, 5000);
        // A link the experiment check refuses falls back to the preset.
        let (s, n) = parse("?preset=paper&eval=9000&test_tokens=1000");
        assert_eq!(s.experiment, ExperimentConfig::preset(Preset::Paper));
        assert!(n.iter().any(|n| n.param == "experiment"), "{n:?}");
    }

    #[test]
    fn older_links_name_settings_the_old_way() {
        let (s, n) = parse("?v=1&preset=paper&maint_every=3&maint_rollouts=0.5&wd=0.02&eval=900");
        assert!(n.is_empty(), "{n:?}");
        let e = &s.experiment;
        assert_eq!((e.maintenance_every, e.maintenance_rollouts, e.weight_decay, e.eval_histories), (3, 0.5, 0.02, 900));
        // Written back with today's names; the same setting twice is refused.
        let q = serialize(&s);
        assert!(q.contains("maintenance_every=3") && !q.contains("maint_every"), "{q}");
        let (_, n) = parse("?maint_every=1&maintenance_every=3");
        assert_eq!(n.len(), 1, "{n:?}");
    }

    #[test]
    fn names_experiment_only_for_experiment_settings() {
        assert!(names_experiment("?preset=quick"));
        assert!(names_experiment("steps=10"));
        assert!(names_experiment("maint_lr=0.1"));
        assert!(!names_experiment("?tax_s=0.5"));
        assert!(!names_experiment("?hide=files"));
        assert!(!names_experiment(""));
        assert!(!names_settings("?preset=paper&hide=files&guide=1"));
        assert!(names_settings("?preset=paper&rl_steps=10"));
        assert!(names_settings("?maint_every=1"));
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("a%2Cb+c"), "a,b c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(encode("n2;0,3"), "n2%3B0,3");
    }
}
