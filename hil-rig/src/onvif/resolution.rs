//! A picture size in pixels.
//!
//! The camera's encoder configurations and the JPEG snapshots it serves are both made at a
//! resolution, so the type lives here on its own and both depend on it.

/// A picture size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Resolution {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}
