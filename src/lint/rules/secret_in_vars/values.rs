//! What a var's value says by its text alone: known credential prefixes, a password in a URL
//! (not on loopback), a JWT that is not a public anon key, a long high-entropy token; and
//! whether a value or an env name marks a made-up development stand-in.

/// `prefix` followed by at least `min` characters of `allowed`, starting at a word boundary.
fn prefixed(v: &str, prefix: &str, min: usize, allowed: fn(char) -> bool) -> bool {
    v.match_indices(prefix).any(|(i, _)| {
        let boundary = v[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        boundary
            && v[i + prefix.len()..]
                .chars()
                .take_while(|&c| allowed(c))
                .count()
                >= min
    })
}

fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}
fn upper_alnum(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

/// What kind of secret `v` holds, judged by its text alone.
pub(crate) fn secret_value(v: &str, judge_entropy: bool) -> Option<&'static str> {
    /// Prefix, minimum length of what follows, its characters, and what it is.
    type Format = (&'static str, usize, fn(char) -> bool, &'static str);
    const PREFIXES: &[Format] = &[
        ("sk_live_", 10, alnum, "a Stripe live secret key"),
        ("sk_test_", 10, alnum, "a Stripe test secret key"),
        ("rk_live_", 10, alnum, "a Stripe restricted key"),
        ("rk_test_", 10, alnum, "a Stripe restricted key"),
        ("whsec_", 20, alnum, "a Stripe webhook signing secret"),
        ("github_pat_", 20, token_char, "a GitHub fine-grained token"),
        ("ghp_", 30, alnum, "a GitHub token"),
        ("gho_", 30, alnum, "a GitHub token"),
        ("ghu_", 30, alnum, "a GitHub token"),
        ("ghs_", 30, alnum, "a GitHub token"),
        ("ghr_", 30, alnum, "a GitHub token"),
        ("xoxb-", 10, token_char, "a Slack token"),
        ("xoxp-", 10, token_char, "a Slack token"),
        ("xoxa-", 10, token_char, "a Slack token"),
        ("xoxr-", 10, token_char, "a Slack token"),
        ("xoxs-", 10, token_char, "a Slack token"),
        ("sk-ant-", 20, token_char, "an Anthropic API key"),
        ("sk-proj-", 20, token_char, "an OpenAI API key"),
        ("sk-", 32, token_char, "an OpenAI-style API key"),
        ("glpat-", 20, token_char, "a GitLab token"),
        ("npm_", 36, alnum, "an npm token"),
    ];
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a PEM private key");
    }
    for &(prefix, min, allowed, what) in PREFIXES {
        if prefixed(v, prefix, min, allowed) {
            return Some(what);
        }
    }
    for p in ["AKIA", "ASIA"] {
        let exact = v.match_indices(p).any(|(i, _)| {
            let rest: String = v[i + 4..].chars().take_while(|&c| upper_alnum(c)).collect();
            let boundary = v[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            boundary && rest.len() == 16
        });
        if exact {
            return Some("an AWS access key id");
        }
    }
    if prefixed(v, "SG.", 22, token_char) && v.matches('.').count() >= 2 {
        return Some("a SendGrid API key");
    }
    if url_with_password(v) {
        return Some("a URL with an inline password");
    }
    if !judge_entropy || v.starts_with("data:") {
        return None;
    }
    // JWTs first; a public one (Supabase anon) is blanked out so its signature is not judged
    // by entropy either.
    let mut rest = v.to_owned();
    for t in v.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))) {
        match jwt(t) {
            Some(true) => return Some("a JSON Web Token"),
            Some(false) => rest = rest.replace(t, " "),
            None => {}
        }
    }
    rest.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-')))
        .any(high_entropy)
        .then_some("a random secret key")
}

/// `scheme://user:password@host`, where the password is not a template.
fn url_with_password(v: &str) -> bool {
    v.match_indices("://").any(|(i, _)| {
        let scheme_ok = v[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let rest = &v[i + 3..];
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let Some(at) = authority.rfind('@') else {
            return false;
        };
        let Some((_, password)) = authority[..at].split_once(':') else {
            return false;
        };
        let template = password.contains("${")
            || password.contains("{{")
            || (password.starts_with('<') && password.ends_with('>'))
            || password.chars().all(|c| c == '*' || c == 'x' || c == 'X');
        scheme_ok && !password.is_empty() && !template && !loopback(&authority[at + 1..])
    })
}

/// A host only the developer's own machine reaches (`localhost`, `127.0.0.1`, `[::1]`,
/// `0.0.0.0`, Docker's `host.docker.internal`), port and all: a password for it is a local
/// development credential, not a leaked one.
fn loopback(host_port: &str) -> bool {
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    }
    .to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host == "0.0.0.0"
        || host == "host.docker.internal"
        || host
            .strip_prefix("127.")
            .is_some_and(|rest| rest.split('.').all(|p| p.parse::<u8>().is_ok()))
}

/// Env names (as a part of the name, split at `-`, `_` or `.`) that only run on a developer's
/// machine or in tests.
const DEV_ENV_WORDS: &[&str] = &["dev", "development", "local", "test", "testing", "e2e"];

/// Words that mark a value as a made-up development value (`local-dev-signing-secret`).
const DEV_VALUE_WORDS: &[&str] = &[
    "changeme",
    "dev",
    "development",
    "dummy",
    "example",
    "fake",
    "insecure",
    "local",
    "localdev",
    "mock",
    "placeholder",
    "sample",
    "test",
    "testing",
];

pub(super) fn dev_env(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(['-', '_', '.'])
        .any(|p| DEV_ENV_WORDS.contains(&p))
}

/// A value that says it is a development value: one of its words (split at anything but a
/// letter or digit) is a [`DEV_VALUE_WORDS`] word.
pub(super) fn dev_value(v: &str) -> bool {
    v.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| DEV_VALUE_WORDS.contains(&w))
}

/// `Some(secret?)` when `t` is a JSON Web Token: `Some(false)` for a public one.
fn jwt(t: &str) -> Option<bool> {
    let parts: Vec<&str> = t.split('.').collect();
    if parts.len() != 3 || !parts[0].starts_with("eyJ") || !parts[1].starts_with("eyJ") {
        return None;
    }
    if parts.iter().any(|p| p.len() < 10) {
        return None;
    }
    // Supabase's anon key is a JWT meant for browsers.
    let payload = base64url_decode(parts[1]).unwrap_or_default();
    let payload: String = String::from_utf8_lossy(&payload)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Some(!payload.contains("\"role\":\"anon\""))
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for c in s.bytes().take_while(|&b| b != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

/// Shannon entropy in bits per character.
fn entropy(t: &str) -> f64 {
    let mut counts = [0usize; 128];
    for b in t.bytes() {
        counts[usize::from(b & 0x7f)] += 1;
    }
    let n = t.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Minimum length of a token judged by entropy.
const MIN_TOKEN: usize = 24;
/// Minimum Shannon entropy, bits per character.
const MIN_ENTROPY: f64 = 4.0;
/// Minimum share of neighbouring characters of different classes.
const MIN_SWITCHES: f64 = 0.5;

fn high_entropy(t: &str) -> bool {
    if t.len() < MIN_TOKEN || t.starts_with("pk_live_") || t.starts_with("pk_test_") {
        return false;
    }
    let hexish = t.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let mixed = t.chars().any(|c| c.is_ascii_uppercase())
        && t.chars().any(|c| c.is_ascii_lowercase())
        && t.chars().any(|c| c.is_ascii_digit());
    if hexish || !mixed {
        return false;
    }
    let class = |c: char| {
        if c.is_ascii_uppercase() {
            0
        } else if c.is_ascii_lowercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        }
    };
    let chars: Vec<char> = t.chars().collect();
    let switches = chars
        .windows(2)
        .filter(|w| class(w[0]) != class(w[1]))
        .count();
    entropy(t) >= MIN_ENTROPY && switches as f64 / (chars.len() - 1) as f64 >= MIN_SWITCHES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let live = ["sk", "_live_", "4eC39HqLyjWDarjtT1zdp7dc"].concat();
        for v in [
            live.as_str(),
            "ghp_1234567890abcdefghijABCDEFGHIJ123456",
            "xoxb-123456789012-abcdefABCDEF",
            "AKIAIOSFODNN7EXAMPLE",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
            "postgres://app:s3cret@db.example.com:5432/app",
            "redis://:hunter2@cache:6379",
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
            "X9fK2mQ7pL4vR8sT1wY6zA3bC5dE",
        ] {
            assert!(secret_value(v, true).is_some(), "{v}");
        }
        for v in [
            "info",
            "https://api.example.com/v1",
            "postgres://app@db.example.com/app",
            "postgres://app:${DB_PASSWORD}@db/app",
            "postgresql://user:password@127.0.0.1:6543/postgres",
            "postgres://user:pass@localhost:5432/db",
            "redis://:pw@[::1]:6379",
            "mysql://root:root@host.docker.internal/app",
            "postgres://u:p@api.localhost/db",
            "0f2ac7d1e3b94c55a1b2c3d4e5f60718",
            "4f4d2c1a-8b3e-4c5d-9e6f-7a8b9c0d1e2f",
            "MyApp2024ProductionEnvironment",
            "pk_live_51HqLyjWDarjtT1zdp7dcXYZabcdEFGH",
            "task-sk_live_",
            "desk-1234567890abcdefghijklmnopqrstuvwxyz",
        ] {
            assert!(secret_value(v, true).is_none(), "{v}");
        }
        // A JWT, and Supabase's public anon JWT (payload {"role":"anon"}).
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(secret_value(jwt, true), Some("a JSON Web Token"));
        let anon =
            "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(secret_value(anon, true), None);
        // Loopback look-alikes are still remote hosts.
        for v in [
            "postgres://u:s3cret@localhost.example.com/db",
            "postgres://u:s3cret@127.0.0.1.nip.io/db",
            "postgres://u:s3cret@10.0.0.5/db",
        ] {
            assert!(secret_value(v, true).is_some(), "{v}");
        }
        assert!(dev_env("dev") && dev_env("local-eu") && dev_env("e2e"));
        assert!(!dev_env("staging") && !dev_env("production") && !dev_env("devops"));
        assert!(dev_value("local-dev-thumbnail-render-secret") && dev_value("changeme"));
        assert!(!dev_value("hunter2") && !dev_value("developer-portal-k3y"));
    }
}
