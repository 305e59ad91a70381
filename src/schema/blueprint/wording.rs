//! Wording helpers: paths, values and names in the words diagnostics use.

use super::*;

/// A JSON Pointer segment, escaped.
pub(super) fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

pub(super) fn segments(path: &str) -> Vec<String> {
    path.strip_prefix('/')
        .map(|p| {
            p.split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect()
        })
        .unwrap_or_default()
}

/// `/resources/0/config` → `resources[0].config`.
pub(super) fn dotted(path: &str) -> String {
    let mut s = String::new();
    for seg in segments(path) {
        if seg.parse::<usize>().is_ok() {
            s.push_str(&format!("[{seg}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(&seg);
        }
    }
    s
}

/// "at the top level of the blueprint" or "in resources[0].config".
pub(super) fn within(path: &str) -> String {
    if path.is_empty() {
        "at the top level of the blueprint".into()
    } else {
        format!("in {}", dotted(path))
    }
}

/// "the blueprint" or "resources[4]" (the subject of a sentence).
pub(super) fn subject(path: &str) -> String {
    if path.is_empty() {
        "the blueprint".into()
    } else {
        dotted(path)
    }
}

/// The field an error is about: its key, with any trailing list indices (`resources[3]`).
pub(super) fn field(path: &str) -> String {
    let segs = segments(path);
    let mut out = String::new();
    for seg in segs.iter().rev() {
        if seg.parse::<usize>().is_ok() {
            out = format!("[{seg}]{out}");
        } else {
            return format!("`{seg}{out}`");
        }
    }
    if out.is_empty() {
        "the blueprint".into()
    } else {
        out
    }
}

pub(super) fn last_key(path: &str) -> String {
    segments(path).pop().unwrap_or_default()
}

pub(super) fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

/// A short rendering of a value for a message.
pub(super) fn preview(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 48 {
        let cut: String = s.chars().take(45).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// "a string (\"x\")", "a list", "a map" …
pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (an empty value)".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) if n.is_i64() || n.is_u64() => format!("the integer {n}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(_) => format!("the string {}", preview(v)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a map".into(),
    }
}

/// The schema's `type` in words.
pub(super) fn expected_types(t: &Value) -> String {
    let word = |t: &str| match t {
        "object" => "a map",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "null" => "empty",
        _ => "a value",
    };
    match t {
        Value::String(s) => word(s).into(),
        Value::Array(a) => {
            let words: Vec<&str> = a.iter().filter_map(Value::as_str).map(word).collect();
            join_or(&words)
        }
        _ => "another type".into(),
    }
}

pub(super) fn join_or(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

pub(super) fn join_and(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `Chat Room` → `ChatRoom`, `../evil` → `Evil`, `chat_room` → `ChatRoom`.
pub(super) fn pascal(v: &str) -> String {
    let mut out = String::new();
    for part in v.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    let out = out
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .to_owned();
    if out.is_empty() {
        "MyClass".into()
    } else {
        out
    }
}

/// `chatRoom` / `chat-room` → `CHAT_ROOM`.
pub(super) fn screaming(v: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in v.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_uppercase());
        } else {
            if !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out
        .trim_start_matches(|c: char| c == '_' || c.is_ascii_digit())
        .trim_end_matches('_')
        .to_owned();
    if out.is_empty() {
        "MY_BINDING".into()
    } else {
        out
    }
}

/// `Bad_Name` → `bad-name` (a valid Worker / resource name, when one can be made).
pub(super) fn slug(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    out.truncate(63);
    out.trim_end_matches('-').to_owned()
}
