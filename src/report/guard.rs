//! Output paths checked before anything is written: an output must not replace a device or
//! other special file, and must not be, lie inside, or contain one of the command's inputs.

use std::fs;
use std::path::{Path, PathBuf};

/// Why an output path was refused.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{}: exists and is not a regular file; refusing to replace it (choose another --out)", out.display())]
    NotAFile { out: PathBuf },
    #[error("{}: would overwrite the input {} (choose another --out)", out.display(), input.display())]
    Input { out: PathBuf, input: PathBuf },
}

/// Checks the output `out` (a file, or with `folder` a folder of files) against `inputs`,
/// comparing resolved paths, so that `./x` and a symbolic link to `x` are the same file.
pub fn check_output(out: &Path, folder: bool, inputs: &[PathBuf]) -> Result<(), OutputError> {
    // A file output is written under a temporary name and renamed over the old one, which
    // would replace a device node (as root) by a regular file.
    if !folder && fs::metadata(out).is_ok_and(|m| !m.is_file()) {
        return Err(OutputError::NotAFile { out: out.to_path_buf() });
    }
    let o = resolved(out);
    for input in inputs {
        let i = resolved(input);
        if i.starts_with(&o) || o.starts_with(&i) {
            return Err(OutputError::Input { out: out.to_path_buf(), input: input.clone() });
        }
    }
    Ok(())
}

/// `p` with symbolic links, `.` and `..` resolved, as far as it exists; the rest, not yet
/// created, appended as given.
fn resolved(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => resolved(parent).join(name),
        (Some(_), Some(name)) => resolved(Path::new(".")).join(name),
        _ => std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_inside_or_around_an_input_is_refused_and_a_sibling_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("d");
        fs::create_dir(&d).unwrap();
        let input = d.join("in.swf");
        fs::write(&input, "").unwrap();
        let inputs = [input.clone()];
        assert!(check_output(&d, true, &inputs).is_err(), "a folder holding the input");
        assert!(check_output(&d.join("./in.swf"), false, &inputs).is_err(), "the input itself");
        assert!(check_output(&d.join("in.swf.out"), false, &inputs).is_ok(), "a sibling");
        assert!(check_output(&d.join("new"), true, &inputs).is_ok(), "a new folder beside it");
        assert!(matches!(check_output(Path::new("/dev/null"), false, &[]), Err(OutputError::NotAFile { .. })));
    }
}
