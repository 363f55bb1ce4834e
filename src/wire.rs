//! The protocol's names and numbers, in one place.
//!
//! Implements nothing by itself: it pins the spec revisions we speak (MCP 2025-11-25, negotiating
//! down to 2025-06-18 and 2025-03-26), the header names and media types of the Streamable HTTP
//! transport (2025-11-25 `basic/transports`), and the limits our server enforces.
//!
//! # Why one file?
//! Now that revision 2026-07-28 (stateless) is served beside them, what changes between revisions is
//! easy to find: it is here, not spread as string literals over ten files.

/// The revision we implement and answer with when the client asks for one we do not know.
pub const LATEST_PROTOCOL_VERSION: &str = "2025-11-25";

/// Every revision we can speak, newest first.
pub const SUPPORTED_PROTOCOL_VERSIONS: [&str; 3] = ["2025-11-25", "2025-06-18", "2025-03-26"];

/// The one path of the MCP endpoint.
pub const MCP_PATH: &str = "/mcp";

/// The path the server's own watchdog knocks on to see that its listener still answers (a 404,
/// like any path but `MCP_PATH`); the request log leaves those knocks out. Its random part is
/// made once per process, so that a client cannot send a request the log would take for a knock
/// (if the OS random source fails, the part is zeros: the log may then miss a client's 404).
pub fn knock_path() -> &'static str {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let mut bytes = [0u8; 16];
        let _ = getrandom::fill(&mut bytes);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("/knock-{hex}")
    })
}

// Header names. HTTP header names are case-insensitive; these are the spellings we send.
pub const HEADER_SESSION_ID: &str = "Mcp-Session-Id";
pub const HEADER_PROTOCOL_VERSION: &str = "MCP-Protocol-Version";
pub const HEADER_LAST_EVENT_ID: &str = "Last-Event-ID";

// Media types.
pub const MIME_JSON: &str = "application/json";
pub const MIME_SSE: &str = "text/event-stream";
pub const MIME_NDJSON: &str = "application/x-ndjson";

/// JSON-RPC code for transport-level refusals that JSON-RPC has no code for. The range
/// -32000..-32099 is "reserved for implementation-defined server errors"; the TypeScript SDK uses
/// -32000 the same way, and -32001 for "session not found". Both ends read them: the server
/// sends them, the client recognises them.
pub const TRANSPORT_ERROR: i64 = -32000;
pub const SESSION_NOT_FOUND: i64 = -32001;

/// Largest request body we read. 1 MiB is far above any real MCP request and far below what
/// would hurt a small machine.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The most header bytes (names and values together) a request may carry. MCP's own headers are
/// short; a session id is 32 characters. 64 KiB leaves room for any proxy's additions.
///
/// SHARP EDGE (tiny_http 0.12): it reads a header line whole into memory before we see it, with
/// no limit (one line of 256 MiB: 292 MB of RSS). This cap refuses such a request; it cannot stop
/// tiny_http from reading it first. The memory is given back when the request is dropped.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

// ---- Revision 2026-07-28 ("modern"): stateless, every request says who it is. ----

/// The modern revision: no `initialize`, no sessions; each request carries its version and the
/// client's capabilities in `_meta`, and mirrors its method (and name) in headers.
pub const MODERN_PROTOCOL_VERSION: &str = "2026-07-28";

/// The `MCP-Protocol-Version` values that select the legacy (handshake) era. An absent header does
/// too. Anything else is served the modern way, and refused there if it is no version we speak.
/// 2024-11-05 is here so that it is refused exactly as before (our legacy path does not speak it).
pub const LEGACY_ERA_VERSIONS: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// The `_meta` keys of a modern request, and of its result.
pub const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
pub const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
pub const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
pub const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// Headers that mirror the body of a modern request, for proxies that route without parsing it.
pub const HEADER_METHOD: &str = "Mcp-Method";
pub const HEADER_NAME: &str = "Mcp-Name";

/// The error codes 2026-07-28 defines (from -32020 up, in the range left to MCP).
pub const HEADER_MISMATCH: i64 = -32020;
pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i64 = -32021;
pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

/// Is `version` one of the revisions we speak?
pub fn is_supported_version(version: &str) -> bool {
    SUPPORTED_PROTOCOL_VERSIONS.contains(&version)
}
