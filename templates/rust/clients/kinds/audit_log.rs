//! The `audit_log` contract (seed 001 §2), as Worker code calls it: `log` an entry (also in the
//! background, under `ctx.wait_until`, so it never delays the answer), `query` a day's entries
//! a page at a time. Bodies and entries are the object's own serde types.

use serde::Deserialize;
use worker::{Context, Method};

use crate::clients::transport::{Call, ClientError, Object};
pub use crate::logic::audit::{Entry, NewEntry, Query};

/// The answer of `POST /log`: the entry's id (unique across days).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Logged {
    pub success: bool,
    pub id: String,
}

/// One page of `POST /query`: the entries (oldest first), their count and, when more match,
/// the cursor of the next page (`Query { cursor: page.next_cursor, .. }`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub entries: Vec<Entry>,
    pub count: u64,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// One audit-log instance (normally one UTC day), optionally for one day (`?date=`).
pub struct AuditLogClient {
    object: Object,
    date: Option<String>,
}

impl AuditLogClient {
    pub fn new(object: Object) -> AuditLogClient {
        AuditLogClient { object, date: None }
    }

    /// Every call names `date` (`YYYY-MM-DD`, `?date=`): a past day's entries, an entry
    /// imported into that day (its `timestamp` must fall on it).
    pub fn on_day(mut self, date: &str) -> AuditLogClient {
        self.date = Some(date.to_owned());
        self
    }

    pub fn object(&self) -> &Object {
        &self.object
    }

    /// Log `entry` (`POST /log`); the object checks its bounds (400 with the reason).
    pub async fn log(&self, entry: &NewEntry) -> Result<Logged, ClientError> {
        self.object
            .call(log_call(entry, self.date.as_deref())?, &[200])
            .await
    }

    /// Log `entry` without delaying the response: the call runs under `ctx.wait_until` (seed
    /// 001's `ctx.waitUntil(logAudit(env, …))`) and a failure is logged with `console_error!`.
    pub fn log_in_background(self, ctx: &Context, entry: NewEntry) {
        ctx.wait_until(async move {
            if let Err(e) = self.log(&entry).await {
                worker::console_error!(
                    "audit log {} {:?}: entry {:?}/{:?} not logged: {e}",
                    self.object.binding(),
                    self.object.name(),
                    entry.kind,
                    entry.action
                );
            }
        });
    }

    /// One page of entries (`POST /query`).
    pub async fn query(&self, query: &Query) -> Result<Page, ClientError> {
        self.object
            .call(query_call(query, self.date.as_deref())?, &[200])
            .await
    }
}

fn day_query(date: Option<&str>) -> Vec<(&str, &str)> {
    date.map(|d| ("date", d)).into_iter().collect()
}

/// `POST /log[?date=…]` with the entry.
pub fn log_call(entry: &NewEntry, date: Option<&str>) -> Result<Call, ClientError> {
    Call::new(Method::Post, "/log", &day_query(date)).json(entry)
}

/// `POST /query[?date=…]` with the query.
pub fn query_call(query: &Query, date: Option<&str>) -> Result<Call, ClientError> {
    Call::new(Method::Post, "/query", &day_query(date)).json(query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::transport::decode;
    use serde_json::json;

    #[test]
    fn entries_and_queries_speak_seed_001() {
        let entry = NewEntry {
            user_id: Some("user-123".into()),
            ip: Some("1.2.3.4".into()),
            details: Some(json!({"path": "/api/wix/content", "method": "POST"})),
            ..NewEntry::new("wix_request", "api_call")
        };
        let body = serde_json::to_string(&entry).unwrap();
        assert_eq!(
            body,
            r#"{"type":"wix_request","action":"api_call","userId":"user-123","ip":"1.2.3.4","details":{"method":"POST","path":"/api/wix/content"}}"#
        );
        // The object's own parser takes it back unchanged (it refuses unknown fields).
        assert_eq!(serde_json::from_str::<NewEntry>(&body).unwrap(), entry);
        let bare = serde_json::to_string(&NewEntry::new("t", "a")).unwrap();
        assert_eq!(bare, r#"{"type":"t","action":"a"}"#);
        let query = Query {
            kind: Some("wix_request".into()),
            limit: Some(10),
            ..Query::default()
        };
        let text = serde_json::to_string(&query).unwrap();
        assert_eq!(text, r#"{"type":"wix_request","limit":10}"#);
        assert_eq!(serde_json::from_str::<Query>(&text).unwrap(), query);

        assert_eq!(
            log_call(&entry, Some("2021-10-17")).unwrap().url,
            "https://durable-object.internal/log?date=2021-10-17"
        );
        assert_eq!(
            query_call(&query, None).unwrap().url,
            "https://durable-object.internal/query"
        );

        let logged: Logged =
            decode(200, &[200], r#"{"success":true,"id":"20211018-000001"}"#).unwrap();
        assert_eq!(logged.id, "20211018-000001");
        let page: Page = decode(
            200,
            &[200],
            r#"{"count":1,"entries":[{"id":"20211018-000001","timestamp":1634567890000,"type":"wix_request","action":"api_call","userId":null,"ip":"1.2.3.4","details":{"a":1}}],"nextCursor":"c"}"#,
        )
        .unwrap();
        assert_eq!(page.entries[0].kind, "wix_request");
        assert_eq!(page.entries[0].user_id, None);
        assert_eq!(page.next_cursor.as_deref(), Some("c"));
        let empty: Page = decode(200, &[200], r#"{"entries":[],"count":0}"#).unwrap();
        assert_eq!(empty.next_cursor, None);
    }
}
