//! `doforge rules` and `doforge explain RULE`.

use std::io::{self, Write};

use crate::check::{EXIT_CLEAN, EXIT_TOOL_FAILED};
use crate::lint::{docs, registry};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

pub fn list(format: ListFormat, out: &mut dyn Write) -> io::Result<i32> {
    match format {
        ListFormat::Human => {
            let width = registry::all()
                .iter()
                .map(|r| r.name.len())
                .max()
                .unwrap_or(0);
            for r in registry::all() {
                writeln!(
                    out,
                    "{:width$}  {:13}  {:7}  {}",
                    r.name,
                    r.category.as_str(),
                    r.default_severity.as_str(),
                    r.summary
                )?;
            }
            writeln!(
                out,
                "\n{} rules. `doforge explain RULE` prints a rule's docs.",
                registry::all().len()
            )?;
        }
        ListFormat::Json => {
            let rules: Vec<serde_json::Value> = registry::all()
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name,
                        "category": r.category.as_str(),
                        "severity": r.default_severity.as_str(),
                        "summary": r.summary,
                        "applies_to": r.applies_to.iter().map(|i| i.extension()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({ "version": 1, "rules": rules }),
            )?;
            writeln!(out)?;
        }
    }
    Ok(EXIT_CLEAN)
}

pub fn explain(name: &str, out: &mut dyn Write) -> io::Result<i32> {
    match registry::find(name) {
        Some(rule) => {
            out.write_all(docs::rule_page(rule).as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        None if docs::builtin_page(name).is_some() => {
            out.write_all(docs::builtin_page(name).unwrap_or_default().as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        None => {
            let hint =
                crate::schema::wrangler_keys::suggest(name, registry::all().iter().map(|r| r.name))
                    .map(|s| format!(" Did you mean `{s}`?"))
                    .unwrap_or_default();
            eprintln!("doforge: no rule named `{name}`.{hint} `doforge rules` lists them all.");
            Ok(EXIT_TOOL_FAILED)
        }
    }
}
