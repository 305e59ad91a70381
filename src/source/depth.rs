//! A cheap pre-scan of bracket nesting, run before parsers that recurse (jsonc-parser, toml), so a
//! file of 100,000 `[` gets a clear error instead of overflowing the stack.

use super::{Limits, LoadError, Span};

/// Which quoting and comment rules to honour while counting brackets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// JSON with `//` and `/* */` comments and `"` strings.
    Jsonc,
    /// TOML: `#` comments, `"`/`'` strings and their triple-quoted forms.
    Toml,
}

/// Fail at the first bracket that opens deeper than `limits.max_depth`.
pub fn check(text: &str, syntax: Syntax, limits: &Limits) -> Result<(), LoadError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'{' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(limits.too_deep(Span::new(i, i + 1)));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'"' | b'\'' if syntax == Syntax::Toml || bytes[i] == b'"' => {
                i = skip_string(bytes, i, syntax);
                continue;
            }
            b'#' if syntax == Syntax::Toml => i = skip_line(bytes, i),
            b'/' if syntax == Syntax::Jsonc && bytes.get(i + 1) == Some(&b'/') => {
                i = skip_line(bytes, i)
            }
            b'/' if syntax == Syntax::Jsonc && bytes.get(i + 1) == Some(&b'*') => {
                i = find(bytes, i + 2, b"*/").map_or(bytes.len(), |e| e + 2);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn skip_line(bytes: &[u8], i: usize) -> usize {
    find(bytes, i, b"\n").unwrap_or(bytes.len())
}

/// Index just past the string starting at `i` (or the end of text when unterminated: the parser
/// reports that properly).
fn skip_string(bytes: &[u8], i: usize, syntax: Syntax) -> usize {
    let quote = bytes[i];
    if syntax == Syntax::Toml && bytes[i..].starts_with(&[quote; 3]) {
        let close = [quote; 3];
        return find(bytes, i + 3, &close).map_or(bytes.len(), |e| {
            // Up to two extra quotes may close a multi-line string (`"""a""""`).
            let mut end = e + 3;
            while end < bytes.len() && bytes[end] == quote && end < e + 5 {
                end += 1;
            }
            end
        });
    }
    let escapes = quote == b'"';
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' if escapes => j += 2,
            b'\n' if syntax == Syntax::Toml => return j,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        let json = "{\"a\": \"[[[[\", // [[[[\n /* {{{{ */ \"b\": [1]}";
        assert!(check(json, Syntax::Jsonc, &limits).is_ok());
        let toml = "a = \"[[[[\" # [[[[\nb = '''[[[[\n{{{'''\nc = [[1]]\n";
        assert!(check(toml, Syntax::Toml, &limits).is_ok());
        assert!(check("a = [[[1]]]", Syntax::Toml, &limits).is_err());
    }
}
