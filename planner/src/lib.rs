//! The camscope planner: site files and catalog in, plans and calculations out.
//!
//! The binary is a thin shell over [`cli::main`]; everything it does is reachable from here so
//! that tests can drive the command line in-process, and later crates (reports, the rig) can
//! reuse the plan.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod catalog;
pub mod check;
pub mod check_html;
pub mod check_stream;
pub mod check_xlsx;
pub mod cli;
pub mod cost;
pub mod deploy;
pub mod design;
pub mod failure;
pub mod figures;
pub mod frigate;
pub mod generate;
pub mod growth;
pub mod ids;
pub mod input;
pub mod money;
mod overlay;
pub mod plan;
pub mod proposal;
pub mod ranged;
pub mod render;
pub mod rig_cli;
pub mod screen;
pub mod severity;
pub mod site;
pub mod topology;
