//! `secret-in-vars`: a `vars` entry that holds a secret — by its name (`…_SECRET`, `…_TOKEN`,
//! `API_KEY`, …) or by its value (`sk_live_…`, a JWT, `user:password@` in a URL, a long
//! high-entropy string). Messages never show the value; the value's text is redacted from every
//! output format.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{ProjectKind, Sp, Var, VarValue};
use crate::source::Span;

pub static RULE: Rule = Rule {
    name: "secret-in-vars",
    category: Category::Bindings,
    default_severity: Severity::Warning,
    summary: "A plain-text var whose name or value looks like a secret (API key, token, password, private key, credentials in a URL)",
    docs: DOCS,
    applies_to: Input::ALL,
    check,
};

const DOCS: &str = r#"## What it does
Checks every `vars` entry of every environment (in blueprints: project, worker and environment
`vars`) and flags one that holds a secret, judged by its **name** or by its **value**.

By name (only with a non-empty string, list or object value), splitting the name into words at
`_`, `-`, `.` and camelCase humps:

- the last word is `SECRET`, `TOKEN`, `PASSWORD`, `PASSWD`, `PWD`, `PASS`, `PASSPHRASE`,
  `CREDENTIAL(S)` or `KEY` (`JWT_SECRET`, `GITHUB_TOKEN`, `SMTP_PASS`, `STRIPE_SECRET_KEY`);
- or the name contains `API_KEY`, `PRIVATE_KEY`, `SECRET_KEY`, `ACCESS_KEY`, `SIGNING_KEY`,
  `ENCRYPTION_KEY`, `MASTER_KEY`, `CLIENT_SECRET`, `AUTH_TOKEN`, `ACCESS_TOKEN`,
  `REFRESH_TOKEN` or `BEARER_TOKEN` (`API_KEY_V2`), unless its last word says it is metadata
  (`…_ID`, `…_NAME`, `…_HEADER`, `…_TTL`, `…_URL`, `…_PATH`, `…_ENABLED`, `…_DAYS`, `…_SCOPE`,
  …).

Not flagged by name: public keys (`PUBLIC`, `PUBLISHABLE`, `PUB`, `SITE` or `ANON` in the name:
`STRIPE_PUBLISHABLE_KEY`, `TURNSTILE_SITE_KEY`, `SUPABASE_ANON_KEY`), ids (`AWS_ACCESS_KEY_ID`,
`CF_ACCESS_CLIENT_ID`: an id names a credential, it is not one), and `KEY` meaning a lookup key
(`CACHE_KEY`, `STORAGE_KEY`, `PARTITION_KEY`, `SORT_KEY`, `IDEMPOTENCY_KEY`, `ROUTE_KEY`, …).

By value, whatever the name (strings, also inside list and object values):

- well-known credential formats: Stripe `sk_live_`, `sk_test_`, `rk_live_`, `rk_test_`, `whsec_`;
  GitHub `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`; Slack `xoxb-`, `xoxp-`, `xoxa-`,
  `xoxr-`, `xoxs-`; AWS `AKIA…` / `ASIA…` access key ids; OpenAI `sk-…` / `sk-proj-…`,
  Anthropic `sk-ant-…`; GitLab `glpat-`; npm `npm_`; SendGrid `SG.…`;
- a PEM private key (`-----BEGIN … PRIVATE KEY-----`);
- a URL with a password in it (`postgres://user:password@host/db`; a `${VAR}` / `{{VAR}}` /
  `<…>` password is a template and is left alone, and so is a password for a host only the
  developer's machine reaches: `localhost`, `*.localhost`, `127.x.x.x`, `[::1]`, `0.0.0.0`,
  `host.docker.internal` — a local database's credential, not a leaked one);
- a JSON Web Token (`eyJ….eyJ….…`), except a Supabase anon key (payload `"role":"anon"`);
- a long random-looking string: a run of at least 24 characters from `[A-Za-z0-9+/=_-]` that
  mixes upper case, lower case and digits, is not hexadecimal or a UUID (ids), has a Shannon
  entropy of at least 4.0 bits per character, and changes character class (upper / lower / digit /
  symbol) between at least half of its neighbouring characters — random base62/base64 does so
  about 62% of the time, CamelCase words far less. A random 24-character base62 key passes about
  85% of the time, a 40-character one about 94%, a base64-encoded 32-byte key about 98%. Values of
  vars with public-key names or `…_ID` names are not judged by entropy or as JWTs.

Development stand-ins are quiet: in an environment named for local development or tests (`dev`,
`development`, `local`, `test`, `testing`, `e2e`, also as a part of a longer name such as
`dev-eu`), a var flagged only by its name whose value says it is made up — one of its words is
`local`, `dev`, `development`, `test`, `testing`, `example`, `sample`, `dummy`, `fake`, `mock`,
`placeholder`, `changeme` or `insecure` (`local-dev-signing-secret`) — is not reported. The same
value at the top level or in any other env is (a production Worker must not run on a made-up
secret), and a value that looks like a secret by itself is reported in every env.

The message names the var and the kind of secret, and shows at most the value's first four
characters (fewer for short values); the value itself is masked in every snippet doforge prints.

## Why it matters
Cloudflare's docs: "Text strings and JSON values are not encrypted and are useful for storing
application configuration." Vars live in the repository, in the deployed Worker's settings (shown
in plain text in the dashboard), and in every CI log: `wrangler deploy` prints each var with its
value (`env.API_KEY ("sk_live_…")`). Secrets belong in `wrangler secret put NAME`, which stores
them encrypted; a var with the same name as a declared secret even makes wrangler refuse the
config. A committed credential must also be rotated.

## Example
```toml
[vars]
LOG_LEVEL = "info"
STRIPE_SECRET_KEY = "sk_live_…"
```

## Use instead
```toml
[vars]
LOG_LEVEL = "info"

[secrets]
required = ["STRIPE_SECRET_KEY"] # value: wrangler secret put STRIPE_SECRET_KEY
```
In a blueprint, list the name under `secrets:` instead of `vars:`.

## References
- https://developers.cloudflare.com/workers/configuration/secrets/
- https://developers.cloudflare.com/workers/configuration/environment-variables/
- https://developers.cloudflare.com/workers/wrangler/commands/#secret-put
"#;

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

fn dev_env(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(['-', '_', '.'])
        .any(|p| DEV_ENV_WORDS.contains(&p))
}

/// A value that says it is a development value: one of its words (split at anything but a
/// letter or digit) is a [`DEV_VALUE_WORDS`] word.
fn dev_value(v: &str) -> bool {
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

/// The strings of a var's value (the value itself, or every string inside a JSON value).
fn strings(v: &VarValue) -> Vec<&str> {
    fn walk<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    match v {
        VarValue::Text(s) => out.push(s.as_str()),
        VarValue::Json(j) => walk(j, &mut out),
    }
    out
}

/// At most the first four characters of a value (fewer for short ones), then `…`.
fn redacted(v: &str) -> String {
    let keep = (v.chars().count() / 4).min(4);
    format!("{}…", v.chars().take(keep).collect::<String>())
}

/// The value's span without its quotes (so the masked snippet still shows a string).
fn value_span(cx: &Ctx, var: &Var) -> Span {
    let text = cx.file().text.as_bytes();
    let Span { start, end } = var.span;
    let quoted = end >= start + 2
        && end <= text.len()
        && matches!(text[start], b'"' | b'\'')
        && text[end - 1] == text[start];
    if quoted {
        Span::new(start + 1, end - 1)
    } else {
        var.span
    }
}

/// Why a var looks like a secret (by its value, else by its name with a non-empty value), in
/// the words of this rule's message; `None` when it does not. `doforge import` uses it to keep
/// such values out of the blueprints it writes.
pub fn looks_like_secret(name: &str, value: &VarValue) -> Option<String> {
    let w = words(name);
    let values = strings(value);
    if let Some(what) = values
        .iter()
        .find_map(|s| secret_value(s, !public_or_id(&w)))
    {
        return Some(format!("its value looks like {what}"));
    }
    secret_name(&w)
        .filter(|_| values.iter().any(|s| !s.trim().is_empty()))
        .map(|why| format!("it looks like a secret ({why})"))
}

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    let blueprint = cx.project.kind == ProjectKind::Blueprint;
    let mut out = Vec::new();
    for worker in &cx.project.workers {
        for env in &worker.envs {
            let secrets: HashMap<&str, &Sp<String>> =
                env.secrets.iter().map(|s| (s.as_str(), s)).collect();
            for var in &env.vars {
                let name = var.name.as_str();
                let w = words(name);
                let values = strings(&var.value);
                let by_value = values
                    .iter()
                    .find_map(|s| secret_value(s, !public_or_id(&w)).map(|what| (*s, what)));
                // In a development env a secret-named var whose value says it is a made-up
                // development value is that env's stand-in, not a leak (tldraw's `env.dev`).
                let dev_stand_in = env.name_str().is_some_and(dev_env)
                    && values.iter().all(|s| s.trim().is_empty() || dev_value(s));
                let by_name = secret_name(&w)
                    .filter(|_| values.iter().any(|s| !s.trim().is_empty()))
                    .filter(|_| !dev_stand_in);
                let also_secret = secrets.get(name);
                let mut message = match (by_value, &by_name) {
                    (Some((s, what)), _) => format!(
                        "var `{name}` holds what looks like {what} (`{}`) in plain text",
                        redacted(s)
                    ),
                    (None, Some(why)) => format!(
                        "var `{name}` looks like a secret ({why}), but vars are stored and shown in plain text"
                    ),
                    (None, None) => continue,
                };
                if also_secret.is_some() {
                    message.push_str(
                        "; it is also declared as a secret, so wrangler refuses the config (\"assigned to Environment Variable and Secret bindings\")",
                    );
                }
                let mut help = if also_secret.is_some() {
                    format!("remove `{name}` from `vars`: it is already declared as a secret; set its value with `wrangler secret put {name}`")
                } else if blueprint {
                    format!("remove `{name}` from `vars`, list it under `secrets:` and set its value with `wrangler secret put {name}`")
                } else {
                    format!("remove `{name}` from `vars`, set it with `wrangler secret put {name}` and list it in `secrets.required`")
                };
                if by_value.is_some() {
                    help.push_str("; the value is in the repository now, so rotate it");
                }
                let mut d = cx
                    .diag(var.name.span, message)
                    .with_help(help)
                    .with_redacted(value_span(cx, var))
                    .with_env(env.name_str());
                if let Some(s) = also_secret {
                    d = d.with_secondary(cx.label(s.span, "also declared as a secret here"));
                }
                d = d.with_fix(crate::fix::build::var_to_secret(
                    cx,
                    env,
                    var.name.span,
                    also_secret.is_some(),
                ));
                out.push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_paths, CheckOptions};
    use crate::diagnostics::render::{render, OutputFormat, RenderOptions};

    /// No output format may print a flagged value: not the message, not a snippet of this
    /// finding, not the context lines of another finding next to it.
    #[test]
    fn values_never_appear_in_any_output_format() {
        let stripe = ["sk_live_", "51DoforgeRedactionCheck00000"].concat();
        let password = "Tr0ub4dor-and-3";
        let random = "q8Rz3Kp1Xw7Lm2Nb5Vc9Tf4Hg6Jd0Ys";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wrangler.toml"),
            format!(
                "name = \"billing\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2026-01-15\"\n\n[vars]\nSTRIPE_KEY = \"{stripe}\"\nDATABASE_URL = \"postgres://app:{password}@db.example.com/app\"\nSIGNATURE = \"{random}\"\nLOG_LEVL = \"info\"\n\n[varz]\nX = 1\n"
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("wrangler.jsonc"),
            format!("{{\n  \"name\": \"b\",\n  \"vars\": {{\n    \"CONFIG\": {{ \"nested\": [\"{stripe}\"] }},\n    \"SMTP_PASSWORD\": \"{password}\"\n  }},\n  \"unknown\": 1\n}}\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("blueprint.yaml"),
            format!("project_name: b\nprovider: cloudflare\ncompatibility_date: \"2026-01-15\"\nresources:\n  - {{ id: api, type: cloudflare_worker, config: {{ main: src/index.ts }} }}\nvars:\n  DB_PASSWORD: {password}\n  TOKEN: \"{random}\"\n"),
        )
        .unwrap();
        let options = CheckOptions {
            today: Some("2026-06-01".into()),
            ..CheckOptions::default()
        };
        let report = check_paths(&[dir.path().to_path_buf()], &options);
        let flagged = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == RULE.name)
            .count();
        assert_eq!(flagged, 7, "{:#?}", report.diagnostics);
        assert!(report.diagnostics.iter().any(|d| d.rule != RULE.name));
        for format in [
            OutputFormat::Human,
            OutputFormat::Json,
            OutputFormat::Sarif,
            OutputFormat::Github,
        ] {
            for color in [false, true] {
                let mut out = Vec::new();
                let opts = RenderOptions { color, width: 100 };
                render(
                    format,
                    &report.diagnostics,
                    &report.summary,
                    &[],
                    &opts,
                    &mut out,
                )
                .unwrap();
                let text = String::from_utf8(out).unwrap();
                for secret in [
                    stripe.as_str(),
                    password,
                    random,
                    &stripe[4..],
                    &random[4..],
                ] {
                    assert!(
                        !text.contains(secret),
                        "{format:?} shows {secret:?}:\n{text}"
                    );
                }
            }
        }
    }

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
        assert_eq!(redacted("abcdefghijklmnop"), "abcd…");
        assert_eq!(redacted("ABC123"), "A…");
    }
}
