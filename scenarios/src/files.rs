//! Which files are scenarios: files named on the command line as they are, folders as every
//! scenario file under them. Under a folder, a TOML file is a scenario when it has steps
//! (`[[step]]`); other TOML files (a `Cargo.toml`, a world file) are skipped and listed, so
//! `fedmock run .` in a project works and says what it left out.

use std::path::{Path, PathBuf};

use crate::Error;

/// Folders never searched for scenarios: build outputs, dependencies, hidden folders.
const SKIPPED_FOLDERS: [&str; 2] = ["target", "node_modules"];

/// The scenario files found, and the TOML files under the folders that are not scenarios.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScenarioFiles {
    /// Scenario files, folders' contents in name order.
    pub files: Vec<PathBuf>,
    /// TOML files under the folders that have no `[[step]]`.
    pub skipped: Vec<PathBuf>,
}

/// The scenario files `paths` name: files as given, folders searched (recursively) for TOML
/// files with steps.
pub fn scenario_files(paths: &[impl AsRef<Path>]) -> Result<ScenarioFiles, Error> {
    let mut found = ScenarioFiles::default();
    for path in paths {
        let path = path.as_ref();
        if path.is_dir() {
            walk(path, &mut found)?;
        } else {
            found.files.push(path.to_path_buf());
        }
    }
    Ok(found)
}

fn walk(folder: &Path, found: &mut ScenarioFiles) -> Result<(), Error> {
    let entries = std::fs::read_dir(folder)
        .map_err(|e| Error::Parse { file: folder.display().to_string(), message: e.to_string() })?;
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && !SKIPPED_FOLDERS.contains(&name) {
                walk(&path, found)?;
            }
        } else if path.extension().is_some_and(|e| e == "toml") {
            if is_scenario(&path) {
                found.files.push(path);
            } else {
                found.skipped.push(path);
            }
        }
    }
    Ok(())
}

/// Whether a TOML file has steps. A file that does not parse counts as a scenario, so its
/// error is reported rather than hidden.
fn is_scenario(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else { return true };
    match text.parse::<toml::Table>() {
        Ok(table) => table.contains_key("step"),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_yields_its_scenarios_and_lists_the_other_toml_files() {
        let root = std::env::temp_dir().join(format!("fedmock-files-{}", std::process::id()));
        let nested = root.join("library");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::create_dir_all(root.join("target")).unwrap();
        std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        std::fs::write(nested.join("b.toml"), "[[step]]\naction = \"token\"\n").unwrap();
        std::fs::write(nested.join("a.toml"), "[[step]]\naction = \"token\"\n").unwrap();
        std::fs::write(root.join("target/c.toml"), "[[step]]\naction = \"token\"\n").unwrap();
        std::fs::write(nested.join("notes.md"), "not toml").unwrap();
        let found = scenario_files(&[&root]).unwrap();
        assert_eq!(found.files, [nested.join("a.toml"), nested.join("b.toml")]);
        assert_eq!(found.skipped, [root.join("Cargo.toml")]);
        let given = scenario_files(&[root.join("Cargo.toml")]).unwrap();
        assert_eq!(given.files, [root.join("Cargo.toml")], "a file named is taken as given");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
