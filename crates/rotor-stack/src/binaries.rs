//! Where the executables of a local stack are. The servers (`nats-server`, `bao`) come from
//! `$ROTOR_TOOLS_DIR`, then the project's `tools/bin` (filled by `scripts/bootstrap.sh`), then
//! `PATH`; Rotor's own binaries (`rotor-orchestrator`, ..., `rotor-sim`) from next to the running
//! executable (how `cargo build` lays them out; a test binary's `deps/` folder counts as its
//! parent), then `PATH`. A missing one is named with where it was looked for and how to get it.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::StackError;
use crate::services::SERVICES;

/// How to build Rotor's binaries, for `rotor up` and `rotor demo` users.
pub const DEFAULT_BUILD_HINT: &str = "`cargo build --workspace --bins`, which `make build` runs";

/// Where the project's bootstrap puts the servers: `$ROTOR_TOOLS_DIR`, else `tools/bin` of the
/// source tree this was built from.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("ROTOR_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/bin"))
}

/// An executable file on `PATH`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A server the bootstrap installs (`nats-server`, `bao`): in the tools folder, else on `PATH`.
pub fn find_tool(name: &str) -> Result<PathBuf, MissingExecutable> {
    let local = tools_dir().join(name);
    if local.exists() {
        return Ok(local);
    }
    find_on_path(name).ok_or_else(|| MissingExecutable {
        name: name.to_string(),
        hint: format!(
            "looked in {} and on PATH; run `make bootstrap`",
            tools_dir().display()
        ),
    })
}

/// One of Rotor's binaries (`rotor-differ`, `rotor-sim`, ...): next to the running executable
/// (or next to the folder of a test binary in cargo's `deps/`), else on `PATH`. `build_hint`
/// says how to build it, e.g. [`DEFAULT_BUILD_HINT`].
pub fn find_rotor_binary(name: &str, build_hint: &str) -> Result<PathBuf, MissingExecutable> {
    let exe = std::env::current_exe().ok();
    let dir = exe.as_deref().and_then(Path::parent);
    let beside = dir.map(|dir| dir.join(name)).filter(|path| path.is_file());
    let above_deps = dir
        .filter(|dir| dir.file_name().is_some_and(|name| name == "deps"))
        .and_then(Path::parent)
        .map(|dir| dir.join(name))
        .filter(|path| path.is_file());
    beside
        .or(above_deps)
        .or_else(|| find_on_path(name))
        .ok_or_else(|| {
            let this = exe
                .as_deref()
                .and_then(Path::file_name)
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| "program".to_string());
            MissingExecutable {
                name: name.to_string(),
                hint: format!("looked next to this {this} and on PATH; build it with {build_hint}"),
            }
        })
}

/// An executable that is nowhere: its name, where it was looked for and how to get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingExecutable {
    name: String,
    hint: String,
}

impl fmt::Display for MissingExecutable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.hint)
    }
}

/// Every executable a local stack starts.
#[derive(Clone, Debug)]
pub struct Binaries {
    /// `nats-server`.
    pub nats: PathBuf,
    /// `bao` (OpenBao).
    pub bao: PathBuf,
    /// `rotor-sim`, when the simulator runs as a process.
    pub sim: Option<PathBuf>,
    /// (service, executable) in [`SERVICES`] order.
    pub services: Vec<(&'static str, PathBuf)>,
    /// `rotor-console`, when the stack runs the web console.
    pub console: Option<PathBuf>,
}

impl Binaries {
    /// Finds every executable (`rotor-sim` only `with_sim`, `rotor-console` only
    /// `with_console`), or one error naming each missing one and how to get it (`build_hint` for
    /// Rotor's own).
    pub fn find(
        with_sim: bool,
        with_console: bool,
        build_hint: &str,
    ) -> Result<Binaries, StackError> {
        let mut missing = Vec::new();
        let mut keep = |found: Result<PathBuf, MissingExecutable>| match found {
            Ok(path) => Some(path),
            Err(error) => {
                missing.push(error);
                None
            }
        };
        let nats = keep(find_tool("nats-server"));
        let bao = keep(find_tool("bao"));
        let sim = with_sim.then(|| keep(find_rotor_binary("rotor-sim", build_hint)));
        let console = with_console.then(|| {
            keep(find_rotor_binary(
                &format!("rotor-{}", crate::services::CONSOLE),
                build_hint,
            ))
        });
        let services: Vec<_> = SERVICES
            .iter()
            .map(|service| {
                let found = find_rotor_binary(&format!("rotor-{service}"), build_hint);
                (*service, keep(found))
            })
            .collect();
        match (nats, bao) {
            (Some(nats), Some(bao)) if missing.is_empty() => Ok(Binaries {
                nats,
                bao,
                sim: sim.flatten(),
                console: console.flatten(),
                services: services
                    .into_iter()
                    .filter_map(|(service, path)| Some((service, path?)))
                    .collect(),
            }),
            _ => Err(StackError::MissingExecutables(missing)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_says_where_it_looked_and_how_to_get_it() {
        let missing = find_rotor_binary("rotor-no-such-binary", "`make it`").unwrap_err();
        let text = missing.to_string();
        assert!(
            text.starts_with("rotor-no-such-binary (looked next to this "),
            "{text}"
        );
        assert!(
            text.ends_with("and on PATH; build it with `make it`)"),
            "{text}"
        );
        let tool = find_tool("no-such-tool").unwrap_err().to_string();
        assert!(
            tool.ends_with("and on PATH; run `make bootstrap`)"),
            "{tool}"
        );
    }
}
