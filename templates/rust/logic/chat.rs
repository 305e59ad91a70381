//! Chat-room frames, message ids, history paging and per-socket limits: plain Rust, unit-tested
//! natively. The wire format is seed 002's ChatRoom (`history`, `join`, `leave`, `message`).

use serde::{Deserialize, Serialize};

/// Longest member name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// The name of a member who gives none (seed 002: `name || 'Anonymous'`).
pub const DEFAULT_NAME: &str = "Anonymous";
/// Storage key prefix of the messages: one key per message, `message:<timestamp>`.
pub const MESSAGE_PREFIX: &str = "message:";
/// At most this many bytes of messages go into one `history` frame or `/history` answer, so a
/// replay stays far below the 1 MiB WebSocket message limit whatever `history` says.
pub const REPLAY_BYTES: usize = 512 * 1024;
/// Messages read from storage per page while building a replay.
pub const PAGE: usize = 32;

/// A chat message, as stored and as listed by `/history` and the `history` frame
/// (seed 002's `Message`: `{id, name, text, timestamp}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: String,
    pub name: String,
    pub text: String,
    pub timestamp: u64,
}

impl ChatMessage {
    /// A message stamped with `timestamp` (from [`Clock::next`]); its id is its storage key.
    pub fn new(name: String, text: String, timestamp: u64) -> ChatMessage {
        ChatMessage {
            id: message_key(timestamp),
            name,
            text,
            timestamp,
        }
    }
}

/// The storage key (and id) of the message stamped `timestamp`. Epoch milliseconds have 13
/// digits from 2001 to 2286, so keys sort like their timestamps.
pub fn message_key(timestamp: u64) -> String {
    format!("{MESSAGE_PREFIX}{timestamp}")
}

/// The room's persisted bookkeeping: how many messages are stored and the last timestamp given
/// out (seed 002's `lastTimestamp`, kept in storage so it survives hibernation and eviction).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub last: u64,
    pub stored: u64,
}

impl Clock {
    /// Seed 002's `nextTimestamp`: now, or one more than the last one, whichever is later —
    /// strictly increasing even when two messages arrive in the same millisecond.
    pub fn next(&mut self, now_ms: u64) -> u64 {
        self.last = now_ms.max(self.last.saturating_add(1));
        self.last
    }

    /// Count one stored message and say how many of the oldest must go to keep `limit`.
    pub fn store_one(&mut self, limit: u64) -> u64 {
        self.stored += 1;
        let excess = self.stored.saturating_sub(limit);
        self.stored -= excess;
        excess
    }
}

/// Stored in each socket's attachment, so it survives hibernation: the member's name and its
/// message budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    #[serde(default)]
    pub window_start: u64,
    #[serde(default)]
    pub sent: u64,
}

/// How many messages one socket may send per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRate {
    pub messages: u64,
    pub window_ms: u64,
}

impl MessageRate {
    /// Count one message of `member` at `now_ms` (fixed windows starting at the first message):
    /// `Ok` when allowed, else the whole seconds (≥ 1) until the next one is.
    pub fn admit(&self, member: &mut Member, now_ms: u64) -> Result<(), u64> {
        if now_ms.saturating_sub(member.window_start) >= self.window_ms {
            member.window_start = now_ms;
            member.sent = 0;
        }
        if member.sent >= self.messages {
            let wait = (member.window_start + self.window_ms).saturating_sub(now_ms);
            return Err(wait.div_ceil(1000).max(1));
        }
        member.sent += 1;
        Ok(())
    }
}

/// Frames the server sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ServerFrame<'a> {
    /// To the joining socket first: the last messages, oldest first.
    History {
        messages: &'a [ChatMessage],
    },
    Join {
        name: &'a str,
        timestamp: u64,
    },
    Leave {
        name: &'a str,
        timestamp: u64,
    },
    /// Seed 002's `{ type: 'message', ...message }`.
    Message(&'a ChatMessage),
    Pong {
        timestamp: u64,
    },
    Error {
        error: String,
        #[serde(rename = "retryAfter", skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
}

impl ServerFrame<'_> {
    pub fn error(error: impl Into<String>) -> ServerFrame<'static> {
        ServerFrame::Error {
            error: error.into(),
            retry_after: None,
        }
    }
}

/// Frames a client may send.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ClientFrame {
    Message { text: String },
    Ping,
}

/// Parse a client text frame of at most `max_bytes`; the error is sent back as an `error` frame.
pub fn parse_client_frame(text: &str, max_bytes: usize) -> Result<ClientFrame, String> {
    if text.len() > max_bytes {
        return Err(format!(
            "frame of {} bytes refused: at most {max_bytes} bytes",
            text.len()
        ));
    }
    let frame: ClientFrame = serde_json::from_str(text).map_err(|e| {
        format!(r#"expected {{"type": "message", "text": "…"}} or {{"type": "ping"}}: {e}"#)
    })?;
    if let ClientFrame::Message { text } = &frame {
        if text.trim().is_empty() {
            return Err("empty message".to_owned());
        }
    }
    Ok(frame)
}

/// A member name from `?name=`: 1 to 64 characters without control characters, or
/// [`DEFAULT_NAME`] when absent or empty.
pub fn member_name(requested: Option<&str>) -> Result<String, String> {
    match requested {
        None | Some("") => Ok(DEFAULT_NAME.to_owned()),
        Some(n) if n.chars().count() > MAX_NAME_CHARS => {
            Err(format!("name longer than {MAX_NAME_CHARS} characters"))
        }
        Some(n) if n.chars().any(char::is_control) => {
            Err("name contains control characters".to_owned())
        }
        Some(n) => Ok(n.to_owned()),
    }
}

/// Collects the newest messages (fed newest first, page by page) until `limit` messages or
/// [`REPLAY_BYTES`] of them: what a replay holds in memory is bounded whatever is stored.
#[derive(Debug)]
pub struct Replay {
    limit: usize,
    bytes: usize,
    /// Newest first.
    pub messages: Vec<ChatMessage>,
    done: bool,
}

impl Replay {
    pub fn new(limit: usize) -> Replay {
        Replay {
            limit,
            bytes: 0,
            messages: Vec::new(),
            done: limit == 0,
        }
    }

    /// Whether another page is wanted.
    pub fn wants_more(&self) -> bool {
        !self.done
    }

    /// Add the next-older stored message (its JSON text); `false` once full. A stored value
    /// that does not parse is skipped (and reported by the caller).
    pub fn push(&mut self, json: &str) -> Result<bool, String> {
        if self.done {
            return Ok(false);
        }
        if self.bytes + json.len() > REPLAY_BYTES {
            self.done = true;
            return Ok(false);
        }
        let message: ChatMessage =
            serde_json::from_str(json).map_err(|e| format!("stored message unreadable: {e}"))?;
        self.bytes += json.len();
        self.messages.push(message);
        if self.messages.len() >= self.limit {
            self.done = true;
        }
        Ok(!self.done)
    }

    /// A page came back shorter than asked: nothing older is stored.
    pub fn exhausted(&mut self) {
        self.done = true;
    }

    pub fn newest_first(self) -> Vec<ChatMessage> {
        self.messages
    }

    pub fn oldest_first(mut self) -> Vec<ChatMessage> {
        self.messages.reverse();
        self.messages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(ts: u64) -> ChatMessage {
        ChatMessage::new("a".into(), format!("m{ts}"), ts)
    }

    fn json(m: &ChatMessage) -> String {
        serde_json::to_string(m).unwrap()
    }

    #[test]
    fn timestamps_strictly_increase() {
        let mut clock = Clock::default();
        assert_eq!(clock.next(1_000), 1_000);
        assert_eq!(clock.next(1_000), 1_001, "same millisecond");
        assert_eq!(clock.next(999), 1_002, "clock went back");
        assert_eq!(clock.next(5_000), 5_000);
        assert_eq!(message_key(5_000), "message:5000");
        assert!(message_key(1_700_000_000_000) < message_key(1_700_000_000_001));
    }

    #[test]
    fn history_keeps_the_last_n() {
        let mut clock = Clock::default();
        let excess: Vec<u64> = (0..5).map(|_| clock.store_one(3)).collect();
        assert_eq!(excess, [0, 0, 0, 1, 1]);
        assert_eq!(clock.stored, 3);
        // A lowered limit drops the surplus at the next message.
        assert_eq!(clock.store_one(1), 3);
        assert_eq!(clock.stored, 1);
        let mut none = Clock::default();
        assert_eq!(none.store_one(0), 1);
        assert_eq!(none.stored, 0);
    }

    #[test]
    fn replay_is_bounded_by_count_and_bytes() {
        let mut r = Replay::new(2);
        assert!(r.push(&json(&msg(3))).unwrap());
        assert!(!r.push(&json(&msg(2))).unwrap());
        assert!(!r.wants_more());
        assert_eq!(r.oldest_first(), [msg(2), msg(3)]);

        let big = ChatMessage::new("a".into(), "x".repeat(200 * 1024), 9);
        let mut r = Replay::new(100);
        assert!(r.push(&json(&big)).unwrap());
        assert!(r.push(&json(&big)).unwrap());
        assert!(!r.push(&json(&big)).unwrap(), "a third one exceeds 512 KiB");
        assert_eq!(r.newest_first().len(), 2);

        assert!(!Replay::new(0).wants_more());
        assert!(Replay::new(5).push("{").is_err());
    }

    #[test]
    fn client_frames() {
        assert_eq!(
            parse_client_frame(r#"{"type":"message","text":"hi, \"you\""}"#, 4096),
            Ok(ClientFrame::Message {
                text: "hi, \"you\"".into()
            })
        );
        assert_eq!(
            parse_client_frame(r#"{"type":"ping"}"#, 4096),
            Ok(ClientFrame::Ping)
        );
        assert!(parse_client_frame("hello", 4096).is_err());
        assert!(parse_client_frame(r#"{"type":"message","text":"  "}"#, 4096).is_err());
        assert!(parse_client_frame(r#"{"type":"shout","text":"x"}"#, 4096).is_err());
        let long = format!(r#"{{"type":"message","text":"{}"}}"#, "x".repeat(4097));
        let err = parse_client_frame(&long, 4096).unwrap_err();
        assert!(err.contains("at most 4096 bytes"), "{err}");
        // Bytes, not characters: 2,000 two-byte characters are 4,000 bytes.
        let wide = format!(r#"{{"type":"message","text":"{}"}}"#, "ü".repeat(2_100));
        assert!(parse_client_frame(&wide, 4096).is_err());
    }

    #[test]
    fn server_frames_have_the_seed_shapes() {
        let m = ChatMessage::new("bo".into(), "hi".into(), 7);
        assert_eq!(
            serde_json::to_string(&ServerFrame::Message(&m)).unwrap(),
            r#"{"type":"message","id":"message:7","name":"bo","text":"hi","timestamp":7}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerFrame::History {
                messages: std::slice::from_ref(&m)
            })
            .unwrap(),
            r#"{"type":"history","messages":[{"id":"message:7","name":"bo","text":"hi","timestamp":7}]}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerFrame::Join {
                name: "bo",
                timestamp: 9
            })
            .unwrap(),
            r#"{"type":"join","name":"bo","timestamp":9}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerFrame::Leave {
                name: "bo",
                timestamp: 9
            })
            .unwrap(),
            r#"{"type":"leave","name":"bo","timestamp":9}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerFrame::Error {
                error: "slow down".into(),
                retry_after: Some(3)
            })
            .unwrap(),
            r#"{"type":"error","error":"slow down","retryAfter":3}"#
        );
    }

    #[test]
    fn message_rate_per_socket() {
        let rate = MessageRate {
            messages: 2,
            window_ms: 10_000,
        };
        let mut m = Member {
            name: "a".into(),
            window_start: 1_000,
            sent: 0,
        };
        assert_eq!(rate.admit(&mut m, 1_000), Ok(()));
        assert_eq!(rate.admit(&mut m, 1_500), Ok(()));
        assert_eq!(rate.admit(&mut m, 2_000), Err(9), "9 s left of the window");
        assert_eq!(rate.admit(&mut m, 10_999), Err(1));
        assert_eq!(rate.admit(&mut m, 11_000), Ok(()), "a new window");
    }

    #[test]
    fn member_names() {
        assert_eq!(member_name(None).unwrap(), "Anonymous");
        assert_eq!(member_name(Some("")).unwrap(), "Anonymous");
        assert_eq!(member_name(Some("Zoë")).unwrap(), "Zoë");
        assert!(member_name(Some("a\nb")).is_err());
        assert!(member_name(Some(&"x".repeat(65))).is_err());
    }
}
