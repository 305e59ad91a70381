//! The list of rules. A hand-kept table is enough at this scale; tests assert that names are
//! unique, kebab-case, documented in every section and covered by passing and failing fixtures.

use super::rule::Rule;
use super::rules;

/// Every rule, in the order `doforge rules` lists them (by category, then name).
pub fn all() -> &'static [&'static Rule] {
    static ALL: std::sync::LazyLock<Vec<&'static Rule>> = std::sync::LazyLock::new(|| {
        let mut v: Vec<&'static Rule> = vec![
            // Structure
            &rules::unknown_field::RULE,
            &rules::unused_suppression::RULE,
            // Environments
            &rules::env_binding_not_inherited::RULE,
            &rules::production_shares_state::RULE,
            // Bindings
            &rules::duplicate_binding::RULE,
            // rules: lifecycle
            &rules::container_requires_sqlite::RULE,
            &rules::deleted_class_still_bound::RULE,
            &rules::do_missing_migration::RULE,
            &rules::env_migrations_override::RULE,
            &rules::external_class_hosted_here::RULE,
            &rules::kv_backed_durable_object::RULE,
            &rules::migration_class_conflict::RULE,
            &rules::migration_history_rewritten::RULE,
            &rules::migration_tag_duplicate::RULE,
            &rules::migrations_and_exports::RULE,
            // rules: bindings
            &rules::placeholder_id::RULE,
            &rules::secret_in_vars::RULE,
            &rules::preview_id_equals_id::RULE,
            &rules::self_script_name::RULE,
            &rules::binding_name_invalid::RULE,
            &rules::class_name_invalid::RULE,
            &rules::r2_bucket_name_invalid::RULE,
            &rules::resource_id_invalid::RULE,
            &rules::worker_name_invalid::RULE,
            // rules: naming-compat
            &rules::both_config_files::RULE,
            &rules::compat_date_invalid::RULE,
            &rules::compat_date_missing::RULE,
            &rules::compat_date_stale::RULE,
            &rules::compat_flag_duplicate::RULE,
            &rules::global_singleton::RULE,
            &rules::websocket_without_hibernation::RULE,
            // rules: usage-graph
            &rules::audit_log_unauthenticated::RULE,
            &rules::class_unbound::RULE,
            &rules::class_unreachable::RULE,
            &rules::dangling_script_name::RULE,
            &rules::queue_multiple_consumers::RULE,
            &rules::queue_without_consumer::RULE,
            &rules::service_binding_cycle::RULE,
        ];
        v.sort_by_key(|r| (r.category, r.name));
        v
    });
    &ALL
}

pub fn find(name: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in all() {
            assert!(seen.insert(r.name), "duplicate rule name {}", r.name);
            assert!(
                r.name.split('-').all(|p| !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "{} is not kebab-case",
                r.name
            );
            assert!(
                !r.summary.is_empty() && !r.summary.ends_with('.'),
                "{}: summary",
                r.name
            );
            for section in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## Use instead",
                "## References",
            ] {
                assert!(r.docs.contains(section), "{} docs lack `{section}`", r.name);
            }
            assert!(!r.applies_to.is_empty(), "{} applies to nothing", r.name);
        }
    }
}
