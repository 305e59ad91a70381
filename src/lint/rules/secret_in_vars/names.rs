//! What a var's name says: split into words, then judged by the credential words it ends in
//! (`…_SECRET`, `…_TOKEN`, `API_KEY`) and the public or lookup words that make it harmless.

/// Words after which `KEY` means a lookup key, not a credential.
const LOOKUP_KEY_WORDS: &[&str] = &[
    "BUCKET",
    "CACHE",
    "DEDUP",
    "DEDUPE",
    "FEATURE",
    "FLAG",
    "FOREIGN",
    "HASH",
    "I18N",
    "IDEMPOTENCY",
    "INDEX",
    "KV",
    "LOCALE",
    "LOCK",
    "LOOKUP",
    "MAP",
    "OBJECT",
    "PARTITION",
    "PREFIX",
    "PRIMARY",
    "QUERY",
    "R2",
    "ROUTE",
    "ROUTING",
    "SHARD",
    "SORT",
    "STORAGE",
    "TRANSLATION",
];

/// Words that mark a name as a public key or an identifier.
const PUBLIC_WORDS: &[&str] = &["ANON", "PUB", "PUBKEY", "PUBLIC", "PUBLISHABLE", "SITE"];

/// Last words that say the var describes a secret rather than holding one.
const METADATA_WORDS: &[&str] = &[
    "ALG",
    "ALGORITHM",
    "AUDIENCE",
    "BINDING",
    "COUNT",
    "DAYS",
    "ENABLED",
    "EXPIRES",
    "EXPIRY",
    "FILE",
    "FORMAT",
    "HEADER",
    "HINT",
    "HOURS",
    "ID",
    "IDS",
    "INTERVAL",
    "ISSUER",
    "LEN",
    "LENGTH",
    "LIMIT",
    "MINUTES",
    "MODE",
    "NAME",
    "NAMES",
    "NAMESPACE",
    "PATH",
    "PREFIX",
    "PROVIDER",
    "SCOPE",
    "SCOPES",
    "SECONDS",
    "SIZE",
    "TTL",
    "TYPE",
    "URL",
    "VERSION",
];

const SECRET_LAST_WORDS: &[&str] = &[
    "CREDENTIAL",
    "CREDENTIALS",
    "KEY",
    "PASS",
    "PASSPHRASE",
    "PASSWD",
    "PASSWORD",
    "PWD",
    "SECRET",
    "TOKEN",
];

const SECRET_PAIRS: &[(&str, &str)] = &[
    ("ACCESS", "KEY"),
    ("ACCESS", "TOKEN"),
    ("API", "KEY"),
    ("AUTH", "TOKEN"),
    ("BEARER", "TOKEN"),
    ("CLIENT", "SECRET"),
    ("ENCRYPTION", "KEY"),
    ("MASTER", "KEY"),
    ("PRIVATE", "KEY"),
    ("REFRESH", "TOKEN"),
    ("SECRET", "KEY"),
    ("SIGNING", "KEY"),
];

/// The words of a var name, upper-cased: `stripeSecretKey` / `STRIPE_SECRET_KEY` → STRIPE SECRET KEY.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_uppercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether the name marks a public key or an id (values are then not judged by entropy).
pub(crate) fn public_or_id(words: &[String]) -> bool {
    words.iter().any(|w| PUBLIC_WORDS.contains(&w.as_str()))
        || words
            .last()
            .is_some_and(|w| matches!(w.as_str(), "ID" | "IDS"))
}

/// Why the name says the var is a secret, when it does.
pub(crate) fn secret_name(words: &[String]) -> Option<String> {
    let last = words.last()?;
    if public_or_id(words) || METADATA_WORDS.contains(&last.as_str()) {
        return None;
    }
    let n = words.len();
    if SECRET_LAST_WORDS.contains(&last.as_str()) {
        let lookup = last == "KEY" && n >= 2 && LOOKUP_KEY_WORDS.contains(&words[n - 2].as_str());
        if !lookup {
            return Some(
                if n >= 2 && SECRET_PAIRS.contains(&(words[n - 2].as_str(), last.as_str())) {
                    format!("its name ends in `{}_{last}`", words[n - 2])
                } else {
                    format!("its name ends in `{last}`")
                },
            );
        }
    }
    words.windows(2).find_map(|w| {
        SECRET_PAIRS
            .contains(&(w[0].as_str(), w[1].as_str()))
            .then(|| format!("its name contains `{}_{}`", w[0], w[1]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Option<String> {
        secret_name(&words(n))
    }

    #[test]
    fn names() {
        for n in [
            "API_KEY",
            "STRIPE_SECRET_KEY",
            "JWT_SECRET",
            "GITHUB_TOKEN",
            "PASSWORD",
            "DB_PASSWORD",
            "SMTP_PASS",
            "PRIVATE_KEY",
            "CLIENT_SECRET",
            "OPENAI_API_KEY_V2",
            "stripeSecretKey",
            "apiKey",
            "CLOUDFLARE_CLIENT_SECRET",
            "ADMIN_AUTHORIZATION_TOKEN",
        ] {
            assert!(name(n).is_some(), "{n}");
        }
        for n in [
            "PUBLIC_KEY",
            "VAPID_PUBLIC_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "TURNSTILE_SITE_KEY",
            "SUPABASE_ANON_KEY",
            "AWS_ACCESS_KEY_ID",
            "CACHE_KEY",
            "PARTITION_KEY",
            "MAX_TOKENS",
            "TOKEN_TTL",
            "API_KEY_HEADER",
            "API_KEY_ROTATION_DAYS",
            "DATABASE_URL",
            "LOG_LEVEL",
            "BYPASS",
            "KEYBOARD_LAYOUT",
        ] {
            assert!(name(n).is_none(), "{n}");
        }
        assert_eq!(name("API_KEY").unwrap(), "its name ends in `API_KEY`");
    }
}
