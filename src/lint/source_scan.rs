//! Worker source files for the usage rules that look at code (`global-singleton`,
//! `websocket-without-hibernation`): which files belong to a wrangler project, reading them within
//! fixed bounds, and a small lexer that separates code from comments and string literals so that
//! text searches do not match inside either.
//!
//! This is deliberately a heuristic, not a parser: no imports are followed, no types are known,
//! and JavaScript regular-expression literals are read as code (a quote inside one can hide the
//! code up to the next matching quote).
//!
//! What is scanned: the directory of every environment's `main` entry point (resolved against the
//! config's directory), plus `src/` next to the config when a `Cargo.toml` is there (workers-rs:
//! `main` is the generated `build/worker/shim.mjs`, the code lives in `src/`). Files ending in
//! `.js .mjs .cjs .jsx .ts .mts .cts .tsx .rs`, skipping `node_modules`, `target`, `dist`,
//! `.wrangler`, hidden directories and test code (`test`, `tests`, `__tests__` directories,
//! `*.test.*`, `*.spec.*`, `*.d.ts`). Bounds: at most [`MAX_FILES`] files and [`MAX_TOTAL_BYTES`]
//! in all, [`MAX_DEPTH`] directory levels; a file over [`MAX_FILE_BYTES`] (a bundle) or not UTF-8
//! is skipped. Files are taken in path order, so the same tree always gives the same result.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::model::{Project, ProjectKind};
use crate::source::{Format, SourceFile, Span};

use super::suppress;

pub const MAX_FILES: usize = 400;
pub const MAX_TOTAL_BYTES: usize = 4 * 1024 * 1024;
pub const MAX_FILE_BYTES: usize = 512 * 1024;
pub const MAX_DEPTH: usize = 12;

const EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "rs"];
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "dist",
    ".wrangler",
    "test",
    "tests",
    "__tests__",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// JavaScript or TypeScript.
    Js,
    Rust,
}

/// One Worker source file, lexed.
#[derive(Debug)]
pub struct Source {
    pub file: Arc<SourceFile>,
    pub lang: Lang,
    pub lexed: Lexed,
}

impl Source {
    pub fn text(&self) -> &str {
        &self.file.text
    }

    /// A `// doforge-ignore: <rule>` comment in the source file covers `span`'s line.
    ///
    /// The engine applies suppressions only to the checked config file; findings in source files
    /// honour the same comments here (an unused one is not reported).
    pub fn suppressed(&self, rule: &str, span: Span) -> bool {
        let (line, _) = self.file.line_col(span.start);
        suppress::parse(&self.file)
            .iter()
            .any(|s| s.target_line == line && s.rules.iter().any(|(r, _)| r == rule))
    }
}

/// The Worker source files of a wrangler project (none for blueprints: their code is generated).
pub fn worker_sources(project: &Project) -> Vec<Source> {
    if project.kind != ProjectKind::Wrangler {
        return Vec::new();
    }
    let config_dir = match project.file.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut roots: Vec<PathBuf> = Vec::new();
    for worker in &project.workers {
        for env in &worker.envs {
            let Some(main) = &env.main else { continue };
            let entry = normalize(&config_dir.join(main.as_str()));
            if let Some(dir) = entry.parent() {
                let dir = if dir.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    dir.to_path_buf()
                };
                if !roots.contains(&dir) {
                    roots.push(dir);
                }
            }
        }
    }
    if config_dir.join("Cargo.toml").is_file() {
        let src = normalize(&config_dir.join("src"));
        if !roots.contains(&src) {
            roots.push(src);
        }
    }
    load(&roots)
}

/// Read the source files under `roots` within the bounds.
pub fn load(roots: &[PathBuf]) -> Vec<Source> {
    let mut out = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut total = 0usize;
    'roots: for root in roots {
        if !root.is_dir() {
            continue;
        }
        let walk = walkdir::WalkDir::new(root)
            .max_depth(MAX_DEPTH)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_type().is_dir() || !skipped_dir(e));
        for entry in walk.filter_map(Result::ok) {
            if !entry.file_type().is_file() {
                continue;
            }
            let Some(lang) = lang_of(entry.path()) else {
                continue;
            };
            let path = entry.path().to_path_buf();
            if !seen.insert(path.clone()) {
                continue;
            }
            let size = entry.metadata().map_or(usize::MAX, |m| m.len() as usize);
            if size > MAX_FILE_BYTES {
                continue;
            }
            if out.len() >= MAX_FILES || total + size > MAX_TOTAL_BYTES {
                break 'roots;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            total += text.len();
            let lexed = match lang {
                Lang::Js => lex_js(&text),
                Lang::Rust => lex_rust(&text),
            };
            out.push(Source {
                file: SourceFile::new(path, Format::Source, text),
                lang,
                lexed,
            });
        }
    }
    out
}

fn skipped_dir(e: &walkdir::DirEntry) -> bool {
    let name = e.file_name().to_string_lossy();
    name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref())
}

fn lang_of(path: &Path) -> Option<Lang> {
    let name = path.file_name()?.to_str()?;
    let ext = path.extension()?.to_str()?;
    if !EXTENSIONS.contains(&ext)
        || name.ends_with(".d.ts")
        || name.contains(".test.")
        || name.contains(".spec.")
    {
        return None;
    }
    Some(if ext == "rs" { Lang::Rust } else { Lang::Js })
}

/// Remove `.` and resolve `..` lexically (keeps a relative path relative).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Lexing

/// What a byte of source is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Code,
    Str,
    Comment,
}

/// A string literal: its span including the quotes, and whether it interpolates (`${…}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    pub span: Span,
    pub interpolated: bool,
}

/// A source text split into code, string literals and comments.
#[derive(Debug, Default)]
pub struct Lexed {
    class: Vec<Class>,
    /// String literals in source order.
    pub strings: Vec<StrLit>,
}

impl Lexed {
    pub fn is_code(&self, at: usize) -> bool {
        self.class.get(at) == Some(&Class::Code)
    }

    /// The string literal that starts at `at`.
    pub fn string_at(&self, at: usize) -> Option<&StrLit> {
        let i = self
            .strings
            .binary_search_by_key(&at, |s| s.span.start)
            .ok()?;
        Some(&self.strings[i])
    }

    /// The `}` that closes the `{` at `open` (braces in strings and comments do not count).
    pub fn matching_brace(&self, text: &str, open: usize) -> Option<usize> {
        let b = text.as_bytes();
        let mut depth = 0usize;
        for (i, &c) in b.iter().enumerate().skip(open) {
            if !self.is_code(i) {
                continue;
            }
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Every position of `word` in code where it is a whole identifier.
    pub fn find_word<'a>(
        &'a self,
        text: &'a str,
        word: &'a str,
    ) -> impl Iterator<Item = usize> + 'a {
        let b = text.as_bytes();
        text.match_indices(word).map(|(i, _)| i).filter(move |&i| {
            let before_ok = i == 0 || !is_ident_byte(b[i - 1]);
            let after = i + word.len();
            let after_ok = after >= b.len() || !is_ident_byte(b[after]);
            before_ok && after_ok && self.is_code(i)
        })
    }
}

pub fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

/// The first position at or after `from` that is not whitespace.
pub fn skip_ws(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The last position before `to` that is not whitespace, plus one.
pub fn skip_ws_back(text: &str, to: usize) -> usize {
    let b = text.as_bytes();
    let mut i = to;
    while i > 0 && b[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    i
}

/// The identifier ending at `end` (exclusive), if any.
pub fn ident_before(text: &str, end: usize) -> Option<Span> {
    let b = text.as_bytes();
    let mut start = end;
    while start > 0 && is_ident_byte(b[start - 1]) {
        start -= 1;
    }
    (start < end && !b[start].is_ascii_digit()).then_some(Span::new(start, end))
}

/// The identifier starting at `start`, if any.
pub fn ident_after(text: &str, start: usize) -> Option<Span> {
    let b = text.as_bytes();
    let mut end = start;
    while end < b.len() && is_ident_byte(b[end]) {
        end += 1;
    }
    (end > start && !b[start].is_ascii_digit()).then_some(Span::new(start, end))
}

struct Lexer<'t> {
    b: &'t [u8],
    class: Vec<Class>,
    strings: Vec<StrLit>,
}

impl Lexer<'_> {
    fn mark(&mut self, from: usize, to: usize, class: Class) {
        let to = to.min(self.b.len());
        for c in &mut self.class[from.min(to)..to] {
            *c = class;
        }
    }

    /// End (exclusive) of the comment starting at `i` (`//` or `/*`), marking it.
    fn comment(&mut self, i: usize, nested: bool) -> usize {
        let b = self.b;
        let end = if b[i + 1] == b'/' {
            b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| i + p)
        } else {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                if j + 1 >= b.len() {
                    break b.len();
                }
                if b[j] == b'/' && b[j + 1] == b'*' && (nested || depth == 0) {
                    depth += 1;
                    j += 2;
                } else if b[j] == b'*' && b[j + 1] == b'/' {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break j;
                    }
                } else {
                    j += 1;
                }
            }
        };
        self.mark(i, end, Class::Comment);
        end
    }

    /// End (exclusive) of the quoted string starting at `i`; JS strings end at a line break.
    fn quoted(&mut self, i: usize, multiline: bool) -> usize {
        let b = self.b;
        let q = b[i];
        let mut j = i + 1;
        while j < b.len() {
            match b[j] {
                b'\\' => j += 2,
                c if c == q => {
                    j += 1;
                    break;
                }
                b'\n' if !multiline => break,
                _ => j += 1,
            }
        }
        let end = j.min(b.len());
        self.mark(i, end, Class::Str);
        self.strings.push(StrLit {
            span: Span::new(i, end),
            interpolated: false,
        });
        end
    }
}

/// Lex JavaScript / TypeScript: comments, quotes, template literals with nested `${…}`.
pub fn lex_js(text: &str) -> Lexed {
    let b = text.as_bytes();
    let mut lx = Lexer {
        b,
        class: vec![Class::Code; b.len()],
        strings: Vec::new(),
    };
    // Open template literals: (index in `strings`, brace depth inside the current `${`).
    let mut templates: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if i + 1 < b.len() && (b[i + 1] == b'/' || b[i + 1] == b'*') => {
                i = lx.comment(i, false);
            }
            b'"' | b'\'' => i = lx.quoted(i, false),
            b'`' => {
                lx.strings.push(StrLit {
                    span: Span::new(i, b.len()),
                    interpolated: false,
                });
                let idx = lx.strings.len() - 1;
                i = template_part(&mut lx, i, i + 1, idx, &mut templates);
            }
            b'{' => {
                if let Some(t) = templates.last_mut() {
                    t.1 += 1;
                }
                i += 1;
            }
            b'}' => match templates.last_mut() {
                Some((idx, 0)) => {
                    let idx = *idx;
                    templates.pop();
                    i = template_part(&mut lx, i, i + 1, idx, &mut templates);
                }
                Some(t) => {
                    t.1 -= 1;
                    i += 1;
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    // Literals were pushed when they opened; keep them sorted by start for lookups.
    lx.strings.sort_by_key(|s| s.span.start);
    Lexed {
        class: lx.class,
        strings: lx.strings,
    }
}

/// Scan template text from `from` (the part starts at `mark_from`, a backtick or the `}` closing
/// an interpolation) to the closing backtick or the next `${`.
fn template_part(
    lx: &mut Lexer,
    mark_from: usize,
    from: usize,
    idx: usize,
    templates: &mut Vec<(usize, usize)>,
) -> usize {
    let b = lx.b;
    let mut j = from;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'`' => {
                lx.mark(mark_from, j + 1, Class::Str);
                lx.strings[idx].span.end = j + 1;
                return j + 1;
            }
            b'$' if j + 1 < b.len() && b[j + 1] == b'{' => {
                lx.mark(mark_from, j + 2, Class::Str);
                lx.strings[idx].interpolated = true;
                templates.push((idx, 0));
                return j + 2;
            }
            _ => j += 1,
        }
    }
    lx.mark(mark_from, b.len(), Class::Str);
    lx.strings[idx].span.end = b.len();
    b.len()
}

/// Lex Rust: nested block comments, strings, raw strings, char literals (not lifetimes).
pub fn lex_rust(text: &str) -> Lexed {
    let b = text.as_bytes();
    let mut lx = Lexer {
        b,
        class: vec![Class::Code; b.len()],
        strings: Vec::new(),
    };
    let mut i = 0;
    while i < b.len() {
        let prev_ident = i > 0 && is_ident_byte(b[i - 1]);
        match b[i] {
            b'/' if i + 1 < b.len() && (b[i + 1] == b'/' || b[i + 1] == b'*') => {
                i = lx.comment(i, true);
            }
            b'"' => i = lx.quoted(i, true),
            b'r' | b'b' if !prev_ident => match raw_string(b, i) {
                Some(end) => {
                    lx.mark(i, end, Class::Str);
                    lx.strings.push(StrLit {
                        span: Span::new(i, end),
                        interpolated: false,
                    });
                    i = end;
                }
                None if b[i] == b'b' && b.get(i + 1) == Some(&b'"') => {
                    i = lx.quoted(i + 1, true);
                }
                None => i += 1,
            },
            b'\'' => {
                // A char literal ('a', '\n', 'é'), else a lifetime or label ('a).
                let close = if b.get(i + 1) == Some(&b'\\') {
                    b[i + 2..]
                        .iter()
                        .take(12)
                        .position(|&c| c == b'\'')
                        .map(|p| i + 2 + p)
                } else {
                    let ch_len = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    (b.get(i + 1 + ch_len) == Some(&b'\'')).then_some(i + 1 + ch_len)
                };
                match close {
                    Some(c) => {
                        lx.mark(i, c + 1, Class::Str);
                        i = c + 1;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    Lexed {
        class: lx.class,
        strings: lx.strings,
    }
}

/// End (exclusive) of a raw string `r"…"`, `r#"…"#`, `br#"…"#` starting at `i`.
fn raw_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if b[j] == b'b' {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
    j += hashes;
    if b.get(j) != Some(&b'"') {
        return None;
    }
    j += 1;
    while j < b.len() {
        if b[j] == b'"'
            && b[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(text: &str, l: &StrLit) -> String {
        text[l.span.start..l.span.end].to_owned()
    }

    #[test]
    fn js_strings_templates_and_comments() {
        let text = "a(\"x\"); // c(\"no\")\nb(`t${ {k: `in`}.k }u`, 'q') /* d('no') */ e(`plain`)";
        let lx = lex_js(text);
        let lits: Vec<(String, bool)> = lx
            .strings
            .iter()
            .map(|l| (lit(text, l), l.interpolated))
            .collect();
        assert_eq!(
            lits,
            [
                ("\"x\"".to_owned(), false),
                ("`t${ {k: `in`}.k }u`".to_owned(), true),
                ("`in`".to_owned(), false),
                ("'q'".to_owned(), false),
                ("`plain`".to_owned(), false),
            ]
        );
        assert!(!lx.is_code(text.find("c(").unwrap()));
        assert!(!lx.is_code(text.find("d(").unwrap()));
        assert!(lx.is_code(text.find(".k").unwrap()));
        assert!(lx.is_code(text.find("e(").unwrap()));
        assert_eq!(lx.find_word(text, "c").count(), 0);
    }

    #[test]
    fn js_braces_match_around_strings() {
        let text = "class A { f() { return \"}\"; } }\nx";
        let lx = lex_js(text);
        let open = text.find('{').unwrap();
        assert_eq!(
            lx.matching_brace(text, open),
            Some(text.rfind('}').unwrap())
        );
    }

    #[test]
    fn rust_raw_strings_chars_and_lifetimes() {
        let text = "fn f<'a>(x: &'a str) { let c = '\"'; g(r#\"a\"b\"#); h(\"s\"); /* /* n */ k(\"no\") */ }";
        let lx = lex_rust(text);
        let lits: Vec<String> = lx.strings.iter().map(|l| lit(text, l)).collect();
        assert_eq!(lits, ["r#\"a\"b\"#", "\"s\""]);
        assert!(!lx.is_code(text.find("k(").unwrap()));
        assert!(lx.is_code(text.find("h(").unwrap()));
        let open = text.find('{').unwrap();
        assert_eq!(lx.matching_brace(text, open), Some(text.len() - 1));
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for text in [
            "`abc${",
            "\"abc",
            "/* x",
            "'",
            "r#\"x",
            "b",
            "x.accept(",
            "}}}{",
        ] {
            let _ = lex_js(text);
            let _ = lex_rust(text);
        }
    }

    #[test]
    fn paths_normalize_lexically() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(
            normalize(Path::new("./src/index.ts")),
            PathBuf::from("src/index.ts")
        );
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }
}
