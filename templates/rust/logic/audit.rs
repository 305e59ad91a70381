//! Audit-log entries, queries, retention and CSV export: plain Rust, unit-tested natively.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Default and maximum number of entries a query returns.
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;
/// Most entries one export returns.
pub const MAX_EXPORT: u32 = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    pub ts: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: Option<String>,
    pub data: Option<Value>,
}

/// The body of `POST /log`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub ts: Option<i64>,
}

impl NewEntry {
    pub fn validate(&self) -> Result<(), String> {
        if self.kind.trim().is_empty() {
            return Err("`type` must not be empty".to_owned());
        }
        if self.ts.is_some_and(|t| t < 0) {
            return Err("`ts` must be epoch milliseconds".to_owned());
        }
        Ok(())
    }
}

/// The body of `POST /query` (and the query string of `GET /export`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    #[serde(default)]
    pub from: Option<i64>,
    #[serde(default)]
    pub to: Option<i64>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A SQL parameter, independent of the storage API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Int(i64),
    Text(String),
}

impl Query {
    /// `SELECT` for this query: `from` inclusive, `to` exclusive, oldest first, at most
    /// `max` rows.
    pub fn to_sql(&self, max: u32) -> (String, Vec<Param>) {
        let mut sql = "SELECT id, ts, type, actor, data FROM audit_entries".to_owned();
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        if let Some(from) = self.from {
            conditions.push("ts >= ?");
            params.push(Param::Int(from));
        }
        if let Some(to) = self.to {
            conditions.push("ts < ?");
            params.push(Param::Int(to));
        }
        if let Some(kind) = &self.kind {
            conditions.push("type = ?");
            params.push(Param::Text(kind.clone()));
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(" ORDER BY ts, id LIMIT ?");
        params.push(Param::Int(i64::from(self.limit(max))));
        (sql, params)
    }

    /// The requested limit (default [`DEFAULT_LIMIT`]) within `1..=max`.
    pub fn limit(&self, max: u32) -> u32 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, max)
    }
}

/// `DELETE` of every expired entry.
pub const DELETE_EXPIRED_SQL: &str = "DELETE FROM audit_entries WHERE ts < ?";

/// How long entries are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub ms: i64,
}

impl Retention {
    /// Entries with `ts` before this are expired (the parameter of [`DELETE_EXPIRED_SQL`]).
    pub fn cutoff(&self, now_ms: i64) -> i64 {
        now_ms.saturating_sub(self.ms)
    }
    pub fn is_expired(&self, ts: i64, now_ms: i64) -> bool {
        ts < self.cutoff(now_ms)
    }
    /// When the alarm must run next: when the oldest remaining entry expires.
    pub fn next_alarm(&self, oldest_ts: Option<i64>) -> Option<i64> {
        oldest_ts.map(|t| t.saturating_add(self.ms))
    }
}

/// A row as SQLite returns it (`data` is JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Row {
    pub id: i64,
    pub ts: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: Option<String>,
    pub data: Option<String>,
}

impl Row {
    /// The entry; `data` that is not JSON (written by hand) is kept as a string.
    pub fn into_entry(self) -> Entry {
        Entry {
            id: self.id,
            ts: self.ts,
            kind: self.kind,
            actor: self.actor,
            data: self
                .data
                .map(|d| serde_json::from_str(&d).unwrap_or(Value::String(d))),
        }
    }
}

/// `RETURNING id` of an insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Inserted {
    pub id: i64,
}

/// `SELECT MIN(ts) AS oldest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Oldest {
    pub oldest: Option<i64>,
}

/// Export format of `GET /export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    pub fn parse(s: Option<&str>) -> Result<Format, String> {
        match s {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some(other) => Err(format!("format must be json or csv, not {other:?}")),
        }
    }
}

/// RFC 4180 CSV with a header line; `data` is its JSON text.
pub fn to_csv(entries: &[Entry]) -> String {
    let mut out = String::from("id,ts,type,actor,data\r\n");
    for e in entries {
        let data = e.data.as_ref().map(Value::to_string).unwrap_or_default();
        let fields = [
            e.id.to_string(),
            e.ts.to_string(),
            csv_field(&e.kind),
            csv_field(e.actor.as_deref().unwrap_or("")),
            csv_field(&data),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A field quoted when it holds a comma, quote, CR or LF; quotes doubled.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, ts: i64) -> Entry {
        Entry {
            id,
            ts,
            kind: "login".into(),
            actor: None,
            data: None,
        }
    }

    #[test]
    fn csv_escapes_commas_quotes_and_newlines() {
        let mut e = entry(1, 5);
        e.kind = "a,b".into();
        e.actor = Some("say \"hi\"".into());
        e.data = Some(serde_json::json!({"note": "line1\nline2"}));
        let csv = to_csv(&[e, entry(2, 6)]);
        assert_eq!(
            csv,
            "id,ts,type,actor,data\r\n\
             1,5,\"a,b\",\"say \"\"hi\"\"\",\"{\"\"note\"\":\"\"line1\\nline2\"\"}\"\r\n\
             2,6,login,,\r\n"
        );
        assert_eq!(csv_field("x\ny"), "\"x\ny\"");
        assert_eq!(csv_field("x\ry"), "\"x\ry\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn retention_expires_exactly_the_old_entries() {
        let r = Retention { ms: 1000 };
        let now = 10_000;
        let entries: Vec<Entry> = [8_999, 9_000, 9_001, 10_000]
            .iter()
            .enumerate()
            .map(|(i, &ts)| entry(i as i64, ts))
            .collect();
        let expired: Vec<i64> = entries
            .iter()
            .filter(|e| r.is_expired(e.ts, now))
            .map(|e| e.ts)
            .collect();
        assert_eq!(expired, [8_999], "an entry exactly `retention` old is kept");
        assert_eq!(r.cutoff(now), 9_000);
        assert_eq!(r.next_alarm(Some(9_000)), Some(10_000));
        assert_eq!(r.next_alarm(None), None);
    }

    #[test]
    fn queries_become_parameterised_sql() {
        let (sql, params) = Query::default().to_sql(MAX_LIMIT);
        assert_eq!(
            sql,
            "SELECT id, ts, type, actor, data FROM audit_entries ORDER BY ts, id LIMIT ?"
        );
        assert_eq!(params, [Param::Int(100)]);
        let q = Query {
            from: Some(1),
            to: Some(2),
            kind: Some("x'; DROP TABLE audit_entries; --".into()),
            limit: Some(5000),
        };
        let (sql, params) = q.to_sql(MAX_LIMIT);
        assert_eq!(
            sql,
            "SELECT id, ts, type, actor, data FROM audit_entries WHERE ts >= ? AND ts < ? AND type = ? ORDER BY ts, id LIMIT ?"
        );
        assert_eq!(params.len(), 4);
        assert_eq!(params[3], Param::Int(1000), "limit clamped");
    }

    #[test]
    fn rows_become_entries() {
        let row = |data: Option<&str>| Row {
            id: 1,
            ts: 2,
            kind: "k".into(),
            actor: None,
            data: data.map(str::to_owned),
        };
        assert_eq!(
            row(Some(r#"{"a":1}"#)).into_entry().data,
            Some(serde_json::json!({"a": 1}))
        );
        assert_eq!(
            row(Some("not json")).into_entry().data,
            Some(Value::String("not json".into()))
        );
        assert_eq!(row(None).into_entry().data, None);
    }

    #[test]
    fn formats_and_new_entries() {
        assert_eq!(Format::parse(Some("csv")), Ok(Format::Csv));
        assert_eq!(Format::parse(None), Ok(Format::Json));
        assert!(Format::parse(Some("xml")).is_err());
        let e: NewEntry = serde_json::from_str(r#"{"type":"login","actor":"u1"}"#).unwrap();
        assert!(e.validate().is_ok());
        assert!(serde_json::from_str::<NewEntry>(r#"{"actor":"u1"}"#).is_err());
        let blank: NewEntry = serde_json::from_str(r#"{"type":" "}"#).unwrap();
        assert!(blank.validate().is_err());
    }
}
