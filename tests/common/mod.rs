//! Helpers shared by integration tests (`mod common;` in a test file).

pub mod devserver;
pub mod generate;
pub mod wrangler;

/// Run the doforge binary under test in `dir`, without colour.
#[allow(dead_code)]
pub fn doforge_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_doforge"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run doforge")
}
