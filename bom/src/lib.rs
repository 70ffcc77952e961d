//! Bills of materials as procurement officers send them: CSV, spreadsheets and TOML.
//!
//! Not implemented yet: this crate is reserved for the BOM compliance issue. It exports nothing
//! so that no caller can mistake it for a working reader.
