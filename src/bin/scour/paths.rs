//! Checks on output paths made before anything is written, so that no run destroys its own
//! input or writes two inputs to one place.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use scour::input::InputFile;

/// The file `path` names, resolved through links, whether or not it exists yet (an output
/// usually does not): its parent resolved and its name appended. `None` if the parent cannot be
/// resolved either (the write will then fail with its own error).
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(full) = path.canonicalize() {
        return Some(full);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

/// Refuses an output file (named by its flag) that is one of the input files: writing it would
/// truncate the input before it is read.
pub fn refuse_inputs_as_outputs(
    outputs: &[(&str, &Path)],
    inputs: &[Result<InputFile, scour::Error>],
) -> Result<(), String> {
    let targets: Vec<(&str, &Path, PathBuf)> = outputs
        .iter()
        .filter_map(|&(flag, path)| Some((flag, path, resolved(path)?)))
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    for file in inputs.iter().flatten() {
        let Some(input) = resolved(&file.path) else {
            continue;
        };
        for (flag, path, target) in &targets {
            if *target == input {
                return Err(format!(
                    "{flag} {} is also an input ({}); writing it would destroy that input",
                    path.display(),
                    file.path.display()
                ));
            }
        }
    }
    Ok(())
}

/// Refuses two output files (named by their flags) at one path: the second would truncate or
/// interleave with the first. `/dev/null` may take any number of them.
pub fn refuse_shared_outputs(outputs: &[(&str, &Path)]) -> Result<(), String> {
    let mut seen: Vec<(&str, &Path, PathBuf)> = Vec::new();
    for &(flag, path) in outputs {
        let Some(target) = resolved(path) else {
            continue;
        };
        if target == Path::new("/dev/null") {
            continue;
        }
        if let Some((first, first_path, _)) = seen.iter().find(|(_, _, t)| *t == target) {
            return Err(format!(
                "{first} {} and {flag} {} are the same file; give them different paths",
                first_path.display(),
                path.display()
            ));
        }
        seen.push((flag, path, target));
    }
    Ok(())
}

/// Refuses an output directory in which two inputs would be written at one path (the second
/// would replace the first), or in which an input would be written over itself.
pub fn refuse_output_clashes(
    out_dir: &Path,
    inputs: &[Result<InputFile, scour::Error>],
) -> Result<(), String> {
    let mut seen: HashMap<PathBuf, &Path> = HashMap::new();
    for file in inputs.iter().flatten() {
        let target = out_dir.join(&file.relative);
        if let Some(first) = seen.insert(target.clone(), &file.path) {
            return Err(format!(
                "{} and {} would both be written to {}; give them different output directories",
                first.display(),
                file.path.display(),
                target.display()
            ));
        }
        if resolved(&target).is_some_and(|t| Some(t) == resolved(&file.path)) {
            return Err(format!(
                "{} would be written over itself (the output directory {} holds the inputs)",
                file.path.display(),
                out_dir.display()
            ));
        }
    }
    Ok(())
}
