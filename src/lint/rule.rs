//! What a lint rule is: metadata that never changes meaning (its name is public and stable), docs
//! in fixed sections, and a check over the resolved model.

use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::model::Project;
use crate::source::{Format, Node, SourceFile, Span};

use super::settings::RuleOptions;
use super::workspace::Workspace;

/// Groups rules in `doforge rules` and the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Durable Object lifecycle: migrations and exports.
    Lifecycle,
    /// Environment resolution.
    Environments,
    /// Bindings, ids and variables.
    Bindings,
    /// Names that become code or scripts.
    Naming,
    /// Compatibility date and flags.
    Compatibility,
    /// How Durable Objects are used (instances, WebSockets, queues, services).
    Usage,
    /// Keys and files wrangler does not expect.
    Structure,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Lifecycle => "lifecycle",
            Category::Environments => "environments",
            Category::Bindings => "bindings",
            Category::Naming => "naming",
            Category::Compatibility => "compatibility",
            Category::Usage => "usage",
            Category::Structure => "structure",
        }
    }
}

/// Input formats a rule applies to (each needs a passing and a failing fixture).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Blueprint,
    WranglerToml,
    WranglerJsonc,
}

impl Input {
    pub const ALL: &'static [Input] =
        &[Input::Blueprint, Input::WranglerToml, Input::WranglerJsonc];
    pub const WRANGLER: &'static [Input] = &[Input::WranglerToml, Input::WranglerJsonc];
    pub const BLUEPRINT: &'static [Input] = &[Input::Blueprint];

    pub fn matches(self, format: Format) -> bool {
        matches!(
            (self, format),
            (Input::Blueprint, Format::Blueprint)
                | (Input::WranglerToml, Format::WranglerToml)
                | (Input::WranglerJsonc, Format::WranglerJson)
        )
    }
    /// Fixture file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Input::Blueprint => "yaml",
            Input::WranglerToml => "toml",
            Input::WranglerJsonc => "jsonc",
        }
    }
}

/// One lint rule. Rules are plain statics, listed in `registry.rs`.
pub struct Rule {
    /// Kebab-case name of the bad pattern; public and stable forever.
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// Markdown with the sections `## What it does`, `## Why it matters`, `## Example`,
    /// `## Use instead` and `## References`.
    pub docs: &'static str,
    pub applies_to: &'static [Input],
    /// Find every occurrence in one project; the engine applies severity settings and
    /// suppressions afterwards. A finding is reported at `default_severity` unless the rule sets
    /// its `severity` to another level (a weaker form of the problem); settings then shift it by
    /// as many levels as they shift the default (see `lint::configured_severity`).
    pub check: fn(&Ctx) -> Vec<Diagnostic>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("name", &self.name).finish()
    }
}

/// What a rule sees while checking one project.
pub struct Ctx<'a> {
    pub project: &'a Project,
    /// The loaded tree of the project's file (for rules about keys as written).
    pub root: &'a Node,
    /// Every project checked in this run (cross-file rules).
    pub workspace: &'a Workspace<'a>,
    /// This rule's options from settings (`lint.options.<rule>` / `[lint.options.<rule>]`).
    pub options: &'a RuleOptions,
    /// Today's date as `YYYY-MM-DD` (UTC), injectable for reproducible tests.
    pub today: &'a str,
    /// The rule being run.
    pub rule: &'static Rule,
}

impl<'a> Ctx<'a> {
    pub fn file(&self) -> &'a Arc<SourceFile> {
        &self.project.file
    }

    /// A finding of this rule at `span` of the project's file.
    pub fn diag(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(
            self.rule.name,
            self.rule.default_severity,
            message,
            Label::new(self.file(), span),
        )
    }

    /// A related place in the project's file.
    pub fn label(&self, span: Span, message: impl Into<String>) -> Label {
        Label::new(self.file(), span).with_message(message)
    }
}
