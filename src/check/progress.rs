//! A progress line for long multi-file runs: on stderr, only when stderr is a terminal, not in
//! CI (`CI` set), and only for more than [`MIN_FILES`] files. The line is redrawn in place at
//! most ten times a second and erased when loading ends, so it never reaches logs or the
//! report on stdout.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Runs with at most this many files show no progress (they finish in well under a second).
pub const MIN_FILES: usize = 200;

/// Whether this process should show progress at all (the CLI decides once).
pub fn wanted() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

/// The text of the line (without the leading carriage return).
pub fn line(done: usize, total: usize) -> String {
    format!("doforge: checked {done}/{total} files")
}

/// Counts finished files and draws the line from a helper thread while `work` runs.
pub fn with_progress<R>(total: usize, enabled: bool, work: impl FnOnce(&AtomicUsize) -> R) -> R {
    let done = AtomicUsize::new(0);
    if !enabled || total <= MIN_FILES {
        return work(&done);
    }
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut shown = false;
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let text = line(done.load(Ordering::Relaxed), total);
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r{text}");
                let _ = err.flush();
                shown = true;
            }
            if shown {
                // Erase the line so the report starts on a clean line.
                let blank = " ".repeat(line(total, total).len());
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r{blank}\r");
                let _ = err.flush();
            }
        });
        let result = work(&done);
        finished.store(true, Ordering::Relaxed);
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_or_disabled_runs_draw_nothing_and_still_work() {
        assert_eq!(with_progress(10_000, false, |_| 7), 7);
        assert_eq!(with_progress(MIN_FILES, true, |_| 8), 8);
        assert_eq!(line(3, 250), "doforge: checked 3/250 files");
    }
}
