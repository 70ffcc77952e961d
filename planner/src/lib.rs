//! camscope planner library (being built).
pub mod cli {
    //! placeholder
    /// placeholder
    pub fn main() -> i32 { 0 }
}
