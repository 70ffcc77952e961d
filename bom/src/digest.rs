//! The SHA-256 of a BOM file, so a check report can name exactly which file it judged.
//!
//! It lives here, beside the readers, because the file is the BOM's; the CLI only prints it.

use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use sha2::Digest as _;

/// A file that could not be opened or read while hashing it.
#[derive(Debug, thiserror::Error)]
#[error("{}", path.display())]
pub struct DigestError {
    /// The file being hashed.
    pub path: PathBuf,
    /// Why it could not be read.
    #[source]
    pub source: io::Error,
}

/// The SHA-256 of a file, in lowercase hex, read in blocks so a large BOM is not held twice.
pub fn file_sha256(path: &Path) -> Result<String, DigestError> {
    let fail = |source| DigestError {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(fail)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(fail)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_a_known_text_and_names_a_missing_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("bom.csv");
        std::fs::write(&p, "abc").expect("write");
        assert_eq!(
            file_sha256(&p).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let missing = dir.path().join("none.csv");
        let e = file_sha256(&missing).expect_err("missing file");
        assert_eq!(e.path, missing);
        assert_eq!(e.source.kind(), io::ErrorKind::NotFound);
    }
}
