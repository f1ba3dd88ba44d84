//! The parts of the page a teacher's link can hide: its sections (in the
//! study's order, also the guided tour's steps) and groups of controls.

use serde::{Deserialize, Serialize};

/// A section of the page (its element id is its name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Section {
    /// The sequence and its rule.
    Sequence,
    /// Pretraining curves.
    Pretraining,
    /// RL curves, with outcome accuracy beside success.
    Rl,
    /// Predicted against measured optimization.
    Optimization,
    /// Cross-objective evaluation.
    Cross,
    /// Impact against its bound.
    Impact,
    /// Self-evaluation.
    SelfEvaluation,
    /// Scaling with model size.
    Scaling,
    /// The post's claims, checked.
    Claims,
    /// Inside a model: one history, every action.
    Inside,
    /// The misalignment taxonomy.
    Taxonomy,
    /// Differential optimization.
    Differential,
}

impl Section {
    /// Every section, in the page's order.
    pub const ALL: [Section; 12] = [
        Section::Sequence,
        Section::Pretraining,
        Section::Rl,
        Section::Optimization,
        Section::Cross,
        Section::Impact,
        Section::SelfEvaluation,
        Section::Scaling,
        Section::Claims,
        Section::Inside,
        Section::Taxonomy,
        Section::Differential,
    ];

    /// Its name in links and its element id.
    pub fn name(self) -> &'static str {
        match self {
            Section::Sequence => "sequence",
            Section::Pretraining => "pretraining",
            Section::Rl => "rl",
            Section::Optimization => "optimization",
            Section::Cross => "cross",
            Section::Impact => "impact",
            Section::SelfEvaluation => "self-evaluation",
            Section::Scaling => "scaling",
            Section::Claims => "claims",
            Section::Inside => "inside",
            Section::Taxonomy => "taxonomy",
            Section::Differential => "differential",
        }
    }

    /// Its number on the page (1 for the first).
    pub fn number(self) -> usize {
        Section::ALL.iter().position(|s| *s == self).expect("every section is listed") + 1
    }

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Section::Sequence => "The sequence",
            Section::Pretraining => "Pretraining",
            Section::Rl => "Reinforcement learning",
            Section::Optimization => "Measuring optimization",
            Section::Cross => "Cross-objective evaluation",
            Section::Impact => "Impact",
            Section::SelfEvaluation => "Self-evaluation",
            Section::Scaling => "Scaling with model size",
            Section::Claims => "The post's claims, checked",
            Section::Inside => "Inside a model",
            Section::Taxonomy => "The misalignment taxonomy",
            Section::Differential => "Differential optimization",
        }
    }
}

/// A group of controls of the experiment panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Controls {
    /// The preset chooser.
    Presets,
    /// The number fields.
    Settings,
    /// The size boxes.
    Sizes,
    /// The task boxes and the custom success set.
    Tasks,
    /// Run and cancel.
    Run,
    /// Export, import and clearing storage.
    Files,
    /// The benchmark.
    Benchmark,
}

impl Controls {
    /// Every group.
    pub const ALL: [Controls; 7] =
        [Controls::Presets, Controls::Settings, Controls::Sizes, Controls::Tasks, Controls::Run, Controls::Files, Controls::Benchmark];

    /// Its name in links.
    pub fn name(self) -> &'static str {
        match self {
            Controls::Presets => "presets",
            Controls::Settings => "settings",
            Controls::Sizes => "sizes",
            Controls::Tasks => "tasks",
            Controls::Run => "run",
            Controls::Files => "files",
            Controls::Benchmark => "benchmark",
        }
    }
}

/// Something a link can hide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Part {
    /// A section.
    Section(Section),
    /// A group of controls.
    Controls(Controls),
}

/// Every part's link name: the sections, then the groups of controls.
pub const PART_NAMES: [&str; 19] = [
    "sequence",
    "pretraining",
    "rl",
    "optimization",
    "cross",
    "impact",
    "self-evaluation",
    "scaling",
    "claims",
    "inside",
    "taxonomy",
    "differential",
    "presets",
    "settings",
    "sizes",
    "tasks",
    "run",
    "files",
    "benchmark",
];

impl Part {
    /// Every part, in [`PART_NAMES`] order.
    pub fn all() -> impl Iterator<Item = Part> {
        Section::ALL.into_iter().map(Part::Section).chain(Controls::ALL.into_iter().map(Part::Controls))
    }

    /// Its name in links.
    pub fn name(self) -> &'static str {
        match self {
            Part::Section(s) => s.name(),
            Part::Controls(c) => c.name(),
        }
    }

    /// The part of a link name.
    pub fn parse(name: &str) -> Option<Part> {
        Part::all().find(|p| p.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_has_its_own_name() {
        let names: Vec<&str> = Part::all().map(Part::name).collect();
        assert_eq!(names, PART_NAMES);
        for p in Part::all() {
            assert_eq!(Part::parse(p.name()), Some(p));
        }
        assert_eq!(Part::parse("everything"), None);
    }
}
