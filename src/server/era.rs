//! Which era a request belongs to: the handshake era (2025-11-25 and before) or 2026-07-28.
//!
//! Implements MCP 2026-07-28 `basic/versioning` §Backward Compatibility for a server that serves
//! both: the `MCP-Protocol-Version` header decides, before anything else looks at the request (and
//! in particular before any session is looked up, since the modern era has none). The official
//! Python SDK routes the same way, which is what real clients are tested against.
//!
//! Left out: routing by the body (`initialize` vs `_meta`): the header is cheaper, needs no parse,
//! and every client of either era that our server supports sends it after its first request.
//!
//! # The rule
//! | `MCP-Protocol-Version` | era | why |
//! |---|---|---|
//! | absent | legacy | clients before 2025-06-18 sent none; an `initialize` sends none either |
//! | 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05 | legacy | the handshake revisions |
//! | anything else | modern | 2026-07-28 itself, or a version the modern path refuses with -32022 |

use crate::server::request::RequestHead;
use crate::wire::LEGACY_ERA_VERSIONS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2025-11-25 and before: `initialize`, sessions, the GET stream, resumable streams.
    Legacy,
    /// 2026-07-28: stateless; every request carries its version and capabilities.
    Modern,
}

impl Era {
    /// The era of a request, from its first `MCP-Protocol-Version` header. (Two different values
    /// are refused later, by the path the first one chose, as they always were.)
    pub fn of(head: &RequestHead) -> Era {
        match head.header("mcp-protocol-version") {
            None => Era::Legacy,
            Some(v) if LEGACY_ERA_VERSIONS.contains(&v) => Era::Legacy,
            Some(_) => Era::Modern,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_version(v: Option<&str>) -> RequestHead {
        RequestHead {
            headers: v
                .map(|v| ("MCP-Protocol-Version".to_string(), v.to_string()))
                .into_iter()
                .collect(),
            ..RequestHead::default()
        }
    }

    #[test]
    fn no_header_or_a_handshake_revision_is_legacy_and_anything_else_modern() {
        assert_eq!(Era::of(&with_version(None)), Era::Legacy);
        for v in LEGACY_ERA_VERSIONS {
            assert_eq!(Era::of(&with_version(Some(v))), Era::Legacy, "{v}");
        }
        for v in ["2026-07-28", "2099-01-01", "garbage", ""] {
            assert_eq!(Era::of(&with_version(Some(v))), Era::Modern, "{v:?}");
        }
    }
}
