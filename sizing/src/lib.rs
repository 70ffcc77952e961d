//! Sizing formulas (placeholder, filled in below).
