//! Reading TOML that people edit, with errors that point at the place to fix.
//!
//! A designer who mistypes a field should see `site.toml:14:1: site[0].cameras[1].retention-dayz:
//! unknown field` and a hint, not a serde backtrace. This module turns deserialization failures
//! into [`InputError`]s carrying file, line, column, the dotted field path and a hint, and gives
//! the rest of the planner one way to report a value that parsed but makes no sense.

use std::fmt;
use std::ops::Range;

use serde::de::DeserializeOwned;

/// A problem in a file a user wrote, located as precisely as the parser allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Dotted path of the field (`site[0].cameras[1].fps`), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl InputError {
    /// The error as found in `file`, whose text is `text`: a finding made after reading (the
    /// plan's, which sees the parsed site) gets the line and column of its field's key, so
    /// every error names where to look. Within a `site[N]`, the key is looked for from that
    /// site's table on.
    pub fn in_file(mut self, file: &str, text: &str) -> InputError {
        self.file = file.to_string();
        if self.line.is_none()
            && let Some(field) = self.field.as_deref()
            && let Some(at) = key_offset(text, field)
        {
            let (l, c) = line_col(text, at);
            (self.line, self.column) = (Some(l), Some(c));
        }
        self
    }
}

/// Where the key of dotted field `field` (`project.currency`, `site[1].cameras[0].fps`) is
/// written: the first line starting with it, from the `[[site]]` table of its site index on.
fn key_offset(text: &str, field: &str) -> Option<usize> {
    let key = field.rsplit('.').next()?.split('[').next()?;
    let site: Option<usize> = field
        .strip_prefix("site[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse().ok());
    let mut offset = 0;
    let mut sites_seen = 0usize;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.trim_end() == "[[site]]" {
            sites_seen += 1;
        }
        let in_scope = site.is_none_or(|n| sites_seen > n);
        if in_scope
            && t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return Some(offset + (line.len() - t.len()));
        }
        offset += line.len();
    }
    // A key the file does not have (one it should add): its table's header.
    let table = field.split(['.', '[']).next()?;
    text.find(&format!("[{table}]"))
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Serde's "expected one of `a`, `b`" list from an unknown-field message, if any.
fn expected_fields(message: &str) -> Vec<String> {
    let Some(rest) = message
        .split("expected one of ")
        .nth(1)
        .or_else(|| message.split("expected ").nth(1))
    else {
        return Vec::new();
    };
    rest.split(',')
        .filter_map(|s| {
            let s = s.trim();
            let start = s.find('`')?;
            let end = s[start + 1..].find('`')?;
            Some(s[start + 1..start + 1 + end].to_string())
        })
        .collect()
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Parses `text` (the contents of `file`) into `T`, mapping any failure to an [`InputError`].
/// `hint_for` supplies a hint for a field path's last key (its unit, range or accepted values).
pub fn parse_toml<T: DeserializeOwned>(
    file: &str,
    text: &str,
    hint_for: &dyn Fn(&str) -> Option<String>,
) -> Result<T, InputError> {
    let deserializer = match toml::de::Deserializer::parse(text) {
        Ok(d) => d,
        Err(e) => return Err(from_toml_error(file, text, &e, None, hint_for)),
    };
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let path = (path != ".").then_some(path);
        from_toml_error(file, text, e.inner(), path, hint_for)
    })
}

fn from_toml_error(
    file: &str,
    text: &str,
    err: &toml::de::Error,
    path: Option<String>,
    hint_for: &dyn Fn(&str) -> Option<String>,
) -> InputError {
    let (line, column) = match err.span() {
        Some(Range { start, .. }) => {
            let (l, c) = line_col(text, start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let message = in_plain_words(err.message().trim());
    // "duplicate key" alone: name the key (the span covers it) and say what to do.
    let message = match err.span().and_then(|r| text.get(r)) {
        Some(key) if message.starts_with("duplicate key") && !key.contains('\n') => format!(
            "duplicate key `{}`: it is given twice in the same table; keep one",
            key.trim()
        ),
        _ => message,
    };
    let mut hint = None;
    if let Some(unknown) = message
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        let expected = expected_fields(&message);
        hint = Some(
            match did_you_mean(unknown, expected.iter().map(String::as_str)) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "see docs/site-file.md for the fields each table accepts".to_string(),
            },
        );
    } else if let Some(unknown) = message
        .strip_prefix("unknown variant `")
        .and_then(|m| m.split('`').next())
    {
        let expected = expected_fields(&message);
        if let Some(best) = did_you_mean(unknown, expected.iter().map(String::as_str)) {
            hint = Some(format!("did you mean `{best}`?"));
        }
    }
    // serde_path_to_error's path already ends with the unknown key; without a path, name the
    // key from the message.
    let field = path.or_else(|| {
        message
            .strip_prefix("unknown field `")
            .and_then(|m| m.split('`').next())
            .map(str::to_string)
    });
    // A missing field: the hint is the missing key's, not its table's.
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        hint = hint_for(missing);
    }
    if hint.is_none()
        && let Some(key) = field.as_deref().and_then(|f| f.rsplit('.').next())
    {
        let key = key.split('[').next().unwrap_or(key);
        hint = hint_for(key);
    }
    InputError {
        file: file.to_string(),
        line,
        column,
        field,
        message,
        hint,
    }
}

/// The TOML reader's type names in words a site file's author reads: "expected f64" is "expected
/// a number", "expected u32" "expected a whole number".
fn in_plain_words(message: &str) -> String {
    let mut m = message.to_string();
    for (rust, words) in [
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected i64", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected u32", "expected a whole number of 0 or more"),
        ("expected u16", "expected a whole number of 0 or more"),
        ("expected u8", "expected a whole number of 0 or more"),
        ("expected usize", "expected a whole number of 0 or more"),
    ] {
        if let Some(at) = m.find(rust)
            && !m[at + rust.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            m.replace_range(at..at + rust.len(), words);
        }
    }
    m
}

/// A bad value of a site-file field found while planning (no file position: the plan sees the
/// parsed site), with a hint at what to write instead.
pub(crate) fn input_error(field: &str, message: String, hint: String) -> InputError {
    InputError {
        file: String::new(),
        line: None,
        column: None,
        field: Some(field.into()),
        message,
        hint: Some(hint),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    #[allow(dead_code)]
    struct Doc {
        retention_days: u32,
    }

    #[test]
    fn a_duplicate_key_is_named_and_a_type_is_said_in_words() {
        let e = parse_toml::<Doc>(
            "x.toml",
            "retention-days = 3\nretention-days = 4\n",
            &|_| None,
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2), "{e:?}");
        assert!(
            e.message.contains("duplicate key `retention-days`"),
            "{}",
            e.message
        );
        let e = parse_toml::<Doc>("x.toml", "retention-days = \"30\"\n", &|_| None).unwrap_err();
        assert!(
            e.message.contains("expected a whole number of 0 or more")
                && !e.message.contains("u32"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unknown_field_gets_location_and_suggestion() {
        let e = parse_toml::<Doc>(
            "x.toml",
            "retention-days = 3\nretention-dayz = 4\n",
            &|_| None,
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(1)), "{e}");
        assert_eq!(e.field.as_deref(), Some("retention-dayz"));
        assert_eq!(e.hint.as_deref(), Some("did you mean `retention-days`?"));
        assert!(
            e.to_string()
                .starts_with("x.toml:2:1: retention-dayz: unknown field"),
            "{e}"
        );
    }

    #[test]
    fn syntax_error_is_located() {
        let e = parse_toml::<Doc>("x.toml", "retention-days = = 3\n", &|_| None).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.column.is_some());
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("ä = 1\nb", 7), (2, 1));
        assert_eq!(line_col("ab", 1), (1, 2));
    }
}
