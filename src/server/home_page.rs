//! The page at `GET /`: one static HTML page that a binary hands the server, and the rules it is
//! served under.
//!
//! Implements no part of MCP: the spec names one endpoint (2025-11-25 `basic/transports`
//! §Streamable HTTP, our `/mcp`) and says nothing of other paths. What it does keep is MCP's
//! §Security Warning for this path too: the `Host` and `Origin` checks of `security.rs` run
//! before the page is served, so a DNS-rebinding site cannot read it under its own name.
//!
//! The page is opaque here: the transport does not know what it shows (`weather-server` hands it
//! the weather app's, `src/weather/page.html`). A server given no page answers `/` with 404, as it
//! answers every path but `/mcp`.
//!
//! # The rules, and the choices behind them
//! | what | rule | why |
//! |---|---|---|
//! | methods | `GET` only; anything else 405 with `Allow: GET` | the page is read, never written |
//! | `HEAD` | 405 too (with no body, as every answer to HEAD) | RFC 9110 §9.1 asks it of *general-purpose* servers; ours is not one, and nothing of the course needs it |
//! | `Host`, `Origin` | checked as on `/mcp` (403) | DNS rebinding: a page that rebinds a name to 127.0.0.1 must not get even the HTML |
//! | bearer token | not asked for | the page holds no secret, and a browser's address bar cannot send `Authorization`; its calls to `/mcp` carry the token from a field on the page |
//! | query string | ignored | `/?city=Hangzhou` is read by the page's own script |
//!
//! # The response headers
//! - `Content-Type: text/html; charset=utf-8`: the charset in the header, so no byte of the page is
//!   read before the browser knows how to decode it.
//! - `Content-Security-Policy` (below): only the page's own inline script and style run, named by
//!   their SHA-256, and the page may talk to its own origin only.
//! - `X-Content-Type-Options: nosniff`: the type we said is the type the browser uses.
//! - `Referrer-Policy: no-referrer`: a link out of the page does not carry its URL along.
//! - `Cache-Control: no-cache`: a rebuilt server's page is picked up on the next load.
//!
//! # Why hashes in the content policy, and not a second file for the script?
//! `script-src 'self'` with the script at `/page.js` would work too, but it makes a second path
//! to serve and a second request to read. A hash keeps the page one file and lets a student
//! check the content policy by hand (`sha256` of the text between `<script>` and `</script>`, in
//! base64). A nonce (a fresh random value per response) is what a server that builds pages per request
//! would use; ours is the same for the server's whole life, so a hash computed once is enough.
//!
//! Left out: compression, `ETag` and conditional requests, and any other file (a browser's
//! `/favicon.ico` gets 404; the weather page names an empty icon so it does not ask).

use crate::header_value::base64_encode;
use crate::server::rejection::Rejection;
use crate::server::request::RequestHead;
use crate::server::response::Whole;
use crate::server::security::Policy;
use sha2::{Digest, Sha256};

/// Where the page is served. The server's only path besides the MCP endpoint (and, with
/// `--http-sse`, 2024-11-05's two).
pub const HOME_PATH: &str = "/";

/// The media type of the page, with its charset.
pub const MIME_HTML: &str = "text/html; charset=utf-8";

/// A page to serve at `/`, with the content policy that lets its own inline code run and
/// nothing else. ("Content policy", not "policy": [`Policy`] is the security checks of every
/// request, which `answer` takes beside it.)
#[derive(Clone)]
pub struct HomePage {
    html: String,
    content_policy: String,
}

/// The HTML is left out: a `{:?}` of the config would otherwise print the whole page.
impl std::fmt::Debug for HomePage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HomePage")
            .field("html_bytes", &self.html.len())
            .field("content_policy", &self.content_policy)
            .finish()
    }
}

impl HomePage {
    /// A page, and its `Content-Security-Policy`, computed once.
    pub fn new(html: String) -> HomePage {
        let content_policy = content_security_policy(&html);
        HomePage {
            html,
            content_policy,
        }
    }

    /// The `Content-Security-Policy` this page is served with.
    pub fn content_policy(&self) -> &str {
        &self.content_policy
    }

    /// `GET /`: the page, once the request passed the checks every request to `/` passes.
    ///
    /// # Errors
    /// HTTP syntax (400, 431, 501, 505), 403 for a bad `Host` or `Origin`, 405 for any method
    /// but `GET`.
    pub fn answer(&self, head: &RequestHead, policy: &Policy) -> Result<Whole, Rejection> {
        // The same order as `/mcp`'s: HTTP's syntax, then who is asking, then what they ask.
        head.check_message()?;
        let origin = head.single_header("origin")?;
        policy.check_origin_and_host(head.header("host"), origin)?;
        // RFC 9110 §15.5.6: a 405's `Allow` lists the methods *this target* supports.
        if head.method != "GET" {
            return Err(Rejection::MethodNotAllowed("GET"));
        }
        Ok(Whole {
            status: 200,
            headers: vec![
                ("Content-Security-Policy", self.content_policy.clone()),
                ("X-Content-Type-Options", "nosniff".to_string()),
                ("Referrer-Policy", "no-referrer".to_string()),
                ("Cache-Control", "no-cache".to_string()),
            ],
            content_type: Some(MIME_HTML),
            body: self.html.as_bytes().to_vec(),
        })
    }
}

/// The content policy of a page: nothing is allowed (`default-src 'none'`) but what is named.
///
/// - `script-src`, `style-src`: the page's own inline `<script>` and `<style>` elements, by hash.
///   Inline event handlers (`onclick=`) and `style=` attributes are refused, on purpose: that is
///   what an injected piece of HTML would use.
/// - `connect-src 'self'`: `fetch` may reach this origin only (the page calls `/mcp`).
/// - `img-src data:`: the empty icon the page names, so the browser does not ask for one.
/// - `base-uri`, `form-action`, `frame-ancestors` `'none'`: no `<base>` may redirect relative
///   URLs, no form may post elsewhere, and no other site may frame the page (clickjacking).
///   `default-src` covers none of these three, so they are named.
fn content_security_policy(html: &str) -> String {
    let sources = |tag: &str| {
        let hashes = inline_hashes(html, tag);
        match hashes.is_empty() {
            true => "'none'".to_string(),
            false => hashes.join(" "),
        }
    };
    format!(
        "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; img-src data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        sources("script"),
        sources("style")
    )
}

/// `'sha256-…'` of the text of every `<tag …>…</tag>` element in `html`, in order.
///
/// The text ends at the first `</tag>`, which is where the HTML parser ends a `<script>` or a
/// `<style>` too (neither can contain its own end tag). Left out: tags in upper case, and the same
/// text inside an HTML comment; a page that needs either is not one we serve.
// CSP Level 3 §8.4: the hash is of the element's text as UTF-8, base64-encoded.
fn inline_hashes(html: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let element = &rest[at + open.len()..];
        // `<scripts>` or `<style-guide>` is another tag: only a `>` or a space ends the name.
        if !element.starts_with(['>', ' ', '\n', '\t']) {
            rest = element;
            continue;
        }
        let Some(text_start) = element.find('>') else {
            break;
        };
        let text = &element[text_start + 1..];
        let Some(text_end) = text.find(&close) else {
            break;
        };
        let digest = Sha256::digest(&text.as_bytes()[..text_end]);
        hashes.push(format!("'sha256-{}'", base64_encode(&digest)));
        rest = &text[text_end + close.len()..];
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path_headers: &[(&str, &str)]) -> RequestHead {
        RequestHead {
            method: "GET".into(),
            path: HOME_PATH.into(),
            ..RequestHead::with_headers(path_headers)
        }
    }

    fn local() -> Policy {
        Policy {
            loopback_only: true,
            ..Policy::default()
        }
    }

    #[test]
    fn the_content_policy_names_each_inline_script_and_style_by_its_sha256() {
        // `printf a | openssl dgst -sha256 -binary | base64`
        let page = HomePage::new("<p><script>a</script><style>a</style></p>".into());
        let a = "'sha256-ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs='";
        assert!(page.content_policy().contains(&format!("script-src {a};")));
        assert!(page.content_policy().contains(&format!("style-src {a};")));
        assert!(page.content_policy().starts_with("default-src 'none';"));
    }

    #[test]
    fn attributes_are_not_hashed_and_a_page_without_code_allows_none() {
        let two = inline_hashes(
            "<script type=\"module\">a</script><scripts>b</script>",
            "script",
        );
        assert_eq!(two.len(), 1, "{two:?}");
        assert!(
            two[0].contains("ypeBEsob"),
            "the text, not the tag, is hashed"
        );
        let page = HomePage::new("<p>no code</p>".into());
        assert!(page.content_policy().contains("script-src 'none';"));
    }

    #[test]
    fn get_serves_the_page_as_html_with_its_content_policy_and_no_token() {
        let page = HomePage::new("<h1>hi</h1>".into());
        let guarded = Policy {
            auth_token: Some("s3cret".into()),
            ..local()
        };
        let whole = page
            .answer(&get(&[("Host", "127.0.0.1:8000")]), &guarded)
            .unwrap();
        assert_eq!((whole.status, whole.content_type), (200, Some(MIME_HTML)));
        assert_eq!(whole.body, b"<h1>hi</h1>");
        assert!(whole
            .headers
            .iter()
            .any(|(n, v)| *n == "Content-Security-Policy" && v == page.content_policy()));
    }

    #[test]
    fn another_method_is_405_and_a_foreign_host_403() {
        let page = HomePage::new(String::new());
        let post = RequestHead {
            method: "POST".into(),
            ..get(&[("Host", "127.0.0.1")])
        };
        let refusal = page.answer(&post, &local()).unwrap_err();
        assert_eq!(refusal, Rejection::MethodNotAllowed("GET"));
        let rebound = get(&[("Host", "evil.example:8000")]);
        assert_eq!(page.answer(&rebound, &local()).unwrap_err().status(), 403);
    }
}
