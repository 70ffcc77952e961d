//! The `camscope` binary: all logic lives in the `camscope-planner` library.
fn main() {
    std::process::exit(camscope_planner::cli::main());
}
