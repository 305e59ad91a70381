//! Builders of comment-preserving text edits, for rules to describe their fixes with.
//!
//! Every builder works on the source text and the spans of the loaded tree: it touches the bytes
//! of the value, key or line it changes and nothing else, so comments, key order, quoting,
//! indentation, trailing commas and blank lines elsewhere stay byte-for-byte. A builder returns
//! `None` when the text around the place is unusual enough (a comment between a value and its
//! comma, say) that it cannot be sure of its edit; the finding is then reported without a fix.
//! Whatever a builder returns is checked again after it is applied (`crate::fix`): the result
//! must load and must not report anything new.

use std::sync::Arc;

use crate::diagnostics::Edit;
use crate::source::{Format, Node, NodeKind, SourceFile, Span};

/// The list node that has an item at exactly `item`, with the item's index. (No pruning by
/// span: a TOML table's span is its header, not its keys.)
pub fn find_list_item(root: &Node, item: Span) -> Option<(&Node, usize)> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Seq(items) => {
                if let Some(i) = items.iter().position(|n| n.span == item) {
                    return Some((node, i));
                }
                stack.extend(items.iter());
            }
            NodeKind::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    None
}

/// The map entry whose value is the list holding an item at exactly `item` (`new_classes = [..]`).
pub fn find_list_entry(root: &Node, item: Span) -> Option<&crate::source::Entry> {
    find_entry(root, |e| {
        e.value
            .as_seq()
            .is_some_and(|s| s.iter().any(|n| n.span == item))
    })
}

/// The map entry whose key is written at exactly `key_span`.
pub fn find_entry_by_key(root: &Node, key_span: Span) -> Option<&crate::source::Entry> {
    find_entry(root, |e| e.key_span == key_span)
}

/// The first map entry, anywhere in the tree, that `wanted` accepts (no pruning by span, as in
/// [`find_list_item`]).
fn find_entry(
    root: &Node,
    wanted: impl Fn(&crate::source::Entry) -> bool,
) -> Option<&crate::source::Entry> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Seq(items) => stack.extend(items.iter()),
            NodeKind::Map(entries) => {
                for e in entries {
                    if wanted(e) {
                        return Some(e);
                    }
                    stack.push(&e.value);
                }
            }
            _ => {}
        }
    }
    None
}

/// Is the TOML key at `key_span` followed by `=` (an inline value), rather than closing a
/// table header?
pub fn is_toml_inline(text: &str, key_span: Span) -> bool {
    text[skip_blanks(text, key_span.end)..].starts_with('=')
}

/// A TOML key: bare when it can be, else a basic string.
pub fn toml_key(key: &str) -> String {
    if is_bare_key(key) {
        key.to_owned()
    } else {
        json_string(key)
    }
}

/// Remove item `index` of the list `list` together with its comma; a line left empty goes too.
/// A comment after the item on its line stays.
pub fn remove_list_item(file: &Arc<SourceFile>, list: &Node, index: usize) -> Option<Vec<Edit>> {
    let items = list.as_seq()?;
    if is_block_item(file, items.get(index)?.span.start) {
        return remove_block_item(file, &items[index]);
    }
    let spans: Vec<Span> = items.iter().map(|n| n.span).collect();
    remove_element(file, &spans, index)
}

/// The map that has an entry whose key is written at exactly `key_span`, with its index.
pub fn find_map_entry(root: &Node, key_span: Span) -> Option<(&Node, usize)> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Seq(items) => stack.extend(items.iter()),
            NodeKind::Map(entries) => {
                if let Some(i) = entries.iter().position(|e| e.key_span == key_span) {
                    return Some((node, i));
                }
                stack.extend(entries.iter().map(|e| &e.value));
            }
            _ => {}
        }
    }
    None
}

/// Remove entry `index` of `map` (key and value): a `key = value` line of a TOML table, or a
/// property of a JSON object / TOML inline table with its comma.
pub fn remove_map_entry(file: &Arc<SourceFile>, map: &Node, index: usize) -> Option<Vec<Edit>> {
    let entries = map.as_map()?;
    let e = entries.get(index)?;
    let span = Span::new(e.key_span.start, e.value.span.end);
    let text = file.text.as_str();
    let after = skip_blanks(text, span.end);
    let line_based = file.format == Format::WranglerToml
        && text[line_start(text, span.start)..span.start]
            .trim()
            .is_empty()
        && matches!(
            text.as_bytes().get(after),
            None | Some(b'\n' | b'\r' | b'#')
        );
    if line_based {
        return Some(vec![delete_in_line(file, span.start, span.end)]);
    }
    let spans: Vec<Span> = entries
        .iter()
        .map(|e| Span::new(e.key_span.start, e.value.span.end))
        .collect();
    remove_element(file, &spans, index)
}

/// Remove element `index` of a comma-separated sequence of `spans`.
fn remove_element(file: &Arc<SourceFile>, spans: &[Span], index: usize) -> Option<Vec<Edit>> {
    let text = file.text.as_str();
    let (s, e) = (spans.get(index)?.start, spans[index].end);
    let after = skip_blanks(text, e);
    if text[after..].starts_with(',') {
        let end = skip_blanks(text, after + 1);
        return Some(vec![delete_in_line(file, s, end)]);
    }
    if index == 0 {
        return Some(vec![delete_in_line(file, s, e)]);
    }
    // The last element, without a trailing comma: its comma is the one after the previous one.
    let comma = skip_blanks(text, spans[index - 1].end);
    if !text[comma..].starts_with(',') {
        return None;
    }
    if text[comma + 1..s].trim().is_empty() {
        return Some(vec![Edit::delete(file, Span::new(comma, e))]);
    }
    // Comments between the comma and the element: keep them, drop the comma and the element.
    Some(vec![
        Edit::delete(file, Span::new(comma, comma + 1)),
        delete_in_line(file, s, e),
    ])
}

/// Delete `[s, e)`; when nothing but blanks is left on the line, the whole line (with its
/// break); when a comment is left, the line keeps its indentation and the comment.
fn delete_in_line(file: &Arc<SourceFile>, s: usize, e: usize) -> Edit {
    let text = file.text.as_str();
    let ls = line_start(text, s);
    let le = line_end(text, e);
    let before = &text[ls..s];
    let rest = &text[e..le];
    if before.trim().is_empty() && rest.trim().is_empty() {
        return Edit::delete(file, Span::new(ls, next_line(text, le)));
    }
    Edit::delete(file, Span::new(s, e))
}

/// Is the value at `s` an item of a YAML block sequence (`- value`)?
fn is_block_item(file: &SourceFile, s: usize) -> bool {
    file.format == Format::Blueprint
        && text_before_on_line(&file.text, s).trim_end().trim_start() == "-"
}

/// Remove a `- value` line of a YAML block sequence (keeping a trailing comment as a comment).
fn remove_block_item(file: &Arc<SourceFile>, item: &Node) -> Option<Vec<Edit>> {
    let text = file.text.as_str();
    let (s, e) = (item.span.start, item.span.end);
    if text[s..e].contains('\n') {
        return None;
    }
    let ls = line_start(text, s);
    let le = line_end(text, e);
    let rest = text[e..le].trim();
    if rest.is_empty() {
        return Some(vec![Edit::delete(file, Span::new(ls, next_line(text, le)))]);
    }
    if rest.starts_with('#') {
        let dash = ls + text[ls..s].find('-')?;
        let comment = e + text[e..le].find('#')?;
        return Some(vec![Edit::delete(file, Span::new(dash, comment))]);
    }
    None
}

/// Rename the key at `key_span` to `new_key`, quoted as the format and the old key require.
pub fn rename_key(file: &Arc<SourceFile>, key_span: Span, new_key: &str) -> Edit {
    let old = &file.text[key_span.start..key_span.end];
    let quoted = old.starts_with('"') || old.starts_with('\'') || !is_bare_key(new_key);
    let content = match (file.format, quoted) {
        (Format::WranglerJson, _) | (_, true) => json_string(new_key),
        _ => new_key.to_owned(),
    };
    Edit::replace(file, key_span, content)
}

/// A string literal valid in JSON, TOML (basic string) and YAML (double-quoted).
pub fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn is_bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Delete the lines `span` is on (with their line breaks).
pub fn delete_lines(file: &Arc<SourceFile>, span: Span) -> Edit {
    let text = file.text.as_str();
    let ls = line_start(text, span.start);
    let le = line_end(text, span.end.max(span.start));
    Edit::delete(file, Span::new(ls, next_line(text, le)))
}

/// Append `item` (already formatted) to an inline list — a JSON array or a TOML inline array:
/// after the last item, in the list's own layout (one item per line or all on one line) and
/// keeping a trailing comma style.
pub fn append_inline_item(file: &Arc<SourceFile>, list: &Node, item: &str) -> Option<Edit> {
    let items = list.as_seq()?;
    let spans: Vec<Span> = items.iter().map(|n| n.span).collect();
    append_after(file, list.span, &spans, item)
}

/// Add `"key": value` (value already JSON) as the last property of a JSON object.
pub fn append_json_property(
    file: &Arc<SourceFile>,
    object: &Node,
    key: &str,
    value: &str,
) -> Option<Edit> {
    let entries = object.as_map()?;
    let spans: Vec<Span> = entries
        .iter()
        .map(|e| Span::new(e.key_span.start, e.value.span.end))
        .collect();
    append_after(
        file,
        object.span,
        &spans,
        &format!("{}: {value}", json_string(key)),
    )
}

/// Insert `element` after the last of `elements` inside the brackets at `container`.
fn append_after(
    file: &Arc<SourceFile>,
    container: Span,
    elements: &[Span],
    element: &str,
) -> Option<Edit> {
    let text = file.text.as_str();
    let open = container.start;
    let close = container.end.checked_sub(1)?;
    if !matches!(text.as_bytes().get(open), Some(b'[' | b'{'))
        || !matches!(text.as_bytes().get(close), Some(b']' | b'}'))
    {
        return None;
    }
    let nl = newline(text);
    let Some(last) = elements.last() else {
        // Empty: `[]` → `[item]`, a multi-line empty container gets its own line.
        let inner = &text[open + 1..close];
        if inner.contains('\n') {
            let indent = indent_of(text, open);
            return Some(Edit::replace(
                file,
                Span::new(open + 1, close),
                format!("{nl}{indent}{}{element}{nl}{indent}", unit_indent(text)),
            ));
        }
        if !inner.trim().is_empty() {
            return None;
        }
        let pad = if text.as_bytes()[open] == b'{' {
            " "
        } else {
            ""
        };
        return Some(Edit::replace(
            file,
            Span::new(open + 1, close),
            format!("{pad}{element}{pad}"),
        ));
    };
    let after = skip_blanks(text, last.end);
    let trailing_comma = text[after..].starts_with(',');
    let multiline = text[open..last.start].contains('\n');
    let sep = if multiline {
        format!("{nl}{}", indent_of(text, last.start))
    } else {
        " ".to_owned()
    };
    // A comment after the last element on its line stays with that element.
    let le = line_end(text, last.end);
    let commented = |from: usize| multiline && close > le && !text[from..le].trim().is_empty();
    Some(if trailing_comma {
        let tail = if multiline { "," } else { "" };
        if commented(after + 1) {
            Edit::insert(file, le, format!("{sep}{element}{tail}"))
        } else {
            Edit::insert(file, after + 1, format!("{sep}{element}{tail}"))
        }
    } else if commented(last.end) {
        let rest = &text[last.end..le];
        Edit::replace(
            file,
            Span::new(last.end, le),
            format!(",{rest}{sep}{element}"),
        )
    } else {
        Edit::insert(file, last.end, format!(",{sep}{element}"))
    })
}

/// Append `text` as new lines at the end of the file (after a blank line).
pub fn append_to_file(file: &Arc<SourceFile>, block: &str) -> Edit {
    let text = file.text.as_str();
    let nl = newline(text);
    let block = block.replace('\n', nl);
    let sep = if text.is_empty() || text.ends_with(&format!("{nl}{nl}")) {
        ""
    } else if text.ends_with(nl) {
        nl
    } else {
        // No final line break: end the last line, then a blank line.
        return Edit::insert(file, text.len(), format!("{nl}{nl}{block}"));
    };
    Edit::insert(file, text.len(), format!("{sep}{block}"))
}

/// Add `line` (a `key = value` without its line break) as a top-level key of a TOML document:
/// before the first table header (and the comments right above it), else at the end.
pub fn insert_toml_top_level(file: &Arc<SourceFile>, root: &Node, line: &str) -> Option<Edit> {
    let text = file.text.as_str();
    let nl = newline(text);
    let header = root
        .as_map()?
        .iter()
        .filter(|e| is_toml_header_key(text, e.key_span))
        .map(|e| line_start(text, e.key_span.start))
        .min();
    let Some(mut at) = header else {
        return Some(append_to_file(file, &format!("{line}\n")));
    };
    // Comments directly above a header describe it: insert above them.
    while at > 0 {
        let prev = line_start(text, at - 1);
        if !text[prev..at].trim_start().starts_with('#') {
            break;
        }
        at = prev;
    }
    Some(Edit::insert(file, at, format!("{line}{nl}{nl}")))
}

/// Is the key at `key_span` written in a table header (`[vars]`, `[[migrations]]`,
/// `[env.staging]`) rather than as `key = …` or a dotted `key.sub = …`?
fn is_toml_header_key(text: &str, key_span: Span) -> bool {
    let before = text[line_start(text, key_span.start)..key_span.start].trim_start();
    before.starts_with('[')
}

/// Is the key at `key_span` the last key of a `[table]` header line (`[env.staging]`)?
pub fn is_toml_table_header(text: &str, key_span: Span) -> bool {
    let ls = line_start(text, key_span.start);
    let before = text[ls..key_span.start].trim_start();
    let after = skip_blanks(text, key_span.end);
    before.starts_with('[') && !before.starts_with("[[") && text[after..].starts_with(']')
}

/// Insert `line` as a new line after the line `at` is on.
pub fn insert_after_line(file: &Arc<SourceFile>, at: usize, line: &str) -> Edit {
    let text = file.text.as_str();
    let nl = newline(text);
    let le = line_end(text, at);
    let next = next_line(text, le);
    if next == le {
        // The last line, without a line break.
        return Edit::insert(file, le, format!("{nl}{line}{nl}"));
    }
    Edit::insert(file, next, format!("{line}{nl}"))
}

/// The line break the file uses (`\r\n` when its first line ends so).
pub fn newline(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Leading whitespace of the line `at` is on.
pub fn indent_of(text: &str, at: usize) -> &str {
    let ls = line_start(text, at);
    let line = &text[ls..line_end(text, ls)];
    &line[..line.len() - line.trim_start().len()]
}

/// One level of indentation as the file writes it (two spaces when nothing says otherwise).
fn unit_indent(text: &str) -> &str {
    text.lines()
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .filter(|i| !i.is_empty())
        .min_by_key(|i| i.len())
        .unwrap_or("  ")
}

/// Skip spaces and tabs.
fn skip_blanks(text: &str, mut at: usize) -> usize {
    while matches!(text.as_bytes().get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    at
}

pub(crate) fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Offset of the line break (or end of text) of the line `at` is on; a `\r` before it is
/// part of the break.
fn line_end(text: &str, at: usize) -> usize {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if end > at && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Offset just past the line break at `le` (a line's end), or `le` at the end of the text.
fn next_line(text: &str, le: usize) -> usize {
    match text.as_bytes().get(le) {
        Some(b'\r') if text.as_bytes().get(le + 1) == Some(&b'\n') => le + 2,
        Some(b'\n') => le + 1,
        _ => le,
    }
}

fn text_before_on_line(text: &str, at: usize) -> &str {
    &text[line_start(text, at)..at]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;
    use crate::source::{parse, Limits};

    fn file(name: &str, text: &str) -> Arc<SourceFile> {
        let format = Format::from_path(std::path::Path::new(name)).unwrap();
        SourceFile::new(name, format, text.to_owned())
    }

    fn remove(name: &str, text: &str, needle_index: usize) -> String {
        let f = file(name, text);
        let root = parse(&f, &Limits::default()).unwrap();
        let flags = root.get("compatibility_flags").unwrap();
        let edits = remove_list_item(&f, flags, needle_index).unwrap();
        apply_edits(&f.text, &edits).unwrap()
    }

    #[test]
    fn list_items_go_with_their_comma_and_keep_comments() {
        let t = "compatibility_flags = [\"a\", \"b\", \"a\"]\n";
        assert_eq!(
            remove("wrangler.toml", t, 2),
            "compatibility_flags = [\"a\", \"b\"]\n"
        );
        assert_eq!(
            remove("wrangler.toml", t, 0),
            "compatibility_flags = [\"b\", \"a\"]\n"
        );
        let t = "compatibility_flags = [\n  \"a\", # one\n  \"b\",\n  \"a\", # again\n]\n";
        assert_eq!(
            remove("wrangler.toml", t, 2),
            "compatibility_flags = [\n  \"a\", # one\n  \"b\",\n  # again\n]\n"
        );
        let t = "{\n  \"compatibility_flags\": [\n    \"a\",\n    // why\n    \"a\"\n  ]\n}\n";
        assert_eq!(
            remove("wrangler.jsonc", t, 1),
            "{\n  \"compatibility_flags\": [\n    \"a\"\n    // why\n  ]\n}\n"
        );
        let t = "compatibility_flags:\n  - a\n  - a # dup\n  - b\n";
        assert_eq!(
            remove("blueprint.yaml", t, 1),
            "compatibility_flags:\n  - a\n  # dup\n  - b\n"
        );
    }

    #[test]
    fn appends_keep_layout_and_trailing_commas() {
        let f = file(
            "wrangler.jsonc",
            "{\n  \"a\": [\n    1,\n    2,\n  ],\n  \"b\": []\n}\n",
        );
        let root = parse(&f, &Limits::default()).unwrap();
        let a = append_inline_item(&f, root.get("a").unwrap(), "3").unwrap();
        let b = append_inline_item(&f, root.get("b").unwrap(), "\"x\"").unwrap();
        let p = append_json_property(&f, &root, "c", "true").unwrap();
        assert_eq!(
            apply_edits(&f.text, &[a, b, p]).unwrap(),
            "{\n  \"a\": [\n    1,\n    2,\n    3,\n  ],\n  \"b\": [\"x\"],\n  \"c\": true\n}\n"
        );
    }

    #[test]
    fn appends_keep_trailing_comments_with_their_element() {
        let f = file(
            "wrangler.jsonc",
            "{\n  \"a\": 1, // one\n  \"b\": 2 // two\n}\n",
        );
        let root = parse(&f, &Limits::default()).unwrap();
        let p = append_json_property(&f, &root, "c", "3").unwrap();
        assert_eq!(
            apply_edits(&f.text, &[p]).unwrap(),
            "{\n  \"a\": 1, // one\n  \"b\": 2, // two\n  \"c\": 3\n}\n"
        );
        let f = file("wrangler.toml", "x = [\n  1, # one\n]\n");
        let root = parse(&f, &Limits::default()).unwrap();
        let a = append_inline_item(&f, root.get("x").unwrap(), "2").unwrap();
        assert_eq!(
            apply_edits(&f.text, &[a]).unwrap(),
            "x = [\n  1, # one\n  2,\n]\n"
        );
    }

    #[test]
    fn renames_quote_as_the_format_needs() {
        let f = file("wrangler.toml", "kv_namespace = []\n\"vars \" = 1\n");
        assert_eq!(
            rename_key(&f, Span::new(0, 12), "kv_namespaces").content,
            "kv_namespaces"
        );
        let j = file("wrangler.jsonc", "{\"kv_namespace\": []}");
        assert_eq!(
            rename_key(&j, Span::new(1, 15), "kv_namespaces").content,
            "\"kv_namespaces\""
        );
    }
}
