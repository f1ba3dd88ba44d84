//! Each setting declared once: its name in links, its label and help in the
//! page, its type and bounds, and where it lives.
//!
//! A [`Setting`] reads and writes one field of a state `S` (an experiment
//! config, declared in [`super::config`], or the page's link state in
//! [`crate::lab`]). Parsing a link,
//! checking a config file and the page's controls all go through the same
//! declaration, so they accept exactly the same values.

use super::engine::Engine;
use super::preset::Preset;
use super::size::Size;
use crate::sequence::SuccessSet;
use std::fmt::Write as _;

/// A setting's type and bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A whole number in `lo..=hi`.
    Int {
        /// Smallest allowed.
        lo: u64,
        /// Largest allowed.
        hi: u64,
    },
    /// A finite number in `[lo, hi]`.
    Float {
        /// Smallest allowed.
        lo: f64,
        /// Largest allowed.
        hi: f64,
    },
    /// On or off (`1`/`0`, `true`/`false`).
    Flag,
    /// Model sizes, comma-separated, each at most once.
    Sizes,
    /// Whole numbers (seeds), comma-separated, each at most once.
    Seeds {
        /// At most this many.
        max: usize,
    },
    /// Success sets separated by `;`, each at most once.
    Tasks {
        /// At most this many.
        max: usize,
    },
    /// One success set.
    Task,
    /// Four numbers in `[lo, hi]`, comma-separated (a 2x2 matrix, row-major).
    Floats4 {
        /// Smallest allowed.
        lo: f64,
        /// Largest allowed.
        hi: f64,
    },
    /// Names from a fixed list, comma-separated, each at most once.
    Names {
        /// The names allowed.
        allowed: &'static [&'static str],
    },
    /// A preset.
    Preset,
    /// An engine (`cpu` or `gpu`).
    Engine,
}

/// A field type a setting reads and writes: how it becomes a [`Value`] and
/// back.
pub trait SettingValue: Sized {
    /// The value of the field.
    fn to_value(&self) -> Value;
    /// The field from a value of the setting's kind (None for another kind).
    fn from_value(v: Value) -> Option<Self>;
}

impl SettingValue for usize {
    fn to_value(&self) -> Value {
        Value::Int(*self as u64)
    }
    fn from_value(v: Value) -> Option<Self> {
        if let Value::Int(x) = v { Some(x as usize) } else { None }
    }
}

impl SettingValue for u64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
    fn from_value(v: Value) -> Option<Self> {
        if let Value::Int(x) = v { Some(x) } else { None }
    }
}

impl SettingValue for f64 {
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
    fn from_value(v: Value) -> Option<Self> {
        if let Value::Float(x) = v { Some(x) } else { None }
    }
}

impl SettingValue for bool {
    fn to_value(&self) -> Value {
        Value::Flag(*self)
    }
    fn from_value(v: Value) -> Option<Self> {
        if let Value::Flag(x) = v { Some(x) } else { None }
    }
}

/// Sizes are kept in size order (the experiment's nets follow it).
impl SettingValue for Vec<Size> {
    fn to_value(&self) -> Value {
        Value::Sizes(self.clone())
    }
    fn from_value(v: Value) -> Option<Self> {
        if let Value::Sizes(mut xs) = v {
            xs.sort();
            Some(xs)
        } else {
            None
        }
    }
}

impl SettingValue for Vec<u64> {
    fn to_value(&self) -> Value {
        Value::Seeds(self.clone())
    }
    fn from_value(v: Value) -> Option<Self> {
        if let Value::Seeds(xs) = v { Some(xs) } else { None }
    }
}

impl SettingValue for Vec<SuccessSet> {
    fn to_value(&self) -> Value {
        Value::Tasks(self.clone())
    }
    fn from_value(v: Value) -> Option<Self> {
        if let Value::Tasks(xs) = v { Some(xs) } else { None }
    }
}

/// A setting's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A whole number.
    Int(u64),
    /// A number.
    Float(f64),
    /// On or off.
    Flag(bool),
    /// Sizes.
    Sizes(Vec<Size>),
    /// Seeds.
    Seeds(Vec<u64>),
    /// Success sets.
    Tasks(Vec<SuccessSet>),
    /// A success set.
    Task(SuccessSet),
    /// Four numbers.
    Floats4([f64; 4]),
    /// Names (from a kind's fixed list).
    Names(Vec<String>),
    /// A preset.
    Preset(Preset),
    /// An engine.
    Engine(Engine),
}

impl Value {
    /// The whole number (0 for another kind).
    pub fn int(&self) -> u64 {
        match self {
            Value::Int(v) => *v,
            _ => 0,
        }
    }
    /// The number (NaN for another kind).
    pub fn float(&self) -> f64 {
        match self {
            Value::Float(v) => *v,
            _ => f64::NAN,
        }
    }
    /// The flag (false for another kind).
    pub fn flag(&self) -> bool {
        matches!(self, Value::Flag(true))
    }
}

/// One setting of a state `S`.
pub struct Setting<S: 'static> {
    /// Its name in links (the query parameter).
    pub name: &'static str,
    /// Its label in the page.
    pub label: &'static str,
    /// What it means (a doc comment's lines; read it through
    /// [`Setting::help_line`]).
    pub help: &'static str,
    /// Its type and bounds.
    pub kind: Kind,
    /// Reads it.
    pub get: fn(&S) -> Value,
    /// Writes it (the value has been checked).
    pub set: fn(&mut S, Value),
    /// Bounds that depend on the rest of the state (none for most).
    pub extra: fn(&S, &Value) -> Result<(), String>,
}

/// No bounds beyond the kind's.
pub fn no_extra<S>(_: &S, _: &Value) -> Result<(), String> {
    Ok(())
}

fn fmt_float(v: f64) -> String {
    format!("{v}")
}

fn parse_int(text: &str, lo: u64, hi: u64) -> Result<u64, String> {
    let v: u64 = text.trim().parse().map_err(|_| format!("'{}' is not a whole number", text.trim()))?;
    if (lo..=hi).contains(&v) { Ok(v) } else { Err(format!("{v} is outside {lo}..={hi}")) }
}

fn parse_float(text: &str, lo: f64, hi: f64) -> Result<f64, String> {
    let v: f64 = text.trim().parse().map_err(|_| format!("'{}' is not a number", text.trim()))?;
    check_float(v, lo, hi)?;
    Ok(v)
}

fn check_float(v: f64, lo: f64, hi: f64) -> Result<(), String> {
    if v.is_finite() && v >= lo && v <= hi { Ok(()) } else { Err(format!("{v} is outside [{lo}, {hi}]")) }
}

fn parts(text: &str, sep: char) -> impl Iterator<Item = &str> {
    text.split(sep).map(str::trim).filter(|p| !p.is_empty())
}

impl<S> Setting<S> {
    /// Reads the setting from text, checking its kind's bounds.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        let v = match self.kind {
            Kind::Int { lo, hi } => Value::Int(parse_int(text, lo, hi)?),
            Kind::Float { lo, hi } => Value::Float(parse_float(text, lo, hi)?),
            Kind::Flag => match text.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "on" | "yes" => Value::Flag(true),
                "0" | "false" | "off" | "no" => Value::Flag(false),
                other => return Err(format!("'{other}' is not 1 or 0")),
            },
            Kind::Sizes => Value::Sizes(parts(text, ',').map(Size::parse).collect::<Result<_, _>>()?),
            Kind::Seeds { .. } => {
                Value::Seeds(parts(text, ',').map(|p| parse_int(p, 0, u32::MAX as u64)).collect::<Result<_, _>>()?)
            }
            Kind::Tasks { .. } => Value::Tasks(parts(text, ';').map(SuccessSet::parse).collect::<Result<_, _>>()?),
            Kind::Task => Value::Task(SuccessSet::parse(text)?),
            Kind::Floats4 { lo, hi } => {
                let ps: Vec<&str> = text.split(',').collect();
                if ps.len() != 4 {
                    return Err(format!("'{text}' needs 4 comma-separated numbers"));
                }
                let mut out = [0.0; 4];
                for (o, p) in out.iter_mut().zip(ps) {
                    *o = parse_float(p, lo, hi)?;
                }
                Value::Floats4(out)
            }
            Kind::Names { .. } => Value::Names(parts(text, ',').map(|p| p.to_ascii_lowercase()).collect()),
            Kind::Preset => Value::Preset(Preset::parse(text)?),
            Kind::Engine => Value::Engine(Engine::parse(text)?),
        };
        self.check_kind(&v)?;
        Ok(v)
    }

    /// Checks a value against the kind's bounds.
    pub fn check_kind(&self, v: &Value) -> Result<(), String> {
        fn unique<T: PartialEq + std::fmt::Display>(items: &[T], what: &str) -> Result<(), String> {
            for (i, x) in items.iter().enumerate() {
                if items[..i].contains(x) {
                    return Err(format!("{what} {x} is given twice"));
                }
            }
            Ok(())
        }
        match (self.kind, v) {
            (Kind::Int { lo, hi }, Value::Int(x)) => {
                if (lo..=hi).contains(x) { Ok(()) } else { Err(format!("{x} is outside {lo}..={hi}")) }
            }
            (Kind::Float { lo, hi }, Value::Float(x)) => check_float(*x, lo, hi),
            (Kind::Flag, Value::Flag(_)) => Ok(()),
            (Kind::Sizes, Value::Sizes(xs)) => {
                if xs.is_empty() {
                    return Err("no sizes given".into());
                }
                unique(xs, "size")
            }
            (Kind::Seeds { max }, Value::Seeds(xs)) => {
                if xs.is_empty() || xs.len() > max {
                    return Err(format!("{} seeds; give 1 to {max}", xs.len()));
                }
                if let Some(x) = xs.iter().find(|&&x| x > u32::MAX as u64) {
                    return Err(format!("seed {x} is outside 0..={}", u32::MAX));
                }
                unique(xs, "seed")
            }
            (Kind::Tasks { max }, Value::Tasks(xs)) => {
                if xs.is_empty() || xs.len() > max {
                    return Err(format!("{} tasks; give 1 to {max}", xs.len()));
                }
                unique(xs, "task")
            }
            (Kind::Task, Value::Task(_)) => Ok(()),
            (Kind::Floats4 { lo, hi }, Value::Floats4(xs)) => xs.iter().try_for_each(|&x| check_float(x, lo, hi)),
            (Kind::Names { allowed }, Value::Names(xs)) => {
                for x in xs {
                    if !allowed.contains(&x.as_str()) {
                        return Err(format!("unknown name '{x}' (use {})", allowed.join(", ")));
                    }
                }
                unique(xs, "name")
            }
            (Kind::Preset, Value::Preset(_)) | (Kind::Engine, Value::Engine(_)) => Ok(()),
            (kind, v) => Err(format!("{v:?} is not a {kind:?}")),
        }
    }

    /// Writes a value as link text (what [`parse`](Self::parse) reads back).
    pub fn format(&self, v: &Value) -> String {
        match v {
            Value::Int(x) => x.to_string(),
            Value::Float(x) => fmt_float(*x),
            Value::Flag(x) => if *x { "1" } else { "0" }.into(),
            Value::Sizes(xs) => xs.iter().map(|s| s.name()).collect::<Vec<_>>().join(","),
            Value::Seeds(xs) => xs.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(","),
            Value::Tasks(xs) => xs.iter().map(|t| t.name()).collect::<Vec<_>>().join(";"),
            Value::Task(t) => t.name(),
            Value::Floats4(xs) => xs.iter().map(|x| fmt_float(*x)).collect::<Vec<_>>().join(","),
            Value::Names(xs) => xs.join(","),
            Value::Preset(p) => p.name().to_string(),
            Value::Engine(e) => e.name().to_string(),
        }
    }

    /// The setting's value in a state.
    pub fn read(&self, s: &S) -> Value {
        (self.get)(s)
    }

    /// The setting's value in a state, as link text.
    pub fn read_text(&self, s: &S) -> String {
        self.format(&(self.get)(s))
    }

    /// Checks a value (kind and state-dependent bounds) and writes it, or
    /// says why it was refused (the state is then unchanged).
    pub fn write(&self, s: &mut S, v: Value) -> Result<(), String> {
        self.check_kind(&v)?;
        (self.extra)(s, &v)?;
        (self.set)(s, v);
        Ok(())
    }

    /// Checks the setting's current value in a state.
    pub fn check(&self, s: &S) -> Result<(), String> {
        let v = (self.get)(s);
        self.check_kind(&v).and_then(|_| (self.extra)(s, &v)).map_err(|e| format!("{}: {e}", self.name))
    }

    /// What it means, on one line.
    pub fn help_line(&self) -> String {
        self.help.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The bounds, in words, for help texts.
    pub fn bounds(&self) -> String {
        let mut out = String::new();
        let _ = match self.kind {
            Kind::Int { lo, hi } => write!(out, "{lo}..={hi}"),
            Kind::Float { lo, hi } => write!(out, "[{lo}, {hi}]"),
            Kind::Flag => write!(out, "1 or 0"),
            Kind::Sizes => write!(out, "s, m, l, xl"),
            Kind::Seeds { max } => write!(out, "1 to {max} whole numbers"),
            Kind::Tasks { max } => write!(out, "1 to {max} of n2, n4, n6 or outcome lists"),
            Kind::Task => write!(out, "n2, n4, n6 or an outcome list"),
            Kind::Floats4 { lo, hi } => write!(out, "4 numbers in [{lo}, {hi}]"),
            Kind::Names { allowed } => write!(out, "any of {}", allowed.join(", ")),
            Kind::Preset => write!(out, "one of {}", Preset::ALL.map(|p| p.name()).join(", ")),
            Kind::Engine => write!(out, "cpu or gpu"),
        };
        out
    }
}

