//! Every experiment setting as a command-line flag, from the one list of
//! settings ([`crate::study::config::EXPERIMENT`]): `--rl-steps 3000` sets
//! `rl_steps`, with the same parsing and bounds as a link or a config file.

use crate::study::config::{EXPERIMENT, ExperimentConfig, SEEDS, SIZES, TASKS};
use crate::study::settings::Setting;
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};

/// A setting's flag: its name with `-` for `_`.
pub fn flag(setting: &Setting<ExperimentConfig>) -> String {
    setting.name.replace('_', "-")
}

/// Settings given on the command line, applied over a preset or a config
/// file. `ALL` false leaves out sizes, seeds and tasks (for `opimp train`,
/// which trains one model named by `--size`, `--seed` and `--task`).
#[derive(Clone, Default)]
pub struct Overrides<const ALL: bool> {
    given: Vec<(&'static Setting<ExperimentConfig>, String)>,
}

fn offered<const ALL: bool>() -> impl Iterator<Item = &'static Setting<ExperimentConfig>> {
    EXPERIMENT.iter().copied().filter(|s| ALL || ![SIZES.name, SEEDS.name, TASKS.name].contains(&s.name))
}

impl<const ALL: bool> std::fmt::Debug for Overrides<ALL> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.given.iter().map(|(s, v)| (s.name, v))).finish()
    }
}

impl<const ALL: bool> Overrides<ALL> {
    /// Writes every given setting into `config` and checks the result,
    /// naming the flag that was wrong.
    pub fn apply(&self, config: &mut ExperimentConfig) -> Result<(), String> {
        for (s, text) in &self.given {
            let v = s.parse(text).map_err(|e| format!("--{} {text}: {e}", flag(s)))?;
            s.write(config, v).map_err(|e| format!("--{} {text}: {e}", flag(s)))?;
        }
        config.check()
    }
}

impl<const ALL: bool> FromArgMatches for Overrides<ALL> {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let given = offered::<ALL>().filter_map(|s| m.get_one::<String>(s.name).map(|v| (s, v.clone()))).collect();
        Ok(Overrides { given })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl<const ALL: bool> Args for Overrides<ALL> {
    fn augment_args(cmd: Command) -> Command {
        offered::<ALL>().fold(cmd, |cmd, s| {
            // clap keeps flag names for the life of the program.
            let long: &'static str = Box::leak(flag(s).into_boxed_str());
            cmd.arg(
                Arg::new(s.name)
                    .long(long)
                    .value_name("VALUE")
                    .help(format!("{} ({}; overrides the preset or config)", s.help_line(), s.bounds()))
                    .help_heading("Experiment settings")
                    .num_args(1)
                    .allow_negative_numbers(true),
            )
        })
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::preset::Preset;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        set: Overrides<true>,
    }

    #[test]
    fn every_setting_has_a_flag() {
        let cmd = <Cli as clap::CommandFactory>::command();
        for s in EXPERIMENT {
            assert!(cmd.get_arguments().any(|a| a.get_long() == Some(flag(s).as_str())), "{}", s.name);
        }
        let cli = Cli::try_parse_from(["x", "--rl-steps", "3000", "--maintenance-rollouts", "0.5", "--sizes", "s,xl"]).unwrap();
        let mut c = ExperimentConfig::preset(Preset::Paper);
        cli.set.apply(&mut c).unwrap();
        assert_eq!((c.rl_steps, c.maintenance_rollouts, c.sizes.len()), (3000, 0.5, 2));
        let cli = Cli::try_parse_from(["x", "--eps", "0"]).unwrap();
        let e = cli.set.apply(&mut c).unwrap_err();
        assert!(e.starts_with("--eps 0:"), "{e}");
    }
}
