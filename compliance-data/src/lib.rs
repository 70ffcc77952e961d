//! Curated Section 889 / TAA data and the matching that produces verdicts.
//!
//! Not implemented yet: reserved for the BOM compliance issue. It exports nothing so that no
//! caller can mistake it for a working checker.
