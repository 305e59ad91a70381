//! `cargo bench`: load + check (in memory, every rule) and generate, on the seed configs, the
//! example blueprints and synthetic blueprints with 10 … 10,000 Durable Object classes (growth
//! must stay linear). Whole-process timings, and the comparison with wrangler, are in
//! `scripts/bench.sh`; numbers in docs/performance.md.

use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use doforge::check::{check_sources, CheckOptions};
use doforge::generate::{self, ConfigChoice, GenerateOptions, Lang};
use doforge::source::{Format, SourceFile};

/// A directory that does not exist: rules that look beside the file (git history, worker
/// sources) find nothing, so the bench measures doforge, not git.
const DIR: &str = "/nonexistent-doforge-bench";

fn options() -> CheckOptions {
    CheckOptions {
        jobs: 1,
        today: Some("2026-06-01".into()),
        ..CheckOptions::default()
    }
}

fn source(name: &str, format: Format, text: String) -> Arc<SourceFile> {
    SourceFile::new(format!("{DIR}/{name}"), format, text)
}

/// A blueprint with `n` Durable Object classes, each bound once (same shape as scripts/bench.sh).
pub fn blueprint_with_classes(n: usize) -> String {
    let mut s = format!(
        "project_name: bench-{n}\nprovider: cloudflare\ncompatibility_date: \"2025-10-08\"\n\
resources:\n  - {{ id: worker, type: cloudflare_worker }}\ndurable_objects:\n"
    );
    for i in 0..n {
        s.push_str(&format!(
            "  - {{ class_name: Counter{i}, kind: counter, instances: {{ route: \"/c{i}/:name\", key: \"{{name}}\" }} }}\n"
        ));
    }
    s.push_str("bindings:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  - {{ name: COUNTER_{i}, target: Counter{i} }}\n"
        ));
    }
    s
}

fn seed_configs() -> Vec<(String, Format, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if let Some(format) = Format::from_path(path).filter(|f| f.is_wrangler()) {
            let name = path
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy();
            out.push((
                name.into_owned(),
                format,
                std::fs::read_to_string(path).unwrap(),
            ));
        }
    }
    out
}

fn check_seeds(c: &mut Criterion) {
    let mut group = c.benchmark_group("check/seed");
    for (name, format, text) in seed_configs() {
        let file_name = if format == Format::WranglerToml {
            "wrangler.toml"
        } else {
            "wrangler.jsonc"
        };
        group.bench_function(&name, |b| {
            b.iter(|| {
                let file = source(file_name, format, text.clone());
                check_sources(&[file], &options())
            })
        });
    }
    group.finish();
}

fn check_classes(c: &mut Criterion) {
    let mut group = c.benchmark_group("check/classes");
    group.sample_size(10);
    for n in [10, 100, 1_000, 10_000] {
        let text = blueprint_with_classes(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let file = source("blueprint.yaml", Format::Blueprint, text.clone());
                check_sources(&[file], &options())
            })
        });
    }
    group.finish();
}

fn generate_examples(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut blueprints: Vec<_> = walkdir::WalkDir::new(examples)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "blueprint.yaml")
        .map(|e| e.into_path())
        .collect();
    blueprints.sort();
    for path in blueprints {
        let name = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let report = check_sources(
            &[source("blueprint.yaml", Format::Blueprint, text)],
            &options(),
        );
        let Some(project) = report.files[0].project.as_ref() else {
            continue;
        };
        // Rust projects included, so the bench covers the whole generator.
        let gen_options = GenerateOptions {
            config: ConfigChoice::Jsonc,
            lang: Lang::Rust,
        };
        if generate::plan(project, None, &gen_options).is_err() {
            continue;
        }
        group.bench_function(&name, |b| {
            b.iter(|| generate::plan(project, None, &gen_options))
        });
    }
    group.finish();
}

criterion_group!(benches, check_seeds, check_classes, generate_examples);
criterion_main!(benches);
