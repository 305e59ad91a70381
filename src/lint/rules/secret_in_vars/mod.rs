//! `secret-in-vars`: a `vars` entry that holds a secret — by its name (`…_SECRET`, `…_TOKEN`,
//! `API_KEY`, …) or by its value (`sk_live_…`, a JWT, `user:password@` in a URL, a long
//! high-entropy string). Messages never show the value; the value's text is redacted from every
//! output format.

mod names;
mod values;

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{ProjectKind, Sp, Var, VarValue};
use crate::source::Span;

pub(crate) use names::{public_or_id, secret_name, words};
pub(crate) use values::secret_value;
use values::{dev_env, dev_value};

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

    #[test]
    fn redaction_keeps_at_most_four_characters() {
        assert_eq!(redacted("abcdefghijklmnop"), "abcd…");
        assert_eq!(redacted("ABC123"), "A…");
    }
}
