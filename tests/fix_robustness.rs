//! `--fix` on everything: every config and blueprint under `tests/fixtures/` (rule fixtures,
//! seeds, hostile and robustness inputs) and mutations of each (lines dropped, duplicated,
//! tokens inserted — a deterministic stand-in for the `fix_all` fuzz target, which needs
//! nightly and cargo-fuzz). Whatever the input: no panic, every file a fix changed still loads,
//! and nothing is reported after fixing that was not reported before.

use std::collections::BTreeMap;
use std::path::Path;

use doforge::check::{check_sources, CheckOptions, Report};
use doforge::diagnostics::Applicability;
use doforge::fix;
use doforge::source::{self, Format, Limits, SourceFile};

const DIR: &str = "/nonexistent-doforge-fix-robustness";

fn format_of(path: &Path) -> Option<(Format, &'static str)> {
    match path.extension()?.to_str()? {
        "toml" => Some((Format::WranglerToml, "wrangler.toml")),
        "json" | "jsonc" => Some((Format::WranglerJson, "wrangler.jsonc")),
        "yaml" | "yml" => Some((Format::Blueprint, "blueprint.yaml")),
        _ => None,
    }
}

fn kinds(report: &Report) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for d in &report.diagnostics {
        let env = d.env.clone().unwrap_or_default();
        *out.entry((d.rule.clone(), env)).or_default() += 1;
    }
    out
}

/// Fix `text` in memory; panics (with the input) when a promise is broken.
fn fix_text(text: &str, format: Format, name: &str, label: &str) -> usize {
    let options = CheckOptions {
        jobs: 1,
        today: Some("2026-06-01".into()),
        ..CheckOptions::default()
    };
    let file = SourceFile::new(format!("{DIR}/{name}"), format, text.to_owned());
    let before = check_sources(&[file], &options);
    let kinds_before = kinds(&before);
    let run = fix::fix_report(before, &options, Applicability::Unsafe);
    for f in &run.files {
        let fixed = SourceFile::new(f.original.path.clone(), format, f.text.clone());
        if let Err(e) = source::parse(&fixed, &Limits::default()) {
            panic!(
                "{label}: the fixed file does not load ({}):\n{}",
                e.message, f.text
            );
        }
    }
    for (kind, n) in kinds(&run.report) {
        let had = kinds_before.get(&kind).copied().unwrap_or(0);
        assert!(
            n <= had,
            "{label}: new finding {kind:?} after fixing:\n{text}"
        );
    }
    if run.refused > 0 && std::env::var_os("DOFORGE_SHOW_REFUSED").is_some() {
        eprintln!("{label}: {} refused", run.refused);
    }
    run.applied
}

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that make fixes interesting: duplicates, typos, stray syntax, suppressions.
const TOKENS: &[&str] = &[
    "compatibility_flags = [\"nodejs_compat\", \"nodejs_compat\"]\n",
    "\"compatibility_flags\": [\"a\", \"a\"],\n",
    "# doforge-ignore: placeholder-id\n",
    "// doforge-ignore: secret-in-vars, unknown-field\n",
    "kv_namespace = []\n",
    "\"compatability_date\": \"2026-01-01\",\n",
    "[[durable_objects.bindings]]\nname = \"X\"\nclass_name = \"X\"\n",
    ",",
    "]",
    "}",
    "\"",
    "#",
    "\n",
    "  - nodejs_compat\n",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    match rng.below(3) {
        0 if !lines.is_empty() => {
            lines.remove(rng.below(lines.len()));
            lines.concat()
        }
        1 if !lines.is_empty() => {
            let i = rng.below(lines.len());
            lines.insert(i, lines[i]);
            lines.concat()
        }
        _ => {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            format!(
                "{}{}{}",
                &text[..at],
                TOKENS[rng.below(TOKENS.len())],
                &text[at..]
            )
        }
    }
}

#[test]
fn fixing_any_fixture_or_mutation_keeps_files_loadable() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut paths: Vec<_> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut inputs, mut applied) = (0, 0);
    for path in paths {
        let Some((format, name)) = format_of(&path) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if bytes.len() > 200_000 {
            continue;
        }
        let Ok(text) = source::decode(bytes) else {
            continue;
        };
        let label = path.strip_prefix(&root).unwrap().display().to_string();
        applied += fix_text(&text, format, name, &label);
        inputs += 1;
        for m in 0..2 {
            let mutated = mutate(&text, &mut rng);
            applied += fix_text(&mutated, format, name, &format!("{label} (mutation {m})"));
            inputs += 1;
        }
    }
    assert!(inputs > 300, "corpus too small: {inputs}");
    assert!(
        applied > 50,
        "hardly any fix applied ({applied}): is the corpus fixable at all?"
    );
}
