//! Embeds the curated data into the library.
//!
//! The records are many small files, so instead of listing each one by hand (and forgetting one)
//! this script walks `data/`, sorts the paths and writes a table of `include_str!` calls. Cargo
//! then tracks every file, and the library hashes exactly what it was built with.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let data = manifest.join("data");
    println!("cargo:rerun-if-changed=data");
    let mut files = Vec::new();
    collect(&data, &mut files)?;
    let mut entries = Vec::new();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let rel = path
            .strip_prefix(&data)?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        entries.push((rel, path));
    }
    entries.sort();
    let mut code = String::from(
        "/// Every file under `data/`, sorted by relative path, as `(path, contents)`.\n\
         pub(crate) static FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, path) in entries {
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        )?;
    }
    code.push_str("];\n");
    fs::write(
        PathBuf::from(env::var("OUT_DIR")?).join("embedded_data.rs"),
        code,
    )?;
    Ok(())
}
