//! Rule documentation: what `doforge explain RULE` prints and what `docs/rules/*.md` is generated
//! from (a test fails when the committed pages are stale).

use std::fmt::Write;

use super::registry;
use super::rule::{Input, Rule};

/// The page of one rule, in Markdown.
pub fn rule_page(rule: &Rule) -> String {
    let inputs: Vec<&str> = rule
        .applies_to
        .iter()
        .map(|i| match i {
            Input::Blueprint => "blueprints",
            Input::WranglerToml => "wrangler.toml",
            Input::WranglerJsonc => "wrangler.json(c)",
        })
        .collect();
    let mut s = String::new();
    let _ = writeln!(s, "# `{}`\n", rule.name);
    let _ = writeln!(s, "{}\n", rule.summary);
    let _ = writeln!(
        s,
        "| category | default severity | checks |\n|---|---|---|\n| {} | {} | {} |\n",
        rule.category.as_str(),
        rule.default_severity,
        inputs.join(", ")
    );
    s.push_str(rule.docs.trim());
    s.push_str("\n\n");
    s.push_str(&crate::fix::catalog::fix_section(rule.name));
    s.push_str(&format!(
        "\n## Configuration\n\nTurn it off with `allow = [\"{0}\"]`, make it an error with `deny = [\"{0}\"]` \
(blueprint `lint:` section or `[lint]` in `doforge.toml`), or silence one finding with \
`# doforge-ignore: {0} -- reason` on the line before it (`//` in JSONC).\n",
        rule.name
    ));
    s
}

/// `docs/rules/README.md`: the index of all rules.
pub fn index_page() -> String {
    let mut s = String::from(
        "# doforge rules\n\nGenerated from the rules' own docs (`DOFORGE_UPDATE_DOCS=1 cargo test --test rule_docs` rewrites it; \
the test fails when this directory is stale). `doforge explain RULE` prints the same pages; \
codes that are not rules (`syntax`, `io`, `schema`, …) are in [builtin-codes.md](builtin-codes.md).\n\n\
| rule | category | severity | flags |\n|---|---|---|---|\n",
    );
    for r in registry::all() {
        let _ = writeln!(
            s,
            "| [`{0}`]({0}.md) | {1} | {2} | {3} |",
            r.name,
            r.category.as_str(),
            r.default_severity,
            r.summary
        );
    }
    s
}

/// Codes doforge prints that are not lint rules (they cannot be configured or suppressed: each
/// means doforge could not read, load or trust its input): (code, what it means, what to do).
pub const BUILTIN_CODES: &[(&str, &str, &str)] = &[
    ("io", "A path could not be used: it does not exist, cannot be read, is too large, is another tool's file (a `Cargo.toml`, a `package.json`), or is a directory holding no wrangler config or blueprint. doforge exits 2.", "Check the path. Pass wrangler configs or blueprints, by name or by directory; raise `--max-file-size` for a genuine large file."),
    ("syntax", "The file is not valid TOML, JSON with comments or YAML (or not UTF-8), so nothing in it was checked. doforge exits 2.", "Fix the syntax at the position shown; wrangler refuses the file too."),
    ("schema", "A blueprint does not match the blueprint schema (`schemas/blueprint.schema.json`): a missing or misspelt key, a value of the wrong type or form. The blueprint is not resolved further until it does.", "Fix the key or value shown; `docs/blueprint-reference.md` lists every key."),
    ("unresolved-reference", "A blueprint refers to a resource, worker or class id it does not define.", "Define the id under `resources` or `durable_objects`, or fix the reference's spelling."),
    ("duplicate-id", "Two blueprint resources (or classes) share an id.", "Give each resource its own id."),
    ("unknown-env", "`--env NAME` names an environment the file does not define (an error), or the file defines none (an info: only its top level was checked).", "Use one of the environments listed in the help, or drop `--env`."),
    ("settings", "A problem in a `doforge.toml` (syntax, an unknown key, a value of the wrong type): the setting is ignored.", "Fix the settings file; `[lint]` takes allow, warn, deny, options, per-file-ignores and test-paths."),
    ("unknown-rule", "A settings file, blueprint `lint:` section or suppression names a rule doforge does not have.", "`doforge rules` lists every rule; the help suggests the closest name."),
    ("class-removed-without-tombstone", "`generate`: a Durable Object class recorded in `doforge.lock` is gone from the blueprint without `deleted: true` (deleting it would destroy its data).", "Keep the class with `deleted: true` to delete it, or restore it."),
    ("class-storage-changed", "`generate`: a class's storage backend differs from the one recorded in `doforge.lock`; Cloudflare cannot change it in place.", "Keep the recorded storage, or create a new class and migrate the data."),
    ("rename-source-missing", "`generate`: `renamed_from` names a class `doforge.lock` does not record.", "Name the class as it was deployed, or drop `renamed_from`."),
    ("lifecycle-conflict", "`generate`: the blueprint's lifecycle contradicts the history in `doforge.lock`.", "Follow the message: it names the step and the recorded state."),
    ("worker-removed-with-live-classes", "`generate`: a Worker recorded in `doforge.lock` with live Durable Object classes is gone from the blueprint.", "Keep the Worker and delete its classes first (`deleted: true`), or restore it."),
    ("instance-key-invalid", "`generate`: a class's `instances.key` template names a path parameter its `instances.route` does not have.", "Use `{param}`s that the route defines."),
    ("kind-needs-sqlite", "`generate`: the class's `kind` needs SQLite storage, but the class uses key-value storage.", "Use `storage: sqlite` for a new class."),
];

/// The explanation of a built-in code, in Markdown.
pub fn builtin_page(code: &str) -> Option<String> {
    let (_, what, fix) = BUILTIN_CODES.iter().find(|(c, _, _)| *c == code)?;
    Some(format!(
        "# `{code}`\n\nA built-in check (not a lint rule: it cannot be turned off or suppressed).\n\n## What it means\n{what}\n\n## What to do\n{fix}\n"
    ))
}

/// `docs/rules/builtin-codes.md`: every built-in code.
pub fn builtin_codes_page() -> String {
    let mut s = String::from(
        "# Built-in codes\n\nCodes doforge prints that are not lint rules. They cannot be configured or suppressed; `doforge explain CODE` prints each.\n\n| code | means | what to do |\n|---|---|---|\n",
    );
    for (code, what, fix) in BUILTIN_CODES {
        let _ = writeln!(s, "| `{code}` | {what} | {fix} |");
    }
    s
}

/// Every generated docs file: (file name, content).
pub fn all_pages() -> Vec<(String, String)> {
    let mut pages = vec![
        ("README.md".to_owned(), index_page()),
        ("builtin-codes.md".to_owned(), builtin_codes_page()),
    ];
    for r in registry::all() {
        pages.push((format!("{}.md", r.name), rule_page(r)));
    }
    pages
}

/// Where the rule pages are published when `DOFORGE_RULE_DOCS_URL` does not say: this version's
/// `docs/rules/` as docs.rs serves the published crate's files (the package ships them), so a
/// link always matches the rules of the binary that printed it.
pub fn default_docs_url() -> String {
    format!(
        "https://docs.rs/crate/doforge/{}/source/docs/rules/{{rule}}.md",
        env!("CARGO_PKG_VERSION")
    )
}

/// The docs URL template from a setting: `{rule}` is replaced by the page's name; a value
/// without `{rule}` is a base that `<rule>.md` is appended to. Only absolute `http(s)` URLs are
/// accepted (SARIF's `helpUri` must be an absolute URI).
pub fn docs_url_template(value: &str) -> Result<String, String> {
    let value = value.trim();
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest.and_then(|r| r.split('/').next()).unwrap_or_default();
    if host.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{value}` is not an absolute http(s) URL (e.g. https://example.com/doforge/rules/{{rule}}.html)"
        ));
    }
    Ok(if value.contains("{rule}") {
        value.to_owned()
    } else if value.ends_with('/') {
        format!("{value}{{rule}}.md")
    } else {
        format!("{value}/{{rule}}.md")
    })
}

/// The URL of the page for `code` (a rule, or a built-in code: those share one page).
pub fn docs_url(template: &str, code: &str) -> String {
    let page = if registry::find(code).is_some() {
        code
    } else {
        "builtin-codes"
    };
    template.replace("{rule}", page)
}
