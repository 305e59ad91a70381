//! `--format concise`: one line per finding, for editors, `grep` and terminals with many
//! findings (ruff's `--output-format concise`):
//!
//! ```text
//! wrangler.toml:10:3: error[compat-flag-duplicate] [*] compatibility flag … (env: staging)
//! ```
//!
//! `[*]` marks a finding `--fix` fixes. Text from the file is escaped as in the human format.

use std::io::{self, Write};

use super::human::sanitize_line;
use crate::diagnostics::{Applicability, Diagnostic, Summary};

pub(super) fn render(
    diagnostics: &[Diagnostic],
    summary: Option<&Summary>,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in diagnostics {
        let (line, col) = d.primary.start();
        let mark = match &d.fix {
            Some(f) if f.applicability == Applicability::Safe => "[*] ",
            _ => "",
        };
        let env = d
            .env
            .as_deref()
            .map(|e| format!(" (env: {})", sanitize_line(e)))
            .unwrap_or_default();
        writeln!(
            out,
            "{}:{line}:{col}: {}[{}] {mark}{}{env}",
            sanitize_line(&d.primary.file.display_path()),
            d.severity,
            sanitize_line(&d.rule),
            sanitize_line(&d.message),
        )?;
    }
    if let Some(s) = summary {
        writeln!(out, "{}", super::summary_line(s))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::render::testutil::sample;

    #[test]
    fn one_line_per_finding_then_the_summary() {
        let (diags, summary) = sample();
        let mut out = Vec::new();
        render(&diags, Some(&summary), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "wrangler.toml:6:1: warning[migration-missing-class] class `Cart` is bound but no migration creates it (env: staging)\ndoforge: 0 errors, 1 warning, 0 infos in 1 file\n"
        );
        let mut out = Vec::new();
        render(&diags, None, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1);
    }
}
