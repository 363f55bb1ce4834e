#!/usr/bin/env bash
# Installs what the benchmark compares our server against, into a cache folder outside the repo.
#
#   bash benches/setup.sh          # the Python SDK (mcp 2.3.0) in a venv; safe to run again
#   bash benches/setup.sh rmcp     # also the Rust SDK: builds a small rmcp server (3-6 min, 2 cores)
#
# Cache: ${MCP_BENCH_CACHE:-$HOME/.cache/streamable-mcp-bench}. Packages come from PyPI and
# crates.io through pip and cargo, by name only. `cargo bench --bench throughput` runs the Python
# part itself when the venv is missing, and measures rmcp whenever its binary is there.
set -euo pipefail

PY_MCP_VERSION=2.3.0
RMCP_VERSION=3.9.0
CACHE="${MCP_BENCH_CACHE:-$HOME/.cache/streamable-mcp-bench}"
mkdir -p "$CACHE"

python_sdk() {
  local venv="$CACHE/venv" have=""
  if [ -x "$venv/bin/python" ]; then
    have="$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("mcp"))' 2>/dev/null || true)"
  fi
  if [ "$have" = "$PY_MCP_VERSION" ]; then
    echo "[bench setup] mcp==$PY_MCP_VERSION already in $venv"
    return 0
  fi
  if ! command -v python3 >/dev/null; then
    echo "[bench setup] python3 not found: the benchmark will run without the Python SDK" >&2
    return 1
  fi
  echo "[bench setup] installing mcp==$PY_MCP_VERSION into $venv"
  local started=$SECONDS
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "mcp==$PY_MCP_VERSION"
  echo "[bench setup] done in $((SECONDS - started)) s"
}

# A scratch crate outside the repo, so that rmcp never becomes a dependency of ours. The server
# below is written for this benchmark: the same get_weather as ours and the Python one (three
# progress steps, an offline table, text + structuredContent), on axum with TCP_NODELAY.
rmcp_server() {
  local dir="$CACHE/rmcp-weather"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "rmcp-weather"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
rmcp = { version = "=$RMCP_VERSION", features = ["server", "macros", "transport-streamable-http-server"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread", "net", "time"] }
axum = { version = "0.8", default-features = false, features = ["http1", "tokio"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
TOML
  cat >"$dir/src/main.rs" <<'RUST'
//! get_weather on the official Rust SDK (rmcp), for streamable-mcp's `cargo bench --bench throughput`.
//!     rmcp-weather PORT STEP_MS      (PORT 0 picks one; the first line printed names it)
use axum::serve::ListenerExt;
use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::model::{
    CallToolResult, ContentBlock, ProgressNotificationParam, RequestMetaObject, ServerCapabilities,
    ServerConfig,
};
use rmcp::transport::streamable_http_server::{
    session::local::LocalSessionManager, StreamableHttpServerConfig, StreamableHttpService,
};
use rmcp::{schemars, tool, tool_handler, tool_router, ErrorData, Peer, RoleServer, ServerHandler};
use serde_json::json;
use std::time::Duration;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct WeatherArgs {
    /// City name, e.g. "Hangzhou"
    city: String,
}

/// (city, region, country, temperature °C, conditions, humidity %, wind km/h): rows of our table.
const CITIES: [(&str, &str, &str, f64, &str, u8, f64); 5] = [
    ("Hangzhou", "Zhejiang", "China", 18.5, "Light rain", 82, 9.0),
    ("Beijing", "", "China", 12.3, "Sunny", 31, 14.5),
    ("Wuhan", "Hubei", "China", 16.8, "Overcast", 74, 7.2),
    ("Paris", "Île-de-France", "France", 10.7, "Overcast", 79, 13.8),
    ("Zürich", "", "Switzerland", 4.6, "Light snow", 89, 6.1),
];

#[derive(Clone)]
struct Weather {
    tool_router: ToolRouter<Self>,
    step: Duration,
}

#[tool_router]
impl Weather {
    fn new(step: Duration) -> Self {
        Self { tool_router: Self::tool_router(), step }
    }

    #[tool(description = "Get the current weather for a city from an offline data set.")]
    async fn get_weather(
        &self,
        Parameters(WeatherArgs { city }): Parameters<WeatherArgs>,
        meta: RequestMetaObject,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let token = meta.get_progress_token();
        let progress = |k: u32, message: String| {
            let (peer, token) = (peer.clone(), token.clone());
            async move {
                if let Some(token) = token {
                    let p = ProgressNotificationParam::new(token, k.into())
                        .with_total(3.0)
                        .with_message(message);
                    let _ = peer.notify_progress(p).await;
                }
            }
        };
        progress(1, format!("Looking up {city}…")).await;
        self.pause().await;
        let wanted = city.trim().to_lowercase();
        let Some(&(name, region, country, t, conditions, humidity, wind)) =
            CITIES.iter().find(|c| c.0.to_lowercase() == wanted)
        else {
            let text = format!("Unknown city \"{city}\".");
            return Ok(CallToolResult::error(vec![ContentBlock::text(text)]));
        };
        progress(2, format!("Reading the sky over {name}…")).await;
        self.pause().await;
        progress(3, format!("Weather for {name} ready")).await;
        let label = [name, region, country].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(", ");
        let text = format!("{label}: {conditions}, {t:.1} °C, humidity {humidity} %, wind {wind:.0} km/h");
        let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
        result.structured_content = Some(json!({
            "city": name, "region": region, "country": country, "temperature_c": t,
            "conditions": conditions, "humidity_percent": humidity, "wind_kph": wind
        }));
        Ok(result)
    }
}

impl Weather {
    async fn pause(&self) {
        if !self.step.is_zero() {
            tokio::time::sleep(self.step).await;
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Weather {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let step = Duration::from_millis(args.get(2).and_then(|a| a.parse().ok()).unwrap_or(0));
    let service: StreamableHttpService<Weather, LocalSessionManager> = StreamableHttpService::new(
        move || Ok(Weather::new(step)),
        Default::default(),
        StreamableHttpServerConfig::default().with_sse_keep_alive(None),
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    println!("rmcp-weather listening on http://{}/mcp", listener.local_addr().expect("addr"));
    // The issue's rmcp figure was measured with TCP_NODELAY, as our server sets it.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router).await.expect("serve");
}
RUST
  echo "[bench setup] building the rmcp $RMCP_VERSION server in $dir (a few minutes on 2 cores)"
  local started=$SECONDS
  (cd "$dir" && cargo build --release --quiet)
  echo "[bench setup] rmcp server built in $((SECONDS - started)) s: $dir/target/release/rmcp-weather"
}

python_sdk
if [ "${1:-}" = "rmcp" ]; then
  rmcp_server
fi
