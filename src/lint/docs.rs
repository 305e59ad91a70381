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
the test fails when this directory is stale). `doforge explain RULE` prints the same pages.\n\n\
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

/// Every generated docs file: (file name, content).
pub fn all_pages() -> Vec<(String, String)> {
    let mut pages = vec![("README.md".to_owned(), index_page())];
    for r in registry::all() {
        pages.push((format!("{}.md", r.name), rule_page(r)));
    }
    pages
}
