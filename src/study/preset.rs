//! The named experiments a link can open.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A preset: `quick`, `paper`, and one per figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Preset {
    /// The smallest model, one seed, n_good = 4, short runs.
    Quick,
    /// The whole study: 4 sizes x 5 seeds, each fine-tuned on all 3 tasks.
    Paper,
    /// Success and Op against size: 4 sizes x 2 seeds, n_good = 4.
    Scaling,
    /// Cross-objective evaluation: sizes s and m x 2 seeds x 3 tasks.
    Cross,
    /// Impact against its bound: sizes s and l x 2 seeds x 3 tasks.
    Impact,
    /// Self-evaluation: size s x 3 seeds x 3 tasks.
    SelfEval,
    /// The post's demonstration of maintenance: sizes s and xl x 2 seeds,
    /// n_good = 4, with no maintenance during RL, so the world model is
    /// seen to erode.
    NoMaintenance,
}

impl Preset {
    /// Every preset, in the order the page lists them.
    pub const ALL: [Preset; 7] =
        [Preset::Quick, Preset::Paper, Preset::Scaling, Preset::Cross, Preset::Impact, Preset::SelfEval, Preset::NoMaintenance];

    /// The preset's name in links and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Quick => "quick",
            Preset::Paper => "paper",
            Preset::Scaling => "scaling",
            Preset::Cross => "cross",
            Preset::Impact => "impact",
            Preset::SelfEval => "self",
            Preset::NoMaintenance => "no-maintenance",
        }
    }

    /// Reads a preset name (case and surrounding space ignored).
    pub fn parse(text: &str) -> Result<Preset, String> {
        let t = text.trim().to_ascii_lowercase();
        Preset::ALL.into_iter().find(|p| p.name() == t).ok_or_else(|| {
            format!(
                "unknown preset '{}' (use {})",
                text.trim(),
                Preset::ALL.map(|p| p.name()).join(", ")
            )
        })
    }

    /// What it shows, in a few words.
    pub fn about(self) -> &'static str {
        match self {
            Preset::Quick => "the smallest model on n_good = 4, short runs",
            Preset::Paper => "the whole study: 4 sizes x 5 seeds x 3 tasks",
            Preset::Scaling => "success and optimization against model size",
            Preset::Cross => "cross-objective evaluation",
            Preset::Impact => "impact against its lower bound",
            Preset::SelfEval => "self-evaluation",
            Preset::NoMaintenance => "RL without maintenance: the world model erodes",
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for Preset {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Preset::parse(&s)
    }
}

impl From<Preset> for String {
    fn from(p: Preset) -> String {
        p.name().to_string()
    }
}
