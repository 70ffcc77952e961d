//! Self-contained HTML reports (proposal, compliance, rig).
//!
//! Not implemented yet: reserved for the reports issue. It exports nothing so that no caller can
//! mistake it for a working renderer.
