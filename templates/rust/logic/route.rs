//! Route matching and instance-key derivation: plain Rust (no `worker` types), so `cargo test`
//! covers it natively. Patterns and key templates come from the blueprint's `instances`.

/// A parsed `instances.route` pattern: literal segments, `:param` captures, a last `:param?`
/// that may be absent, optional trailing `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    segments: Vec<Segment>,
    rest: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    /// `:name?`: captures a segment when the path has one more (`/sessions/:id?/*` takes both
    /// `/sessions` and `/sessions/abc/websocket`).
    Optional(String),
}

/// A successful match: the captures, and the path the trailing `*` took (`/` when nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    pub params: Vec<(String, String)>,
    pub rest: String,
}

impl Route {
    pub fn parse(pattern: &str) -> Route {
        let mut segments: Vec<Segment> = Vec::new();
        let mut rest = false;
        let parts: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
        for (i, part) in parts.iter().enumerate() {
            if *part == "*" && i + 1 == parts.len() {
                rest = true;
            } else if let Some(name) = part.strip_prefix(':') {
                segments.push(match name.strip_suffix('?') {
                    Some(optional) => Segment::Optional(optional.to_owned()),
                    None => Segment::Param(name.to_owned()),
                });
            } else {
                segments.push(Segment::Literal((*part).to_owned()));
            }
        }
        Route { segments, rest }
    }

    /// Match a request path (as sent: percent-encoded). Segments are decoded before comparing and
    /// capturing; the rest keeps its encoding because it is forwarded as a path.
    pub fn matches(&self, path: &str) -> Option<RouteMatch> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut params = Vec::new();
        let mut taken = 0;
        for segment in &self.segments {
            let Some(raw) = parts.get(taken) else {
                match segment {
                    Segment::Optional(_) => continue,
                    _ => return None,
                }
            };
            taken += 1;
            let decoded = percent_decode(raw);
            match segment {
                Segment::Literal(l) if *l == decoded => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) | Segment::Optional(name) => {
                    params.push((name.clone(), decoded))
                }
            }
        }
        if !self.rest && parts.len() > taken {
            return None;
        }
        let tail = &parts[taken..];
        let rest = format!("/{}", tail.join("/"));
        Some(RouteMatch { params, rest })
    }

    /// The names of the `:param` captures, in order.
    pub fn param_names(&self) -> Vec<&str> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param(n) | Segment::Optional(n) => Some(n.as_str()),
                Segment::Literal(_) => None,
            })
            .collect()
    }
}

/// One piece of an `instances.key` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPart {
    Text(String),
    Param(String),
    Header(String),
    Query(String),
    /// `{body:field}`: a string field of the JSON request body.
    Body(String),
    Date,
    /// `{a|b}`: the first of the alternatives the request has.
    Any(Vec<KeyPart>),
}

/// Parse a key template: text with `{param}`, `{header:Name}`, `{query:name}`, `{body:field}`
/// and `{date}`, or alternatives `{a|b}` (the first one present).
pub fn parse_key(template: &str) -> Result<Vec<KeyPart>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c == '}' {
            return Err(format!("unbalanced `}}` in key template {template:?}"));
        }
        if c != '{' {
            text.push(c);
            continue;
        }
        let mut inner = String::new();
        loop {
            match chars.next() {
                Some('}') => break,
                Some('{') | None => {
                    return Err(format!("unclosed `{{` in key template {template:?}"))
                }
                Some(c) => inner.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(KeyPart::Text(std::mem::take(&mut text)));
        }
        let mut alternatives = Vec::new();
        for alternative in inner.split('|') {
            alternatives.push(if alternative == "date" {
                KeyPart::Date
            } else if let Some(h) = alternative.strip_prefix("header:") {
                KeyPart::Header(h.to_owned())
            } else if let Some(q) = alternative.strip_prefix("query:") {
                KeyPart::Query(q.to_owned())
            } else if let Some(f) = alternative.strip_prefix("body:") {
                KeyPart::Body(f.to_owned())
            } else if alternative.is_empty() {
                return Err(format!("empty `{{}}` or `|` in key template {template:?}"));
            } else {
                KeyPart::Param(alternative.to_owned())
            });
        }
        parts.push(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            KeyPart::Any(alternatives)
        });
    }
    if !text.is_empty() {
        parts.push(KeyPart::Text(text));
    }
    Ok(parts)
}

/// What a key template may read from a request.
pub struct KeyInputs<'a> {
    pub params: &'a [(String, String)],
    /// Header lookup (case-insensitive, as HTTP headers are).
    pub header: &'a dyn Fn(&str) -> Option<String>,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// The JSON request body, when the template reads it (see [`reads_body`]).
    pub body: Option<&'a serde_json::Value>,
    pub now_ms: u64,
}

/// Whether a key template has a `{body:…}` part (the router then reads the body first).
pub fn reads_body(parts: &[KeyPart]) -> bool {
    parts.iter().any(|p| match p {
        KeyPart::Body(_) => true,
        KeyPart::Any(alternatives) => reads_body(alternatives),
        _ => false,
    })
}

/// The `{param}` names a template uses (alternatives included).
pub fn param_names(parts: &[KeyPart]) -> Vec<&str> {
    let mut names = Vec::new();
    for part in parts {
        match part {
            KeyPart::Param(name) => names.push(name.as_str()),
            KeyPart::Any(alternatives) => names.extend(param_names(alternatives)),
            _ => {}
        }
    }
    names
}

/// The instance name for a request: the key template filled in, or — without a template — the
/// route captures joined with `:` (`singleton` when there are none). A missing or empty part is
/// an error meant for a 400 answer.
pub fn derive_key(template: Option<&[KeyPart]>, inputs: &KeyInputs<'_>) -> Result<String, String> {
    let Some(parts) = template else {
        if inputs.params.is_empty() {
            return Ok("singleton".to_owned());
        }
        let values: Vec<&str> = inputs.params.iter().map(|(_, v)| v.as_str()).collect();
        return bounded_key(values.join(":"));
    };
    let mut key = String::new();
    for part in parts {
        key.push_str(&key_part(part, inputs)?);
    }
    bounded_key(key)
}

fn bounded_key(key: String) -> Result<String, String> {
    if key.len() > MAX_KEY_BYTES {
        return Err(format!(
            "the instance name is longer than {MAX_KEY_BYTES} bytes"
        ));
    }
    Ok(key)
}

/// Longest instance name the router derives (path segments and headers are bounded with it).
pub const MAX_KEY_BYTES: usize = 512;

/// `{date}`: the request's `?date=YYYY-MM-DD` (so any kept day of a day-sharded object stays
/// addressable), today in UTC without one.
pub fn requested_date(query: &[(String, String)], now_ms: u64) -> Result<String, String> {
    match query.iter().find(|(n, _)| n == "date") {
        None => Ok(utc_date(now_ms)),
        Some((_, v)) => match day_start_ms(v) {
            Some(_) => Ok(v.clone()),
            None => Err(format!("date must be a day as YYYY-MM-DD, not {v:?}")),
        },
    }
}

/// Epoch ms of 00:00 UTC of a `YYYY-MM-DD` day (1970 to 9999), `None` when it is not a real day.
pub fn day_start_ms(date: &str) -> Option<u64> {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = &date[r];
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if year < 1970 || !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if day > days_in_month[(month - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days).ok().map(|d| d * 86_400_000)
}

/// ISO 8601 (`2021-10-18T12:00:00.000Z`) of epoch milliseconds, as JavaScript's `toISOString`.
pub fn iso8601(ms: u64) -> String {
    let rem = ms % 86_400_000;
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        utc_date(ms),
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

fn key_part(part: &KeyPart, inputs: &KeyInputs<'_>) -> Result<String, String> {
    match part {
        KeyPart::Text(t) => Ok(t.clone()),
        KeyPart::Param(name) => match inputs.params.iter().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(format!("missing route parameter {name}")),
        },
        KeyPart::Header(name) => (inputs.header)(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("missing header {name}")),
        KeyPart::Query(name) => inputs
            .query
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("missing query parameter {name}")),
        KeyPart::Body(field) => inputs
            .body
            .and_then(|b| b.get(field))
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| format!("missing string field {field:?} in the JSON body")),
        KeyPart::Date => requested_date(inputs.query, inputs.now_ms),
        KeyPart::Any(alternatives) => {
            let mut errors = Vec::new();
            for alternative in alternatives {
                match key_part(alternative, inputs) {
                    Ok(v) => return Ok(v),
                    Err(e) => errors.push(e),
                }
            }
            Err(errors.join(", and "))
        }
    }
}

/// `YYYY-MM-DD` (UTC) of epoch milliseconds.
pub fn utc_date(now_ms: u64) -> String {
    let days = (now_ms / 86_400_000) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Decode `%XX` escapes (invalid escapes stay as written; invalid UTF-8 is replaced).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_headers(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn routes_capture_params_and_rest() {
        let r = Route::parse("/room/:room/*");
        let m = r.matches("/room/lobby/websocket").unwrap();
        assert_eq!(m.params, [("room".to_owned(), "lobby".to_owned())]);
        assert_eq!(m.rest, "/websocket");
        assert_eq!(r.matches("/room/lobby").unwrap().rest, "/");
        assert_eq!(r.matches("/room/lobby/").unwrap().rest, "/");
        assert_eq!(r.matches("/room/a/b/c").unwrap().rest, "/b/c");
        assert!(r.matches("/room").is_none());
        assert!(r.matches("/rooms/lobby").is_none());

        let exact = Route::parse("/exports/:id");
        assert!(exact.matches("/exports/7").is_some());
        assert!(exact.matches("/exports/7/more").is_none());
        assert_eq!(exact.param_names(), ["id"]);

        let all = Route::parse("/api/*");
        assert_eq!(all.matches("/api").unwrap().rest, "/");
        assert_eq!(all.matches("/api/x/y").unwrap().rest, "/x/y");
        assert!(all.matches("/apix").is_none());
    }

    #[test]
    fn segments_are_percent_decoded() {
        let r = Route::parse("/räume/:room");
        let m = r.matches("/r%C3%A4ume/caf%C3%A9%20noir").unwrap();
        assert_eq!(m.params[0].1, "café noir");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%4"), "%4");
    }

    #[test]
    fn keys_from_params_headers_query_and_date() {
        let parts = parse_key("{service}:{header:CF-Connecting-IP}:{query:v}:{date}").unwrap();
        let params = vec![("service".to_owned(), "wix".to_owned())];
        let header =
            |n: &str| (n.eq_ignore_ascii_case("cf-connecting-ip")).then(|| "1.2.3.4".to_owned());
        let query = vec![("v".to_owned(), "2".to_owned())];
        let inputs = KeyInputs {
            params: &params,
            header: &header,
            query: &query,
            body: None,
            now_ms: 1_700_000_000_000,
        };
        assert_eq!(
            derive_key(Some(&parts), &inputs).unwrap(),
            "wix:1.2.3.4:2:2023-11-14"
        );

        let missing = KeyInputs {
            params: &params,
            header: &no_headers,
            query: &[],
            body: None,
            now_ms: 0,
        };
        assert_eq!(
            derive_key(Some(&parts), &missing).unwrap_err(),
            "missing header CF-Connecting-IP"
        );
        let q = parse_key("{query:room}").unwrap();
        assert_eq!(
            derive_key(Some(&q), &missing).unwrap_err(),
            "missing query parameter room"
        );
        assert_eq!(derive_key(None, &missing).unwrap(), "wix");
        let none = KeyInputs {
            params: &[],
            header: &no_headers,
            query: &[],
            body: None,
            now_ms: 0,
        };
        assert_eq!(derive_key(None, &none).unwrap(), "singleton");
        assert_eq!(
            derive_key(Some(&parse_key("global").unwrap()), &none).unwrap(),
            "global"
        );
    }

    #[test]
    fn optional_params_and_body_keys() {
        let r = Route::parse("/api/v1/sessions/:id?/*");
        assert_eq!(r.param_names(), ["id"]);
        let create = r.matches("/api/v1/sessions").unwrap();
        assert!(create.params.is_empty());
        assert_eq!(create.rest, "/");
        let one = r.matches("/api/v1/sessions/abc/websocket").unwrap();
        assert_eq!(one.params, [("id".to_owned(), "abc".to_owned())]);
        assert_eq!(one.rest, "/websocket");
        assert!(r.matches("/api/v1").is_none());
        assert!(Route::parse("/s/:id?").matches("/s/a/b").is_none());

        let key = parse_key("session:{id|body:sessionId}").unwrap();
        assert!(reads_body(&key));
        assert_eq!(param_names(&key), ["id"]);
        let body = serde_json::json!({ "sessionId": "test-session-123", "n": 1 });
        let from_body = KeyInputs {
            params: &[],
            header: &no_headers,
            query: &[],
            body: Some(&body),
            now_ms: 0,
        };
        assert_eq!(
            derive_key(Some(&key), &from_body).unwrap(),
            "session:test-session-123"
        );
        let params = vec![("id".to_owned(), "abc".to_owned())];
        let from_path = KeyInputs {
            params: &params,
            ..from_body
        };
        assert_eq!(derive_key(Some(&key), &from_path).unwrap(), "session:abc");
        let neither = KeyInputs {
            params: &[],
            body: None,
            ..from_body
        };
        assert_eq!(
            derive_key(Some(&key), &neither).unwrap_err(),
            "missing route parameter id, and missing string field \"sessionId\" in the JSON body"
        );
        let number = parse_key("{body:n}").unwrap();
        assert!(derive_key(Some(&number), &from_body).is_err());
        assert!(!reads_body(&parse_key("{id}").unwrap()));
        assert!(parse_key("{a|}").is_err());
    }

    #[test]
    fn bad_templates_are_errors() {
        assert!(parse_key("{open").is_err());
        assert!(parse_key("close}").is_err());
        assert!(parse_key("{}").is_err());
    }

    #[test]
    fn requested_days_and_iso_dates() {
        let q = |v: &str| vec![("date".to_owned(), v.to_owned())];
        assert_eq!(
            requested_date(&[], 1_700_000_000_000).unwrap(),
            "2023-11-14"
        );
        assert_eq!(requested_date(&q("2024-02-29"), 0).unwrap(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "x",
            "",
            "1969-12-31",
            "２０２４-01-01",
        ] {
            assert!(requested_date(&q(bad), 0).is_err(), "{bad:?} accepted");
        }
        assert_eq!(day_start_ms("1970-01-01"), Some(0));
        assert_eq!(day_start_ms("2024-02-29"), Some(1_709_164_800_000));
        for ms in [0, 951_782_400_000, 1_709_251_199_999, 1_735_689_600_000] {
            let day = utc_date(ms);
            let start = day_start_ms(&day).unwrap();
            assert!(start <= ms && ms < start + 86_400_000, "{day} {ms}");
        }
        assert_eq!(iso8601(1_634_567_890_123), "2021-10-18T14:38:10.123Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        let long = "k".repeat(MAX_KEY_BYTES + 1);
        let params = vec![("a".to_owned(), long)];
        let inputs = KeyInputs {
            params: &params,
            header: &no_headers,
            query: &[],
            body: None,
            now_ms: 0,
        };
        assert!(derive_key(None, &inputs).is_err());
        assert!(derive_key(Some(&parse_key("{a}").unwrap()), &inputs).is_err());
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400_000), "2000-02-29");
        assert_eq!(utc_date(1_709_251_199_999), "2024-02-29");
        assert_eq!(utc_date(1_735_689_600_000), "2025-01-01");
    }
}
