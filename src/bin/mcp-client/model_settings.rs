//! Which model `mcp-client chat` talks to: flags first, then the environment, then defaults.
//!
//! Implements no part of MCP. It follows the conventions OpenAI's own clients set and local
//! servers copy: `OPENAI_BASE_URL` (a base such as `http://127.0.0.1:11434/v1`, to which
//! `/chat/completions` is appended) and `OPENAI_API_KEY`. The model's name has no such
//! convention: `--model`, or `$OPENAI_MODEL` (ours). Pure: the environment is passed in.
//!
//! # The key rule
//! A hosted endpoint without a key answers 401 to every request, so we refuse to start (exit 3)
//! instead of sending a question that cannot be answered. A local server (Ollama, llama.cpp's
//! `llama-server`, vLLM without `--api-key`) needs none, and making students invent one would
//! teach nothing. So: a key is required unless the base URL's host is loopback (`127.0.0.0/8`,
//! `localhost`, `[::1]`). Any value does for a local server that checks none; a server on
//! another machine of your network needs `--model-key` even if it checks none (any value).
//!
//! And a key from the environment goes to loopback only. Every base URL here is plain http, so
//! off this machine the key crosses the network in clear text, readable by anyone on the way. A
//! real `OPENAI_API_KEY` sits in many shells' profiles; pointing `--model-url` at a box on the
//! network must not hand it over silently. So off loopback the key must come from
//! `--model-key`, typed for that server: a refusal (exit 3), not a warning, because a warning
//! is read after the key has gone. The alternative of a flag such as `--send-env-key` was not
//! taken: `--model-key` already says "send this one, here".
//!
//! Left out: https. ureq is built without TLS in this crate, so a hosted endpoint is reached
//! through a local proxy that adds it (LiteLLM, say); an `https://` base URL is refused at once.

use crate::cli::ModelFlags;
use std::time::Duration;

/// Ollama's OpenAI-compatible endpoint: the most likely server on a student's laptop.
pub const DEFAULT_MODEL_URL: &str = "http://127.0.0.1:11434/v1";
/// Model requests per question, at most.
pub const DEFAULT_MAX_ROUNDS: usize = 10;
/// The longest the model may send nothing, by default: it answers when it has written the whole
/// reply, and a small model on a laptop's CPU can take minutes.
pub const DEFAULT_MODEL_TIMEOUT: Duration = Duration::from_secs(300);

/// Everything `chat` needs to reach the model.
#[derive(Debug, PartialEq)]
pub struct ModelSettings {
    /// The base URL, as given (for messages).
    pub base_url: String,
    /// `{base}/chat/completions`.
    pub endpoint: String,
    pub model: String,
    pub key: Option<String>,
    pub max_rounds: usize,
    /// The longest silence of the model (`--model-timeout`), before and within its answer.
    pub timeout: Duration,
}

/// Why there are no settings.
#[derive(Debug, PartialEq)]
pub enum SettingsError {
    /// Fix the command line (exit 2).
    Usage(String),
    /// The model cannot be used as configured (exit 3): no key for a remote endpoint, https.
    Unusable(String),
}

/// The settings from `flags` and `env` (a lookup such as `std::env::var`; an empty value counts
/// as unset).
///
/// # Errors
/// [`SettingsError::Usage`] without a model name or with a base URL that is not a URL;
/// [`SettingsError::Unusable`] without a key for a base URL that is not loopback, with a key
/// from the environment for one, or for https.
pub fn resolve(
    flags: &ModelFlags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ModelSettings, SettingsError> {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    let model = flags
        .model
        .clone()
        .or_else(|| env("OPENAI_MODEL"))
        .ok_or_else(|| {
            SettingsError::Usage("chat needs a model name: --model NAME (or $OPENAI_MODEL)".into())
        })?;
    let base_url = flags
        .url
        .clone()
        .or_else(|| env("OPENAI_BASE_URL"))
        .unwrap_or_else(|| DEFAULT_MODEL_URL.to_string());
    let Some(host) = host_of(&base_url) else {
        let why = format!("the model's base URL {base_url:?} is not an http:// URL");
        return Err(SettingsError::Usage(why));
    };
    if base_url.starts_with("https://") {
        return Err(SettingsError::Unusable(format!(
            "{base_url} is https, and this client is built without TLS; \
             use an http:// endpoint (a local server, or a local proxy to the hosted one)"
        )));
    }
    let env_key = env("OPENAI_API_KEY");
    let local = is_loopback(host);
    if flags.key.is_none() && env_key.is_some() && !local {
        return Err(SettingsError::Unusable(format!(
            "OPENAI_API_KEY is not sent to {base_url}: that is plain http off this machine, \
             where anyone on the way can read the key. Pass --model-key KEY to send a key there \
             (any value, for a server that checks none)"
        )));
    }
    let key = flags.key.clone().or(env_key);
    if key.is_none() && !local {
        return Err(SettingsError::Unusable(format!(
            "no key for the model at {base_url}: pass --model-key KEY (OPENAI_API_KEY is sent \
             to loopback only; a server that checks none takes any value; on loopback none is \
             needed)"
        )));
    }
    let endpoint = format!("{}/chat/completions", base_url.trim_end_matches('/'));
    Ok(ModelSettings {
        base_url,
        endpoint,
        model,
        key,
        max_rounds: flags.max_rounds.unwrap_or(DEFAULT_MAX_ROUNDS),
        timeout: flags
            .timeout_secs
            .map_or(DEFAULT_MODEL_TIMEOUT, Duration::from_secs),
    })
}

/// The host of an `http://` or `https://` URL, without port or user; `None` for anything else.
fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.split(':').next()?,
    };
    (!host.is_empty()).then_some(host)
}

/// `localhost`, `127.x.x.x` or `::1`: a server on this machine.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(model: Option<&str>, url: Option<&str>, key: Option<&str>) -> ModelFlags {
        ModelFlags {
            model: model.map(str::to_string),
            url: url.map(str::to_string),
            key: key.map(str::to_string),
            ..ModelFlags::default()
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn flags_win_over_the_environment_and_the_endpoint_is_base_plus_chat_completions() {
        let env = |name: &str| match name {
            "OPENAI_BASE_URL" => Some("http://127.0.0.1:8000/v1/".to_string()),
            "OPENAI_API_KEY" => Some("env-key".to_string()),
            "OPENAI_MODEL" => Some("env-model".to_string()),
            _ => None,
        };
        let from_env = resolve(&flags(None, None, None), &env).unwrap();
        assert_eq!(
            from_env.endpoint,
            "http://127.0.0.1:8000/v1/chat/completions"
        );
        assert_eq!(
            (from_env.model.as_str(), from_env.key.as_deref()),
            ("env-model", Some("env-key"))
        );
        assert_eq!(from_env.max_rounds, DEFAULT_MAX_ROUNDS);
        assert_eq!(from_env.timeout, DEFAULT_MODEL_TIMEOUT);
        let from_flags = resolve(
            &flags(Some("m"), Some("http://127.0.0.1:8080/v1"), Some("k")),
            &env,
        )
        .unwrap();
        assert_eq!(
            from_flags.endpoint,
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(
            (from_flags.model.as_str(), from_flags.key.as_deref()),
            ("m", Some("k"))
        );
    }

    #[test]
    fn without_a_url_the_default_is_ollama_on_loopback_and_needs_no_key() {
        let settings = resolve(&flags(Some("llama3.2"), None, None), &no_env).unwrap();
        assert_eq!(
            settings.endpoint,
            "http://127.0.0.1:11434/v1/chat/completions"
        );
        assert_eq!(settings.key, None);
    }

    #[test]
    fn a_key_is_required_unless_the_base_url_is_loopback() {
        for local in [
            "http://localhost:11434/v1",
            "http://127.0.0.2/v1",
            "http://[::1]:8080/v1",
        ] {
            assert!(
                resolve(&flags(Some("m"), Some(local), None), &no_env).is_ok(),
                "{local}"
            );
        }
        let remote = resolve(
            &flags(Some("m"), Some("http://gpu-box:8000/v1"), None),
            &no_env,
        );
        assert!(
            matches!(remote, Err(SettingsError::Unusable(why)) if why.contains("OPENAI_API_KEY"))
        );
        let empty_key = |name: &str| (name == "OPENAI_API_KEY").then(String::new);
        let remote = resolve(
            &flags(Some("m"), Some("http://gpu-box/v1"), None),
            &empty_key,
        );
        assert!(
            matches!(remote, Err(SettingsError::Unusable(_))),
            "an empty key is no key"
        );
        assert!(resolve(
            &flags(Some("m"), Some("http://gpu-box/v1"), Some("x")),
            &no_env
        )
        .is_ok());
    }

    #[test]
    fn a_key_from_the_environment_is_sent_to_loopback_only_and_off_it_needs_model_key() {
        let env = |name: &str| (name == "OPENAI_API_KEY").then(|| "sk-real".to_string());
        let local = resolve(&flags(Some("m"), None, None), &env).unwrap();
        assert_eq!(local.key.as_deref(), Some("sk-real"));
        for remote in ["http://10.0.0.5:8000/v1", "http://gpu-box/v1"] {
            let refused = resolve(&flags(Some("m"), Some(remote), None), &env);
            assert!(
                matches!(&refused, Err(SettingsError::Unusable(why))
                    if why.contains("OPENAI_API_KEY is not sent") && why.contains("--model-key")),
                "{remote}: {refused:?}"
            );
            let given = resolve(&flags(Some("m"), Some(remote), Some("k")), &env).unwrap();
            assert_eq!(given.key.as_deref(), Some("k"), "{remote}");
        }
        let env_url = |name: &str| match name {
            "OPENAI_BASE_URL" => Some("http://10.0.0.5/v1".to_string()),
            "OPENAI_API_KEY" => Some("sk-real".to_string()),
            _ => None,
        };
        assert!(matches!(
            resolve(&flags(Some("m"), None, None), &env_url),
            Err(SettingsError::Unusable(_))
        ));
    }

    #[test]
    fn no_model_or_a_bad_url_is_a_usage_error_and_https_is_unusable() {
        assert!(matches!(
            resolve(&flags(None, None, None), &no_env),
            Err(SettingsError::Usage(_))
        ));
        let bad = resolve(&flags(Some("m"), Some("127.0.0.1:11434"), None), &no_env);
        assert!(matches!(bad, Err(SettingsError::Usage(_))));
        let https = resolve(
            &flags(Some("m"), Some("https://api.openai.com/v1"), Some("k")),
            &no_env,
        );
        assert!(matches!(https, Err(SettingsError::Unusable(why)) if why.contains("TLS")));
    }

    #[test]
    fn hosts_are_read_without_port_user_or_path() {
        assert_eq!(host_of("http://u:p@127.0.0.1:8080/v1"), Some("127.0.0.1"));
        assert_eq!(host_of("http://[::1]:8080/v1"), Some("::1"));
        assert_eq!(host_of("http://localhost"), Some("localhost"));
        assert_eq!(host_of("ftp://h/"), None);
        assert_eq!(host_of("http:///v1"), None);
    }
}
