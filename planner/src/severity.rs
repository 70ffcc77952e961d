//! How serious a plan finding is: shared by the screening that raises findings and the site
//! file that sets how an unresolved camera counts.

use serde::{Deserialize, Serialize};

/// How serious a screening finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The plan cannot be proposed as it stands.
    Error,
    /// A person must look before the plan is proposed.
    Warning,
}

impl Severity {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}
