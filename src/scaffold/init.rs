//! `doforge init`: a starter blueprint from a template embedded in the binary
//! (`blueprints/*.yaml` at the repository root).

use crate::source::{self, Format, Limits, SourceFile};

/// One embedded starter blueprint.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub name: &'static str,
    pub summary: &'static str,
    pub text: &'static str,
}

/// Every template, `minimal` first (the default).
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "minimal",
        summary: "one Worker with a counter Durable Object per name",
        text: include_str!("../../blueprints/minimal.yaml"),
    },
    Template {
        name: "chat",
        summary: "chat rooms over hibernating WebSockets, a join rate limit, an R2 bucket",
        text: include_str!("../../blueprints/chat.yaml"),
    },
    Template {
        name: "rate-limiter",
        summary: "an API gateway with a rate limiter per API key and client IP",
        text: include_str!("../../blueprints/rate-limiter.yaml"),
    },
    Template {
        name: "audit-log",
        summary: "an append-only audit log, one object per tenant and UTC day, R2 archive",
        text: include_str!("../../blueprints/audit-log.yaml"),
    },
    Template {
        name: "sessions",
        summary: "session state with hibernating WebSockets, idle expiry and D1",
        text: include_str!("../../blueprints/sessions.yaml"),
    },
];

pub fn template(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// The template's text with `project_name` set to `name`. The new value is written by the YAML
/// serializer into the span of the template's own `project_name` value, so the template's
/// comments and layout stay as they are. `name` must already be a valid project name.
pub fn render(template: &Template, name: &str) -> Result<String, String> {
    let file = SourceFile::new(
        format!("blueprints/{}.yaml", template.name),
        Format::Blueprint,
        template.text.to_owned(),
    );
    let root = source::parse(&file, &Limits::default()).map_err(|e| {
        format!(
            "the embedded template `{}` does not load: {}",
            template.name, e.message
        )
    })?;
    let span = root.get("project_name").map(|n| n.span).ok_or_else(|| {
        format!(
            "the embedded template `{}` has no project_name",
            template.name
        )
    })?;
    let scalar = super::yaml_out::scalar(name)?;
    let mut text = String::with_capacity(template.text.len() + name.len());
    text.push_str(&template.text[..span.start]);
    text.push_str(&scalar);
    text.push_str(&template.text[span.end..]);
    Ok(text)
}

/// The template's own project name (what `--name` replaces).
pub fn default_name(template: &Template) -> String {
    let file = SourceFile::new("template.yaml", Format::Blueprint, template.text.to_owned());
    source::parse(&file, &Limits::default())
        .ok()
        .and_then(|root| {
            root.get("project_name")
                .and_then(|n| n.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "my-app".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_classified, CheckOptions};
    use crate::generate::rust::route_logic::Route;
    use crate::model::{BindingKind, Project};

    fn project_of(template: &str) -> Project {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("blueprints")
            .join(format!("{template}.yaml"));
        let report = check_classified(&[(path, Format::Blueprint)], &CheckOptions::default());
        assert!(!report.summary.failed(), "{template} does not check clean");
        report.files[0].project.clone().unwrap()
    }

    #[test]
    fn the_chat_join_limiter_limits_joins_only() {
        let project = project_of("chat");
        let limiter = project
            .classes
            .iter()
            .find(|c| c.class_name.value == "JoinLimiter")
            .unwrap();
        let route = Route::parse(&limiter.instances.route.as_ref().unwrap().value);
        assert!(route.matches("/room/lobby").is_some(), "the join path");
        assert!(route.matches("/room/lobby/history").is_none());
        assert!(route.matches("/").is_none());
    }

    #[test]
    fn chat_staging_has_its_own_bucket() {
        let project = project_of("chat");
        let bucket = |env: Option<&str>| {
            let env = project.workers[0].env(env).unwrap();
            env.bindings
                .iter()
                .find_map(|b| match &b.kind {
                    BindingKind::R2Bucket { bucket_name, .. } => {
                        bucket_name.as_ref().map(|n| n.value.clone())
                    }
                    _ => None,
                })
                .unwrap()
        };
        assert_eq!(bucket(Some("production")), "chat-app-attachments");
        assert_eq!(bucket(Some("staging")), "chat-app-attachments-staging");
    }

    #[test]
    fn every_template_renders_with_a_new_name() {
        for t in TEMPLATES {
            let text = render(t, "my-app-2").unwrap();
            let file = SourceFile::new("b.yaml", Format::Blueprint, text.clone());
            let root = source::parse(&file, &Limits::default()).unwrap();
            assert_eq!(root.get("project_name").unwrap().as_str(), Some("my-app-2"));
            // Only the name changed.
            let default = default_name(t);
            assert_eq!(text.replacen("my-app-2", &default, 1), t.text, "{}", t.name);
        }
    }
}
