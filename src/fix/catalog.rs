//! What each rule's fix does and why it is safe or unsafe — the `## Fix` section of its docs
//! page (`doforge explain RULE`). Kept here, beside the engine, so rule files only build edits.

use crate::diagnostics::Applicability;

/// How a rule fixes its findings.
pub struct FixDoc {
    pub rule: &'static str,
    /// `None`: the rule has no fix (the text says why).
    pub applicability: Option<Applicability>,
    /// Markdown: what the fix does, and the reason for its applicability.
    pub text: &'static str,
}

use Applicability::{Safe, Unsafe};

const DOCS: &[FixDoc] = &[
    FixDoc {
        rule: "compat-flag-duplicate",
        applicability: Some(Safe),
        text:
            "Removes the repeated flag (with its comma; comments stay). Safe: the runtime refuses \
the list as written, and the first entry already turns the flag on, so the Worker means \
exactly what it meant. The `nodejs_compat` + `nodejs_compat_v2` pair has no automatic fix: \
which one to keep depends on the compatibility date and on what the code needs.",
    },
    FixDoc {
        rule: "unused-suppression",
        applicability: Some(Safe),
        text: "Removes the suppression comment line (or, when the comment names several rules and \
only some are unused, just those names). Safe: the comment silences nothing, so no finding \
appears or disappears.",
    },
    FixDoc {
        rule: "unknown-field",
        applicability: Some(Safe),
        text:
            "When the key is a near-miss of a key wrangler knows at that place (`kv_namespace` → \
`kv_namespaces`), renames it, keeping its value, quoting and comments. Safe: wrangler ignores \
the misspelled key, so the rename makes the config do what it says; the renamed config is \
checked again and the fix is dropped if it would report anything new. Inside `migrations` the \
rename is unsafe: it rewrites a step that may already have been applied. A key with no close \
match has no fix.",
    },
    FixDoc {
        rule: "compat-date-missing",
        applicability: Some(Safe),
        text:
            "When a top-level key is a misspelling of `compatibility_date` (`compatability_date`), \
renames it — a second key would leave the typo behind. Otherwise adds \
`compatibility_date = \"<today>\"` at the top level (before the first table in TOML, as the \
last property in JSON). Safe: without a date wrangler refuses to upload the Worker at all, and \
today's date is what `wrangler init` writes. Blueprints have no fix yet: pick the date in the \
Worker's `config`.",
    },
    FixDoc {
        rule: "do-missing-migration",
        applicability: Some(Safe),
        text: "Appends one migration step that creates the class with SQLite storage \
(`new_sqlite_classes`), tagged after the last step, to the migration list the environment \
uses; in a config that declares classes in `exports` instead, adds the class's `exports` \
entry with `storage = \"sqlite\"`. Existing steps are never edited. Safe: without the step the \
deploy fails (error 10061), and SQLite storage is the backend Cloudflare recommends for new \
classes (the only one on the Free plan). Blueprints are not fixed: without `migrations:` \
doforge plans the history itself.",
    },
    FixDoc {
        rule: "env-binding-not-inherited",
        applicability: Some(Unsafe),
        text: "Copies the missing top-level block (bindings, `vars`, …) into the environment. \
KV namespaces, D1 databases and R2 buckets are copied without their ids and names (`id`, \
`preview_id`, `database_id`, `database_name`, `bucket_name`, …): wrangler then creates the \
environment its own resource on the first deploy, so staging never writes production's data \
(`production-shares-state`). Other blocks (queues, Hyperdrive, services, Durable Objects) are \
copied as they are and point the environment at the *same* resources as the top level; a copy \
that introduces a new finding is refused. Unsafe: it changes what the environment deploys and \
can create resources; review it with `--diff --unsafe-fixes`. Environments that declare the key \
with fewer entries are not fixed.",
    },
    FixDoc {
        rule: "secret-in-vars",
        applicability: Some(Unsafe),
        text: "Removes the var and its value, and lists its name under `secrets.required`, so \
wrangler refuses to deploy until the secret is set with `wrangler secret put`. Unsafe: the \
next deploy needs the secret to exist, and the value stays in your version control history — \
rotate it.",
    },
    FixDoc {
        rule: "kv-backed-durable-object",
        applicability: Some(Unsafe),
        text: "Renames `new_classes` to `new_sqlite_classes`, only in a config whose migration \
history is that single step. Unsafe: a class's storage backend cannot change once deployed, and \
doforge cannot see whether this step was already applied; if it was, the renamed step is \
rejected (or, under a new tag, creates nothing). Apply it only to a Worker never deployed.",
    },
    FixDoc {
        rule: "placeholder-id",
        applicability: None,
        text: "No automatic fix: the real id exists only in your Cloudflare account \
(`wrangler kv namespace create`, `wrangler d1 create`, …), and inventing one would deploy \
against a resource that does not exist — or someone else's.",
    },
];

/// The fix docs of `rule`, if it has any.
pub fn fix_doc(rule: &str) -> Option<&'static FixDoc> {
    DOCS.iter().find(|d| d.rule == rule)
}

/// The `## Fix` section of a rule's page.
pub fn fix_section(rule: &str) -> String {
    match fix_doc(rule) {
        Some(FixDoc {
            applicability: Some(a),
            text,
            ..
        }) => {
            let how = match a {
                Safe => "`doforge check --fix` fixes it (a **safe** fix).",
                Unsafe => {
                    "`doforge check --fix --unsafe-fixes` fixes it (an **unsafe** fix: review it with `--diff --unsafe-fixes` first)."
                }
            };
            format!("## Fix\n{how} {text}\n")
        }
        Some(FixDoc { text, .. }) => format!("## Fix\n{text}\n"),
        None => "## Fix\nNo automatic fix.\n".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_names_a_rule() {
        for d in DOCS {
            assert!(crate::lint::registry::find(d.rule).is_some(), "{}", d.rule);
        }
    }
}
