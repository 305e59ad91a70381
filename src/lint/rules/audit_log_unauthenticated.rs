//! `audit-log-unauthenticated`: an `audit_log` class with a public route and no bearer secret
//! named for it.

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::rule::{Category, Ctx, Input, Rule};
use crate::model::{Auth, DoClass, DoKind, ProjectKind};

pub static RULE: Rule = Rule {
    name: "audit-log-unauthenticated",
    category: Category::Usage,
    default_severity: Severity::Warning,
    summary: "An audit_log class has a route but its blueprint names no bearer secret for it (or says `auth: none`), so the audit trail is readable by whoever finds the URL or guards it with a secret nobody set",
    docs: DOCS,
    applies_to: Input::BLUEPRINT,
    check,
};

const DOCS: &str = r#"## What it does
Flags an `audit_log` class of a blueprint that has an `instances.route` and either no
`instances.auth` or `auth: none`.

- `auth: none` makes the generated routes `/log`, `/query` and `/export` public: anyone can read
  and export the log and write entries into it. The finding is at `none`.
- No `auth` at all: the generated router still refuses requests without a token, using the
  default secret `<CLASS_NAME>_TOKEN` (`AuditLogger` → `AUDIT_LOGGER_TOKEN`). The finding is at
  `instances` and says which secret that is, because a blueprint that never names it is unlikely
  to set it (`wrangler secret put`), and then every request is refused.

An audit log without a route (written only by the Worker's own code through its binding) is not
flagged.

## Why it matters
An audit trail holds who did what, from which IP: personal data, and the first thing an attacker
wants to read or rewrite. Seed 001's compliance export (`GET /export?format=csv`) is exactly the
endpoint that must not be public. Naming the secret in the blueprint puts it in `secrets:` and in
the generated README, so it is set in every environment.

## Example
```yaml
durable_objects:
  - class_name: AuditLogger
    kind: audit_log
    instances: { route: "/audit/*", key: "audit:{date}", auth: none }
```

## Use instead
```yaml
durable_objects:
  - class_name: AuditLogger
    kind: audit_log
    instances:
      route: "/audit/*"
      key: "audit:{date}"
      auth: { bearer: AUDIT_ADMIN_TOKEN }
secrets: [AUDIT_ADMIN_TOKEN]
```
Then `wrangler secret put AUDIT_ADMIN_TOKEN` (and `--env <name>` for each environment), and
send `Authorization: Bearer <token>`.

## References
- https://developers.cloudflare.com/workers/configuration/secrets/
- https://owasp.org/Top10/A01_2021-Broken_Access_Control/
"#;

fn check(cx: &Ctx) -> Vec<Diagnostic> {
    if cx.project.kind != ProjectKind::Blueprint {
        return Vec::new();
    }
    cx.project
        .classes
        .iter()
        .filter(|c| !c.deleted && c.kind == DoKind::AuditLog && c.instances.route.is_some())
        .filter_map(|c| finding(cx, c))
        .collect()
}

fn finding(cx: &Ctx, class: &DoClass) -> Option<Diagnostic> {
    let name = &class.class_name.value;
    match &class.instances.auth {
        Some(Auth::Bearer(_)) => None,
        Some(Auth::Public(span)) => Some(
            cx.diag(
                *span,
                format!("audit log `{name}` is public (`auth: none`): anyone can read, export and write its entries"),
            )
            .with_help("require a bearer secret: `auth: { bearer: AUDIT_ADMIN_TOKEN }`, and list it in `secrets`"),
        ),
        None => Some(
            cx.diag(
                class.instances.span.unwrap_or(class.class_name.span),
                format!(
                    "audit log `{name}` has a route but no `auth`: the generated router requires the secret `{}`, which the blueprint never names",
                    class.default_secret()
                ),
            )
            .with_help(format!(
                "name the secret: `auth: {{ bearer: {} }}` (or your own name), and list it in `secrets`",
                class.default_secret()
            )),
        ),
    }
}
