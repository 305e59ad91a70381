//! YAML output through a maintained serializer.
//!
//! Choice: `serde_norway`, the maintained fork of `serde_yaml` (deprecated in 2024), which emits
//! through libyaml's emitter (`unsafe-libyaml-norway`): every scalar that would read back as
//! something else (`"true"`, `"1.0"`, `"null"`, `"2025-01-01"`, `"a: b"`, leading `*`/`&`/`!`,
//! …) is quoted by the emitter, never by us. It serializes a `serde_json::Value` built with
//! `preserve_order`, so keys come out in the order we build them (deterministic output). saphyr
//! (whose parser doforge reads with) also has an emitter, but without serde support, so every
//! value would have to be converted by hand; `serde_norway` is one call.

use serde_json::Value;

/// One YAML document for `value` (block style, no leading `---`).
pub fn to_yaml(value: &Value) -> Result<String, String> {
    let text = serde_norway::to_string(value).map_err(|e| format!("could not write YAML: {e}"))?;
    Ok(text
        .strip_prefix("---\n")
        .map(str::to_owned)
        .unwrap_or(text))
}

/// A single YAML scalar for a string (quoted by the emitter when it needs quoting).
pub fn scalar(s: &str) -> Result<String, String> {
    Ok(to_yaml(&Value::String(s.to_owned()))?.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_strings_are_quoted_by_the_emitter() {
        for s in [
            "true",
            "1.0",
            "null",
            "2025-01-01",
            "a: b",
            "*x",
            "",
            "~",
            "0x1F",
            "- a",
        ] {
            let text = format!("k: {}\n", scalar(s).unwrap());
            let back: Value = serde_norway::from_str(&text).unwrap();
            assert_eq!(back["k"], Value::String(s.to_owned()), "{s:?} as {text:?}");
        }
        assert_eq!(scalar("chat-app").unwrap(), "chat-app");
    }
}
