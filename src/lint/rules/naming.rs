//! Names suggested from a Durable Object class name in help text: a binding name
//! (`class-unbound`) and a route segment (`class-unreachable`). Both split the class name at the
//! same word boundaries, so they agree on what the words of `SessionStateDO` are.

/// `class` with a `sep` before every uppercase letter that follows a lowercase letter or digit,
/// every letter in one case.
fn join_words(class: &str, sep: char, upper: bool) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in class.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push(sep);
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if upper {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
    }
    out
}

/// `ChatRoom` → `CHAT_ROOM`, the conventional binding name.
pub(super) fn binding_name(class: &str) -> String {
    join_words(class, '_', true)
}

/// `ChatRoom` → `chat-room`, for the suggested route.
pub(super) fn route_segment(class: &str) -> String {
    join_words(class, '-', false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_names() {
        assert_eq!(binding_name("ChatRoom"), "CHAT_ROOM");
        assert_eq!(binding_name("RateLimiter2"), "RATE_LIMITER2");
        assert_eq!(binding_name("DO"), "DO");
    }

    #[test]
    fn route_segments() {
        assert_eq!(route_segment("ChatRoom"), "chat-room");
        assert_eq!(route_segment("SessionStateDO"), "session-state-do");
        assert_eq!(route_segment("Counter"), "counter");
    }
}
