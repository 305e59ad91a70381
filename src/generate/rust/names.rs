//! Rust names from blueprint names. Class names are validated PascalCase identifiers (never a
//! reserved word); module and crate names derived from them are made safe here.

/// Rust keywords (strict, reserved and weak ones that cannot name a module).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Crates a generated project depends on or that are built in: a package of that name would
/// clash.
const TAKEN_CRATES: &[&str] = &[
    "worker",
    "serde",
    "serde_json",
    "std",
    "core",
    "alloc",
    "test",
    "proc_macro",
    "proc-macro",
];

pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// `ChatRoom` → `chat_room`, `HTTPGateway` → `http_gateway`.
pub fn snake_case(class: &str) -> String {
    let chars: Vec<char> = class.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Module names for `classes` (in order): snake case, a keyword gets `_` appended, and a name
/// already taken gets `_2`, `_3`, …
pub fn module_names<'a>(classes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    module_names_reserving(classes, &[])
}

/// [`module_names`] in a directory where `reserved` are taken too (`src/clients/` holds
/// `transport` and `kinds`).
pub fn module_names_reserving<'a>(
    classes: impl IntoIterator<Item = &'a str>,
    reserved: &[&str],
) -> Vec<String> {
    let mut taken: Vec<String> = vec!["mod".to_owned()];
    taken.extend(reserved.iter().map(|r| (*r).to_owned()));
    let mut out = Vec::new();
    for class in classes {
        let mut base = snake_case(class);
        if is_keyword(&base) {
            base.push('_');
        }
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        taken.push(name.clone());
        out.push(name);
    }
    out
}

/// The Cargo package name for a script name (`[a-z0-9-]`): itself, unless it starts with a
/// digit (`w-` prepended) or names a keyword or a crate the project uses (`-worker` appended).
pub fn crate_name(script: &str) -> String {
    let mut name = script.to_owned();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("w-{name}");
    }
    let underscored = name.replace('-', "_");
    if is_keyword(&underscored)
        || TAKEN_CRATES.contains(&name.as_str())
        || TAKEN_CRATES.contains(&underscored.as_str())
    {
        name.push_str("-worker");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        assert_eq!(snake_case("ChatRoom"), "chat_room");
        assert_eq!(snake_case("HTTPGateway"), "http_gateway");
        assert_eq!(snake_case("SessionStateDO"), "session_state_do");
        assert_eq!(snake_case("Counter2Go"), "counter2_go");
        assert_eq!(snake_case("A"), "a");
    }

    #[test]
    fn module_names_avoid_keywords_and_clashes() {
        assert_eq!(
            module_names(["Type", "Abc", "ABC", "Mod", "Self_"]),
            ["type_", "abc", "abc_2", "mod_", "self_"]
        );
    }

    #[test]
    fn client_modules_avoid_the_clients_own_modules() {
        assert_eq!(
            module_names_reserving(["Kinds", "Transport", "AuditLog"], &["transport", "kinds"]),
            ["kinds_2", "transport_2", "audit_log"]
        );
    }

    #[test]
    fn crate_names() {
        assert_eq!(crate_name("chat-app"), "chat-app");
        assert_eq!(crate_name("3d-shop"), "w-3d-shop");
        assert_eq!(crate_name("worker"), "worker-worker");
        assert_eq!(crate_name("serde-json"), "serde-json-worker");
        assert_eq!(crate_name("match"), "match-worker");
    }
}
