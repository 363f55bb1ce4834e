//! The weather app's page, served at `GET /` by `weather-server`: pick a city, and the browser
//! calls `get_weather` over Streamable HTTP itself.
//!
//! The page is one file, `page.html` (HTML, CSS and a commented script, no build step, nothing
//! from elsewhere). This file only fills in its list of cities from the data set, once, when the
//! server starts; the transport then serves the result as it is (`server/home_page.rs`). The
//! script speaks both eras (2025-11-25 with a session, 2026-07-28 without), in SSE, NDJSON or
//! JSON, and shows the bytes it reads; its comments say which rules it keeps.
//!
//! Left out: answering the server's questions (elicitation). The page declares no capabilities,
//! so an ambiguous "Springfield" is refused, differently in each era: at 2025-11-25 the call
//! ends with an error result (`isError`) that names the choices; at 2026-07-28 the request is
//! answered 400 with JSON-RPC error -32021 (the client lacks the `elicitation` capability the
//! call needs), which names the capability, not the cities.

use super::cities::{City, CITIES};

/// `page.html` as written; `<!-- cities -->` marks where the options go.
const TEMPLATE: &str = include_str!("page.html");

/// The page, its `<datalist>` filled with every city the tool knows.
pub fn html() -> String {
    let options: String = CITIES.iter().map(option).collect();
    TEMPLATE.replace("<!-- cities -->", &options)
}

/// One `<option>`: its value is what the tool is asked for, its text the city's full name.
fn option(city: &City) -> String {
    // A name that several cities share ("Springfield") would be ambiguous: the option asks for
    // "name, region" instead, a key the lookup knows (`cities::lookup`).
    let shared = CITIES.iter().filter(|c| c.name == city.name).count() > 1;
    let value = match shared {
        true => format!("{}, {}", city.name, city.region),
        false => city.name.to_string(),
    };
    format!(
        "<option value=\"{}\">{}</option>",
        escape(&value),
        escape(&city.label())
    )
}

/// Text made safe inside an HTML attribute or element. The names are ours, but "Xi'an" shows that
/// names do contain punctuation, and a page should not depend on which.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weather::cities::{lookup, Lookup};

    #[test]
    fn every_city_is_an_option_whose_value_the_lookup_finds_alone() {
        let page = html();
        assert!(!page.contains("<!-- cities -->"));
        for city in CITIES {
            let label = escape(&city.label());
            assert!(page.contains(&format!(">{label}</option>")), "{label}");
        }
        let values = page.split("<option value=\"").skip(1);
        let values: Vec<&str> = values.map(|v| v.split('"').next().unwrap()).collect();
        assert_eq!(values.len(), CITIES.len());
        for value in values {
            assert!(
                matches!(lookup(value), Lookup::Found(_)),
                "{value} finds one city"
            );
        }
    }

    #[test]
    fn the_page_runs_no_code_from_elsewhere() {
        for outside in ["src=", "http://", "https://", "@import"] {
            assert!(!TEMPLATE.contains(outside), "{outside}");
        }
    }
}
