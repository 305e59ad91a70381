//! Chat-room frames and history: plain Rust, unit-tested natively.

use serde::{Deserialize, Serialize};

/// Longest message text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Longest member name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// A chat message, as stored in the history and sent to members (`"type": "message"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "message")]
pub struct ChatMessage {
    pub name: String,
    pub text: String,
    pub ts: u64,
}

/// Stored in each socket's attachment, so it survives hibernation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
}

/// The body of `POST /messages`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostedMessage {
    pub name: String,
    pub text: String,
}

/// Frames the server sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ServerFrame<'a> {
    Welcome {
        name: &'a str,
        members: Vec<String>,
        history: &'a [ChatMessage],
    },
    Join {
        name: &'a str,
        ts: u64,
    },
    Leave {
        name: &'a str,
        ts: u64,
    },
    Pong {
        ts: u64,
    },
    Error {
        error: String,
    },
}

/// Frames a client may send.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ClientFrame {
    Message { text: String },
    Ping,
}

/// Parse a client text frame; the error is sent back as an `error` frame.
pub fn parse_client_frame(text: &str) -> Result<ClientFrame, String> {
    let frame: ClientFrame = serde_json::from_str(text).map_err(|e| {
        format!(r#"expected {{"type": "message", "text": "…"}} or {{"type": "ping"}}: {e}"#)
    })?;
    if let ClientFrame::Message { text } = &frame {
        check_text(text)?;
    }
    Ok(frame)
}

pub fn check_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("empty message".to_owned());
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("message longer than {MAX_TEXT_CHARS} characters"));
    }
    Ok(())
}

/// A member name: given (1 to 64 characters, no control characters) or `guest-<n>`.
pub fn member_name(requested: Option<&str>, guest_number: usize) -> Result<String, String> {
    match requested {
        None | Some("") => Ok(format!("guest-{guest_number}")),
        Some(n) if n.chars().count() > MAX_NAME_CHARS => {
            Err(format!("name longer than {MAX_NAME_CHARS} characters"))
        }
        Some(n) if n.chars().any(char::is_control) => {
            Err("name contains control characters".to_owned())
        }
        Some(n) => Ok(n.to_owned()),
    }
}

/// Append `message`, keeping only the last `limit` messages.
pub fn push_history(history: &mut Vec<ChatMessage>, message: ChatMessage, limit: usize) {
    history.push(message);
    if history.len() > limit {
        let excess = history.len() - limit;
        history.drain(..excess);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(i: u64) -> ChatMessage {
        ChatMessage {
            name: "a".into(),
            text: format!("m{i}"),
            ts: i,
        }
    }

    #[test]
    fn history_keeps_the_last_n() {
        let mut h = Vec::new();
        for i in 0..5 {
            push_history(&mut h, msg(i), 3);
        }
        assert_eq!(h, [msg(2), msg(3), msg(4)]);
        let mut none = Vec::new();
        push_history(&mut none, msg(1), 0);
        assert!(none.is_empty());
    }

    #[test]
    fn client_frames() {
        assert_eq!(
            parse_client_frame(r#"{"type":"message","text":"hi, \"you\""}"#),
            Ok(ClientFrame::Message {
                text: "hi, \"you\"".into()
            })
        );
        assert_eq!(
            parse_client_frame(r#"{"type":"ping"}"#),
            Ok(ClientFrame::Ping)
        );
        assert!(parse_client_frame("hello").is_err());
        assert!(parse_client_frame(r#"{"type":"message","text":"  "}"#).is_err());
        assert!(parse_client_frame(r#"{"type":"shout","text":"x"}"#).is_err());
        let long = format!(r#"{{"type":"message","text":"{}"}}"#, "x".repeat(4097));
        assert!(parse_client_frame(&long).is_err());
    }

    #[test]
    fn server_frames_serialize_with_their_type() {
        let h = [msg(1)];
        let welcome = ServerFrame::Welcome {
            name: "bo",
            members: vec!["bo".into()],
            history: &h,
        };
        assert_eq!(
            serde_json::to_string(&welcome).unwrap(),
            r#"{"type":"welcome","name":"bo","members":["bo"],"history":[{"type":"message","name":"a","text":"m1","ts":1}]}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerFrame::Leave { name: "bo", ts: 9 }).unwrap(),
            r#"{"type":"leave","name":"bo","ts":9}"#
        );
    }

    #[test]
    fn member_names() {
        assert_eq!(member_name(None, 3).unwrap(), "guest-3");
        assert_eq!(member_name(Some("Zoë"), 1).unwrap(), "Zoë");
        assert!(member_name(Some("a\nb"), 1).is_err());
        assert!(member_name(Some(&"x".repeat(65)), 1).is_err());
    }
}
