//! Cross-crate and CLI tests live in `tests/tests/`; this library is intentionally empty.
