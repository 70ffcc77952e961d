//! The `camscope` binary: all logic lives in the `camscope-planner` library.

// A BOM check builds a detailed audit trail for every line on all cores; glibc's allocator spent
// ~40% of a 100,000-line check in malloc/free. mimalloc removes most of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(camscope_planner::cli::main());
}
