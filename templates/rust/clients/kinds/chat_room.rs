//! The `chat_room` contract (seed 002's ChatRoom), as Worker code calls it: the stored
//! `history` (newest first) and the `members` online. Messages are the object's own serde type.
//! (Joining is a WebSocket: forward the client's upgrade request with `object().fetch`.)

use serde::Deserialize;
use worker::Method;

use crate::clients::transport::{Call, ClientError, Object};
pub use crate::logic::chat::ChatMessage;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Members {
    pub members: Vec<String>,
}

/// One chat-room instance.
pub struct ChatRoomClient {
    object: Object,
}

impl ChatRoomClient {
    pub fn new(object: Object) -> ChatRoomClient {
        ChatRoomClient { object }
    }

    pub fn object(&self) -> &Object {
        &self.object
    }

    /// The stored messages, newest first (`GET /history`; at most the class's `history`).
    pub async fn history(&self) -> Result<Vec<ChatMessage>, ClientError> {
        self.object
            .call(Call::new(Method::Get, "/history", &[]), &[200])
            .await
    }

    /// The names of the members connected now (`GET /members`).
    pub async fn members(&self) -> Result<Vec<String>, ClientError> {
        let members: Members = self
            .object
            .call(Call::new(Method::Get, "/members", &[]), &[200])
            .await?;
        Ok(members.members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::transport::decode;

    #[test]
    fn history_reads_seed_002_messages() {
        let history: Vec<ChatMessage> = decode(
            200,
            &[200],
            r#"[{"id":"message:2","name":"Alice","text":"hi","timestamp":2}]"#,
        )
        .unwrap();
        assert_eq!(history[0], ChatMessage::new("Alice".into(), "hi".into(), 2));
        let m: Members = decode(200, &[200], r#"{"members":["Alice"]}"#).unwrap();
        assert_eq!(m.members, ["Alice"]);
    }
}
