//! The audit log's contract (seed 001 §2): entries, their bounds, queries with a cursor, paged
//! export (JSON and CSV), retention. Plain Rust, unit-tested natively.
//!
//! One object normally holds one UTC day (the router's `{date}` key). `?date=YYYY-MM-DD` on
//! query and export selects a day; an entry's `timestamp` must fall on the day it is logged to.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::route::{day_start_ms, iso8601, utc_date};

/// Default and maximum number of entries one query returns (more: follow `nextCursor`).
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;
/// Rows an export reads per page (what it holds in memory at once).
pub const EXPORT_PAGE: u32 = 256;
/// Bounds of one entry.
pub const MAX_NAME_CHARS: usize = 128;
pub const MAX_USER_CHARS: usize = 256;
pub const MAX_IP_CHARS: usize = 64;
pub const MAX_DETAILS_BYTES: usize = 16 * 1024;
/// Largest integer a JavaScript client reads exactly.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;
const DAY_MS: i64 = 86_400_000;

/// The table (created on the first `POST /log`; reads of a log never written find none and
/// answer empty, writing nothing).
pub const SCHEMA_SQL: &str = "CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    type TEXT NOT NULL,
    action TEXT NOT NULL,
    user_id TEXT,
    ip TEXT,
    details TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_ts ON audit_log (ts, seq);";
/// Whether the table exists (`SELECT … FROM sqlite_master`, no write).
pub const TABLE_EXISTS_SQL: &str =
    "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'";
pub const INSERT_SQL: &str = "INSERT INTO audit_log (ts, type, action, user_id, ip, details) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq";
pub const DELETE_EXPIRED_SQL: &str = "DELETE FROM audit_log WHERE ts < ?";
pub const OLDEST_SQL: &str = "SELECT MIN(ts) AS oldest FROM audit_log";

/// An entry as the seed prints it (and as the typed client reads it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub timestamp: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub action: String,
    #[serde(rename = "userId")]
    pub user_id: Option<String>,
    pub ip: Option<String>,
    pub details: Value,
}

/// The id of the entry with row `seq` logged at `ts`: the UTC day and the row, so ids are
/// unique across the day-sharded objects (each day's rows count from 1).
pub fn entry_id(ts: i64, seq: i64) -> String {
    let day = utc_date(u64::try_from(ts).unwrap_or(0)).replace('-', "");
    format!("{day}-{seq:06}")
}

/// The body of `POST /log`: `{type, action, userId?, ip?, details?}` (seed 001), plus an
/// optional `timestamp` (to import entries of a past day: it must fall on the log's day).
/// Also what the typed client sends (`Serialize`), so the two cannot drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub action: String,
    #[serde(default, rename = "userId", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
}

impl NewEntry {
    /// An entry of `kind` (`type`) and `action`, nothing else set: complete it with struct
    /// update syntax, `NewEntry { ip: Some(ip), ..NewEntry::new("api_request", "api_call") }`.
    pub fn new(kind: impl Into<String>, action: impl Into<String>) -> NewEntry {
        NewEntry {
            kind: kind.into(),
            action: action.into(),
            user_id: None,
            ip: None,
            details: None,
            timestamp: None,
        }
    }
}

fn bounded(name: &str, value: &str, max: usize, required: bool) -> Result<(), String> {
    if required && value.trim().is_empty() {
        return Err(format!("`{name}` must not be empty"));
    }
    if value.chars().count() > max {
        return Err(format!("`{name}` is longer than {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("`{name}` must not contain control characters"));
    }
    Ok(())
}

/// The UTC day `[start, end)` in epoch ms that `date` (or, without one, `now_ms`) names.
pub fn day_bounds(date: Option<&str>, now_ms: i64) -> Result<(i64, i64), String> {
    let start = match date {
        Some(d) => day_start_ms(d).ok_or_else(|| format!("date must be YYYY-MM-DD, not {d:?}"))?,
        None => day_start_ms(&utc_date(u64::try_from(now_ms).unwrap_or(0))).unwrap_or(0),
    } as i64;
    Ok((start, start + DAY_MS))
}

impl NewEntry {
    /// Check the bounds; the timestamp (now when absent) must lie in `day` and not after `now`.
    /// Returns the timestamp and the `details` JSON text.
    pub fn validate(&self, day: (i64, i64), now_ms: i64) -> Result<(i64, Option<String>), String> {
        bounded("type", &self.kind, MAX_NAME_CHARS, true)?;
        bounded("action", &self.action, MAX_NAME_CHARS, true)?;
        if let Some(u) = &self.user_id {
            bounded("userId", u, MAX_USER_CHARS, false)?;
        }
        if let Some(ip) = &self.ip {
            bounded("ip", ip, MAX_IP_CHARS, false)?;
        }
        let details = match &self.details {
            None | Some(Value::Null) => None,
            Some(d) => {
                check_safe_numbers(d)?;
                let text = d.to_string();
                if text.len() > MAX_DETAILS_BYTES {
                    return Err(format!(
                        "`details` is larger than {MAX_DETAILS_BYTES} bytes"
                    ));
                }
                Some(text)
            }
        };
        let ts = self.timestamp.unwrap_or(now_ms);
        if !(0..=MAX_SAFE_INTEGER).contains(&ts) {
            return Err("`timestamp` must be epoch milliseconds".to_owned());
        }
        if ts > now_ms {
            return Err("`timestamp` is in the future".to_owned());
        }
        if ts < day.0 || ts >= day.1 {
            return Err(format!(
                "`timestamp` {} is not on this log's day ({}); add ?date= for that day",
                iso8601(ts as u64),
                utc_date(day.0 as u64)
            ));
        }
        Ok((ts, details))
    }
}

/// Numbers a JavaScript reader would round are refused, not stored.
pub fn check_safe_numbers(v: &Value) -> Result<(), String> {
    match v {
        Value::Number(n) => {
            let safe = if let Some(i) = n.as_i64() {
                i.unsigned_abs() <= MAX_SAFE_INTEGER as u64
            } else {
                n.as_u64().is_none() // a float is fine; a u64 above i64::MAX is not
            };
            if safe {
                Ok(())
            } else {
                Err(format!(
                    "the number {n} is outside JavaScript's safe integer range"
                ))
            }
        }
        Value::Array(items) => items.iter().try_for_each(check_safe_numbers),
        Value::Object(map) => map.values().try_for_each(check_safe_numbers),
        _ => Ok(()),
    }
}

/// The body of `POST /query`: `{startTime?, endTime?, type?, limit?}` (seed 001), plus `cursor`
/// (the previous answer's `nextCursor`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    #[serde(default, rename = "startTime", skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(default, rename = "endTime", skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Where a page starts: after the row `(ts, seq)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub ts: i64,
    pub seq: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.ts, self.seq)
    }
    pub fn decode(s: &str) -> Result<Cursor, String> {
        let bad = || format!("cursor {s:?} is not one this log gave out");
        let (ts, seq) = s.split_once('.').ok_or_else(bad)?;
        Ok(Cursor {
            ts: ts.parse().map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

/// A SQL parameter, independent of the storage API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Int(i64),
    Text(String),
}

/// A validated selection: time range (`start` inclusive, `end` exclusive), type, page start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub kind: Option<String>,
    pub after: Option<Cursor>,
}

impl Query {
    /// The selection, intersected with `day` when the request named one, and the page size.
    pub fn selection(&self, day: Option<(i64, i64)>) -> Result<(Selection, u32), String> {
        for (name, v) in [("startTime", self.start_time), ("endTime", self.end_time)] {
            if v.is_some_and(|t| !(0..=MAX_SAFE_INTEGER).contains(&t)) {
                return Err(format!("`{name}` must be epoch milliseconds"));
            }
        }
        if let Some(k) = &self.kind {
            bounded("type", k, MAX_NAME_CHARS, false)?;
        }
        let mut sel = Selection {
            start: self.start_time,
            end: self.end_time,
            kind: self.kind.clone(),
            after: self.cursor.as_deref().map(Cursor::decode).transpose()?,
        };
        if let Some((from, to)) = day {
            sel.start = Some(sel.start.map_or(from, |s| s.max(from)));
            sel.end = Some(sel.end.map_or(to, |e| e.min(to)));
        }
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 {
            return Err("`limit` must be at least 1".to_owned());
        }
        Ok((sel, limit.min(MAX_LIMIT)))
    }
}

impl Selection {
    /// `SELECT` of at most `rows` rows of this selection, oldest first.
    pub fn to_sql(&self, rows: u32) -> (String, Vec<Param>) {
        let mut sql =
            "SELECT seq, ts, type, action, user_id, ip, details FROM audit_log".to_owned();
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        if let Some(start) = self.start {
            conditions.push("ts >= ?");
            params.push(Param::Int(start));
        }
        if let Some(end) = self.end {
            conditions.push("ts < ?");
            params.push(Param::Int(end));
        }
        if let Some(kind) = &self.kind {
            conditions.push("type = ?");
            params.push(Param::Text(kind.clone()));
        }
        if let Some(c) = self.after {
            conditions.push("(ts > ? OR (ts = ? AND seq > ?))");
            params.extend([Param::Int(c.ts), Param::Int(c.ts), Param::Int(c.seq)]);
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(" ORDER BY ts, seq LIMIT ?");
        params.push(Param::Int(i64::from(rows)));
        (sql, params)
    }
}

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

/// A row as SQLite returns it (`details` is JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Row {
    pub seq: i64,
    pub ts: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub action: String,
    pub user_id: Option<String>,
    pub ip: Option<String>,
    pub details: Option<String>,
}

impl Row {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            ts: self.ts,
            seq: self.seq,
        }
    }
    /// The entry; `details` that is not JSON is kept as a string.
    pub fn into_entry(self) -> Entry {
        Entry {
            id: entry_id(self.ts, self.seq),
            timestamp: self.ts,
            kind: self.kind,
            action: self.action,
            user_id: self.user_id,
            ip: self.ip,
            details: self.details.map_or(Value::Null, |d| {
                serde_json::from_str(&d).unwrap_or(Value::String(d))
            }),
        }
    }
}

/// `RETURNING seq` of an insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Inserted {
    pub seq: i64,
}

/// `SELECT MIN(ts) AS oldest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Oldest {
    pub oldest: Option<i64>,
}

/// `SELECT COUNT(*) AS n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Count {
    pub n: i64,
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

/// An export written page by page: [`Export::head`], then [`Export::page`] for each page of
/// rows, then [`Export::tail`]. JSON is `{"entries": [...], "count": n}`; CSV has the seed's
/// header line.
#[derive(Debug)]
pub struct Export {
    pub format: Format,
    pub count: u64,
}

pub const CSV_HEADER: &str = "id,timestamp,type,action,userId,ip,details\r\n";

impl Export {
    pub fn new(format: Format) -> Export {
        Export { format, count: 0 }
    }
    pub fn head(&self) -> String {
        match self.format {
            Format::Json => "{\"entries\":[".to_owned(),
            Format::Csv => CSV_HEADER.to_owned(),
        }
    }
    pub fn page(&mut self, rows: Vec<Row>) -> String {
        let mut out = String::new();
        for row in rows {
            let entry = row.into_entry();
            match self.format {
                Format::Json => {
                    if self.count > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(&entry).unwrap_or_default());
                }
                Format::Csv => out.push_str(&csv_line(&entry)),
            }
            self.count += 1;
        }
        out
    }
    pub fn tail(&self) -> String {
        match self.format {
            Format::Json => format!("],\"count\":{}}}", self.count),
            Format::Csv => String::new(),
        }
    }
}

/// One CSV line (RFC 4180), the timestamp as ISO 8601, `details` as JSON text.
pub fn csv_line(e: &Entry) -> String {
    let details = if e.details.is_null() {
        String::new()
    } else {
        e.details.to_string()
    };
    let fields = [
        csv_field(&e.id),
        iso8601(u64::try_from(e.timestamp).unwrap_or(0)),
        csv_field(&e.kind),
        csv_field(&e.action),
        csv_field(e.user_id.as_deref().unwrap_or("")),
        csv_field(e.ip.as_deref().unwrap_or("")),
        csv_field(&details),
    ];
    format!("{}\r\n", fields.join(","))
}

/// A field safe for spreadsheets and RFC 4180: a cell starting with `=`, `+`, `-`, `@`, tab or
/// CR (a formula to Excel and LibreOffice) gets a leading `'`; a field with a comma, quote, CR
/// or LF is quoted, quotes doubled.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_634_567_890_000; // 2021-10-18T14:38:10Z
    const DAY: (i64, i64) = (1_634_515_200_000, 1_634_601_600_000);

    fn seed_entry() -> NewEntry {
        serde_json::from_str(
            r#"{"type":"wix_request","action":"api_call","userId":"user-123","ip":"1.2.3.4",
                "details":{"path":"/api/wix/content","method":"POST"}}"#,
        )
        .unwrap()
    }

    fn row(seq: i64, ts: i64) -> Row {
        Row {
            seq,
            ts,
            kind: "wix_request".into(),
            action: "api_call".into(),
            user_id: Some("user-123".into()),
            ip: None,
            details: Some(r#"{"a":1}"#.into()),
        }
    }

    #[test]
    fn the_seed_body_is_accepted_and_bounded() {
        assert_eq!(day_bounds(None, NOW).unwrap(), DAY);
        assert_eq!(day_bounds(Some("2021-10-18"), 0).unwrap(), DAY);
        assert!(day_bounds(Some("2021-10-32"), 0).is_err());
        let (ts, details) = seed_entry().validate(DAY, NOW).unwrap();
        assert_eq!(ts, NOW);
        assert_eq!(
            details.as_deref(),
            Some(r#"{"method":"POST","path":"/api/wix/content"}"#)
        );
        let mut e = seed_entry();
        e.action = "a".repeat(MAX_NAME_CHARS + 1);
        assert!(e.validate(DAY, NOW).is_err());
        let mut e = seed_entry();
        e.details = Some(serde_json::json!({ "big": "x".repeat(MAX_DETAILS_BYTES) }));
        assert!(e.validate(DAY, NOW).is_err());
        let mut e = seed_entry();
        e.details = Some(serde_json::json!({ "n": 9_007_199_254_740_992_i64 }));
        assert!(e.validate(DAY, NOW).unwrap_err().contains("safe integer"));
        let mut e = seed_entry();
        e.details = Some(serde_json::json!({ "n": [-9_007_199_254_740_991_i64, 1.5] }));
        assert!(e.validate(DAY, NOW).is_ok());
        assert!(
            serde_json::from_str::<NewEntry>(r#"{"type":"x"}"#).is_err(),
            "action is required"
        );
        assert!(
            serde_json::from_str::<NewEntry>(r#"{"type":"x","action":"y","actor":"z"}"#).is_err()
        );
    }

    #[test]
    fn timestamps_must_fall_on_the_logs_day() {
        let mut e = seed_entry();
        e.timestamp = Some(DAY.0 - 1);
        assert!(e.validate(DAY, NOW).unwrap_err().contains("?date="));
        e.timestamp = Some(NOW + 1);
        assert!(e.validate(DAY, NOW).unwrap_err().contains("future"));
        let yesterday = (DAY.0 - 86_400_000, DAY.0);
        e.timestamp = Some(DAY.0 - 1000);
        assert_eq!(e.validate(yesterday, NOW).unwrap().0, DAY.0 - 1000);
    }

    #[test]
    fn ids_are_unique_across_days() {
        assert_eq!(entry_id(NOW, 1), "20211018-000001");
        assert_ne!(entry_id(NOW, 1), entry_id(NOW + 86_400_000, 1));
        assert_eq!(entry_id(NOW, 1_234_567), "20211018-1234567");
    }

    #[test]
    fn queries_select_a_day_and_page_with_a_cursor() {
        let q: Query = serde_json::from_str(
            r#"{"startTime":1634567890000,"endTime":1634654290000,"type":"wix_request","limit":100}"#,
        )
        .unwrap();
        let (sel, limit) = q.selection(Some(DAY)).unwrap();
        assert_eq!(limit, 100);
        assert_eq!((sel.start, sel.end), (Some(1_634_567_890_000), Some(DAY.1)));
        let (sql, params) = sel.to_sql(limit + 1);
        assert_eq!(
            sql,
            "SELECT seq, ts, type, action, user_id, ip, details FROM audit_log WHERE ts >= ? AND ts < ? AND type = ? ORDER BY ts, seq LIMIT ?"
        );
        assert_eq!(params.last(), Some(&Param::Int(101)));
        let c = Cursor { ts: 5, seq: 7 };
        assert_eq!(Cursor::decode(&c.encode()), Ok(c));
        assert!(Cursor::decode("garbage").is_err());
        let paged = Query {
            cursor: Some(c.encode()),
            limit: Some(5000),
            ..Query::default()
        };
        let (sel, limit) = paged.selection(None).unwrap();
        assert_eq!(limit, MAX_LIMIT);
        let (sql, params) = sel.to_sql(limit);
        assert!(sql.contains("(ts > ? OR (ts = ? AND seq > ?))"), "{sql}");
        assert_eq!(params.len(), 4);
        assert!(Query {
            limit: Some(0),
            ..Query::default()
        }
        .selection(None)
        .is_err());
        assert!(Query {
            start_time: Some(-1),
            ..Query::default()
        }
        .selection(None)
        .is_err());
        assert!(serde_json::from_str::<Query>(r#"{"from":1}"#).is_err());
    }

    #[test]
    fn json_export_is_the_seeds_shape_page_by_page() {
        let mut x = Export::new(Format::Json);
        let mut text = x.head();
        text.push_str(&x.page(vec![row(1, NOW), row(2, NOW + 1)]));
        text.push_str(&x.page(vec![]));
        text.push_str(&x.page(vec![row(3, NOW + 2)]));
        text.push_str(&x.tail());
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["count"], 3);
        assert_eq!(v["entries"].as_array().unwrap().len(), 3);
        assert_eq!(
            v["entries"][0],
            serde_json::json!({"id": "20211018-000001", "timestamp": NOW, "type": "wix_request",
                "action": "api_call", "userId": "user-123", "ip": null, "details": {"a": 1}})
        );
        let mut empty = Export::new(Format::Json);
        let text = format!("{}{}", empty.head(), empty.tail());
        assert_eq!(text, r#"{"entries":[],"count":0}"#);
        let _ = empty.page(vec![]);
    }

    #[test]
    fn csv_has_the_seed_header_iso_times_and_no_formulas() {
        let mut x = Export::new(Format::Csv);
        let mut r = row(1, 1_634_558_400_000);
        r.kind = "=HYPERLINK(\"http://evil\")".into();
        r.action = "a,b".into();
        r.user_id = Some("@admin".into());
        r.ip = Some("-1+1".into());
        r.details = Some(r#"{"note":"line1\nline2"}"#.into());
        let csv = format!("{}{}", x.head(), x.page(vec![r]));
        assert_eq!(
            csv,
            "id,timestamp,type,action,userId,ip,details\r\n\
             20211018-000001,2021-10-18T12:00:00.000Z,\"'=HYPERLINK(\"\"http://evil\"\")\",\"a,b\",'@admin,'-1+1,\"{\"\"note\"\":\"\"line1\\nline2\"\"}\"\r\n"
        );
        assert_eq!(csv_field("+cmd"), "'+cmd");
        assert_eq!(csv_field("x\ny"), "\"x\ny\"");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(x.tail(), "");
    }

    #[test]
    fn retention_expires_exactly_the_old_entries() {
        let r = Retention { ms: 1000 };
        assert!(r.is_expired(8_999, 10_000));
        assert!(
            !r.is_expired(9_000, 10_000),
            "an entry exactly `retention` old is kept"
        );
        assert_eq!(r.cutoff(10_000), 9_000);
        assert_eq!(r.next_alarm(Some(9_000)), Some(10_000));
        assert_eq!(r.next_alarm(None), None);
    }

    #[test]
    fn rows_keep_non_json_details_as_text() {
        let mut r = row(1, NOW);
        r.details = Some("not json".into());
        assert_eq!(r.into_entry().details, Value::String("not json".into()));
        let mut r = row(1, NOW);
        r.details = None;
        assert_eq!(r.into_entry().details, Value::Null);
    }
}
