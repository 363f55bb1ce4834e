//! The cities the weather app knows: the embedded data set and the lookup by name.
//!
//! The numbers (the `CITIES` table below) are a fixed, made-up-but-plausible snapshot: no real
//! weather service was asked. Keeping the data in the binary means the tool
//! works offline and every test sees the same answer. A production server
//! would call a weather API here and cache its replies.
//!
//! What this leaves out: forecasts, timestamps, units other than metric,
//! geocoding (we only know the cities listed), and spelling help beyond
//! simple edit distance. Only one place is deliberately ambiguous
//! ("Springfield") so the tool can show how to ask the user which one.

use std::sync::OnceLock;

/// One city and the weather we pretend it has right now.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    pub name: &'static str,
    /// State or province; "" when the city has none worth naming.
    pub region: &'static str,
    pub country: &'static str,
    /// Other spellings that should find this city (native script, nicknames).
    pub aliases: &'static [&'static str],
    pub temperature_c: f64,
    pub conditions: &'static str,
    pub humidity_percent: u8,
    pub wind_kph: f64,
}

impl City {
    /// "Springfield, Illinois, United States" or "Hangzhou, Zhejiang, China".
    pub fn label(&self) -> String {
        if self.region.is_empty() {
            format!("{}, {}", self.name, self.country)
        } else {
            format!("{}, {}, {}", self.name, self.region, self.country)
        }
    }

    /// Every key this city answers to, normalized: its name first, its aliases, and its name
    /// qualified by region or country ("Springfield, Illinois" and "Paris, France" narrow the
    /// search).
    fn keys(&self) -> Vec<String> {
        let mut keys = vec![normalize(self.name)];
        keys.extend(self.aliases.iter().map(|alias| normalize(alias)));
        for q in [self.region, self.country] {
            if !q.is_empty() {
                keys.push(normalize(&format!("{}, {}", self.name, q)));
            }
        }
        keys
    }
}

/// The keys of every city, in the order of [`CITIES`], normalized once for the server's life.
/// Normalizing them again on every call was a tenth of a call's CPU (a perf profile under the
/// benchmark's load, `docs/benchmarks.md`).
fn keys() -> &'static [Vec<String>] {
    static KEYS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    KEYS.get_or_init(|| CITIES.iter().map(City::keys).collect())
}

// A positional constructor keeps the table below to one readable line per
// city; the struct literal would need ten lines each.
#[allow(clippy::too_many_arguments)]
const fn city(
    name: &'static str,
    region: &'static str,
    country: &'static str,
    aliases: &'static [&'static str],
    temperature_c: f64,
    conditions: &'static str,
    humidity_percent: u8,
    wind_kph: f64,
) -> City {
    City {
        name,
        region,
        country,
        aliases,
        temperature_c,
        conditions,
        humidity_percent,
        wind_kph,
    }
}

/// Columns: name, region, country, aliases, °C, conditions, humidity %, wind km/h.
#[rustfmt::skip]
pub static CITIES: &[City] = &[
    city("Hangzhou", "Zhejiang", "China", &["杭州"], 18.5, "Light rain", 82, 9.0),
    city("Beijing", "", "China", &["北京", "Peking"], 12.3, "Sunny", 31, 14.5),
    city("Wuhan", "Hubei", "China", &["武汉"], 16.8, "Overcast", 74, 7.2),
    city("Shanghai", "", "China", &["上海"], 17.9, "Partly cloudy", 70, 16.0),
    city("Guangzhou", "Guangdong", "China", &["广州", "Canton"], 25.4, "Humid and hazy", 85, 6.5),
    city("Shenzhen", "Guangdong", "China", &["深圳"], 26.1, "Scattered showers", 88, 11.3),
    city("Chengdu", "Sichuan", "China", &["成都"], 15.2, "Mist", 90, 3.4),
    city("Xi'an", "Shaanxi", "China", &["西安", "Xian"], 11.6, "Clear", 45, 8.8),
    city("Nanjing", "Jiangsu", "China", &["南京"], 16.4, "Cloudy", 68, 10.1),
    city("Chongqing", "", "China", &["重庆"], 19.7, "Fog", 93, 2.9),
    city("Suzhou", "Jiangsu", "China", &["苏州"], 17.6, "Drizzle", 84, 8.2),
    city("Tianjin", "", "China", &["天津"], 11.9, "Windy", 38, 27.4),
    city("Tokyo", "", "Japan", &["東京"], 16.2, "Partly cloudy", 58, 12.6),
    city("Seoul", "", "South Korea", &["서울"], 9.8, "Clear", 42, 10.4),
    city("Singapore", "", "Singapore", &[], 30.6, "Thunderstorms", 84, 13.0),
    city("Bangkok", "", "Thailand", &[], 32.4, "Hot and humid", 76, 8.0),
    city("Jakarta", "", "Indonesia", &[], 31.1, "Heavy rain", 89, 9.7),
    city("Mumbai", "Maharashtra", "India", &["Bombay"], 31.8, "Hazy sunshine", 66, 14.2),
    city("Delhi", "", "India", &["New Delhi"], 27.3, "Smog", 48, 5.1),
    city("Dubai", "", "United Arab Emirates", &[], 34.9, "Sunny", 52, 18.7),
    city("Moscow", "", "Russia", &["Москва"], -3.4, "Snow showers", 86, 21.0),
    city("Istanbul", "", "Turkey", &["İstanbul"], 14.1, "Rain", 77, 24.3),
    city("Cairo", "", "Egypt", &[], 26.7, "Sunny", 28, 15.9),
    city("Lagos", "Lagos State", "Nigeria", &[], 29.5, "Thunderstorms", 83, 10.8),
    city("Nairobi", "", "Kenya", &[], 21.3, "Partly cloudy", 61, 17.6),
    city("Johannesburg", "Gauteng", "South Africa", &["Joburg", "Jozi"], 24.0, "Afternoon storms", 55, 19.2),
    city("London", "England", "United Kingdom", &[], 9.2, "Drizzle", 87, 22.5),
    city("Paris", "Île-de-France", "France", &[], 10.7, "Overcast", 79, 13.8),
    city("Berlin", "", "Germany", &[], 6.4, "Cloudy", 81, 20.1),
    city("Madrid", "", "Spain", &[], 15.5, "Sunny", 40, 9.3),
    city("Rome", "Lazio", "Italy", &["Roma"], 16.9, "Clear", 62, 7.7),
    city("Lisbon", "", "Portugal", &["Lisboa"], 17.3, "Breezy", 69, 28.6),
    city("Vienna", "", "Austria", &["Wien"], 5.8, "Fog", 91, 4.0),
    city("Zürich", "", "Switzerland", &[], 4.6, "Light snow", 89, 6.1),
    city("Reykjavík", "", "Iceland", &[], -1.9, "Gale", 73, 54.7),
    city("Kraków", "Lesser Poland", "Poland", &[], 3.1, "Sleet", 92, 15.4),
    city("Stockholm", "", "Sweden", &[], 1.2, "Overcast", 84, 18.0),
    city("Amsterdam", "North Holland", "Netherlands", &[], 8.5, "Showers", 88, 31.2),
    city("New York", "New York", "United States", &["NYC", "New York City"], 11.4, "Sunny", 47, 16.3),
    city("Los Angeles", "California", "United States", &["LA"], 22.8, "Sunny", 35, 8.4),
    city("Chicago", "Illinois", "United States", &[], 4.3, "Windy", 60, 38.9),
    city("Seattle", "Washington", "United States", &[], 9.6, "Light rain", 90, 12.0),
    city("Honolulu", "Hawaii", "United States", &[], 27.9, "Trade-wind showers", 67, 25.1),
    city("Springfield", "Illinois", "United States", &["Springfield, IL"], 5.2, "Cloudy", 71, 19.5),
    city("Springfield", "Massachusetts", "United States", &["Springfield, MA"], 3.7, "Light rain", 85, 14.8),
    city("Springfield", "Missouri", "United States", &["Springfield, MO"], 8.9, "Clear", 50, 11.1),
    city("Toronto", "Ontario", "Canada", &[], 2.6, "Flurries", 78, 23.7),
    city("Montréal", "Québec", "Canada", &[], -0.8, "Snow", 83, 20.9),
    city("Vancouver", "British Columbia", "Canada", &[], 7.9, "Rain", 94, 13.5),
    city("Mexico City", "", "Mexico", &["Ciudad de México", "CDMX"], 19.4, "Hazy", 39, 6.8),
    city("São Paulo", "", "Brazil", &[], 23.6, "Thunderstorms", 80, 10.2),
    city("Bogotá", "", "Colombia", &[], 13.8, "Drizzle", 86, 7.5),
    city("Buenos Aires", "", "Argentina", &[], 24.7, "Partly cloudy", 64, 17.0),
    city("Lima", "", "Peru", &[], 20.2, "Overcast", 81, 12.4),
    city("Sydney", "New South Wales", "Australia", &[], 25.9, "Sunny", 57, 20.6),
    city("Auckland", "", "New Zealand", &[], 19.1, "Showers", 76, 26.3),
];

/// The result of [`lookup`].
#[derive(Debug, PartialEq)]
pub enum Lookup {
    Found(&'static City),
    /// Several cities share the name (e.g. "Springfield"): the caller must ask which one.
    Ambiguous(Vec<&'static City>),
    /// Nothing matched; up to 3 near matches by name, closest first (may be empty).
    NotFound {
        suggestions: Vec<&'static str>,
    },
}

/// Queries longer than this are not looked up at all (see [`lookup`]).
pub const MAX_QUERY_CHARS: usize = 100;

/// Find a city by name, alias, "name, region" or "name, country".
pub fn lookup(query: &str) -> Lookup {
    // No city name comes near this length; refusing early keeps a hostile 1 MiB "city" from costing
    // seconds of edit distances.
    if query.chars().count() > MAX_QUERY_CHARS {
        return Lookup::NotFound {
            suggestions: Vec::new(),
        };
    }
    let wanted = normalize(query);
    if wanted.is_empty() {
        let suggestions = Vec::new();
        return Lookup::NotFound { suggestions };
    }
    let mut matches: Vec<&'static City> = CITIES
        .iter()
        .zip(keys())
        .filter(|(_, keys)| keys.contains(&wanted))
        .map(|(city, _)| city)
        .collect();
    match matches.len() {
        0 => Lookup::NotFound {
            suggestions: suggest(&wanted),
        },
        1 => Lookup::Found(matches.remove(0)),
        _ => Lookup::Ambiguous(matches),
    }
}

/// Lowercase, strip accents/diacritics, treat '-', '_', '.', and runs of whitespace as one space, trim.
///
/// Also: apostrophes vanish ("Xi'an" and "Xian" are the same key), and a
/// comma is always followed by exactly one space ("Springfield,IL" and
/// "Springfield , IL" both become "springfield, il").
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c == '-' || c == '_' || c == '.' {
            pending_space = true;
        } else if c == '\'' || c == '\u{2019}' || ('\u{0300}'..='\u{036F}').contains(&c) {
            // Apostrophes go without a space: "Xi'an" -> "xian". So do
            // combining marks: input may arrive decomposed ("e" + U+0301),
            // and lowercasing "İ" yields "i" + U+0307.
        } else if c == ',' {
            out.push(',');
            pending_space = true;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            match fold_accent(c) {
                Some(plain) => out.push_str(plain),
                None => out.push(c),
            }
        }
    }
    out
}

// People type city names on whatever keyboard they have, so "Zurich" must
// find "Zürich". A full Unicode decomposition needs a large table (or a
// crate); this hand-written one covers the Latin letters our users meet.
// It runs after lowercasing, so only lowercase forms are listed.
fn fold_accent(c: char) -> Option<&'static str> {
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ð' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    };
    Some(plain)
}

// Edit distance forgives one or two typos ("Hangzou") without any
// dictionary. It walks chars, not bytes, so a mistyped non-ASCII letter
// costs one edit, not two or three.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + if ca == *cb { 0 } else { 1 };
            row[j + 1] = substitute.min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    prev[b.len()]
}

fn suggest(wanted: &str) -> Vec<&'static str> {
    // Short names get a floor of 2 edits; long ones may drift by a third.
    let limit = 2.max(wanted.chars().count() / 3);
    let mut near: Vec<(usize, &'static str)> = Vec::new();
    for (city, keys) in CITIES.iter().zip(keys()) {
        let distance = levenshtein(wanted, &keys[0]);
        if distance <= limit && !near.iter().any(|(_, name)| *name == city.name) {
            near.push((distance, city.name));
        }
    }
    near.sort();
    near.into_iter().take(3).map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(query: &str) -> &'static City {
        match lookup(query) {
            Lookup::Found(city) => city,
            other => panic!("{query:?} should find one city, got {other:?}"),
        }
    }

    fn suggestions(query: &str) -> Vec<&'static str> {
        match lookup(query) {
            Lookup::NotFound { suggestions } => suggestions,
            other => panic!("{query:?} should find nothing, got {other:?}"),
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(found("TOKYO").name, "Tokyo");
        assert_eq!(found("tokyo").name, "Tokyo");
        assert_eq!(found("  nEw YoRk  ").name, "New York");
        assert_eq!(found("nyc").name, "New York");
    }

    #[test]
    fn lookup_folds_accents() {
        for query in ["ZURICH", "zürich", "Zurich", "ZÜRICH", "Zu\u{308}rich"] {
            assert_eq!(found(query).name, "Zürich", "query {query:?}");
        }
        assert_eq!(found("sao paulo").name, "São Paulo");
        assert_eq!(found("Reykjavik").name, "Reykjavík");
        assert_eq!(found("krakow").name, "Kraków");
        assert_eq!(found("montreal").name, "Montréal");
        assert_eq!(found("BOGOTA").name, "Bogotá");
    }

    #[test]
    fn tutorial_cities_are_present_in_pinyin() {
        let names = "Hangzhou Beijing Wuhan Shanghai Guangzhou Shenzhen Chengdu Nanjing Chongqing";
        for name in names.split(' ') {
            let city = found(name);
            assert_eq!((city.name, city.country), (name, "China"));
        }
        for query in ["Xi'an", "xi'an", "xian", "Xian", "XI’AN"] {
            assert_eq!(found(query).name, "Xi'an", "query {query:?}");
        }
    }

    #[test]
    fn chinese_alias_finds_city() {
        assert_eq!(found("杭州").name, "Hangzhou");
        assert_eq!(found(" 北京 ").name, "Beijing");
        assert_eq!(found("西安").name, "Xi'an");
        assert_eq!(found("重庆").name, "Chongqing");
    }

    #[test]
    fn every_name_and_alias_finds_its_city() {
        for city in CITIES.iter().filter(|c| c.name != "Springfield") {
            assert_eq!(found(city.name), city);
            for alias in city.aliases {
                assert_eq!(found(alias), city, "alias {alias:?}");
            }
        }
    }

    #[test]
    fn springfield_is_ambiguous_between_three_cities() {
        let Lookup::Ambiguous(cities) = lookup("springfield") else {
            panic!("expected Ambiguous");
        };
        let regions: Vec<&str> = cities.iter().map(|c| c.region).collect();
        assert_eq!(regions, ["Illinois", "Massachusetts", "Missouri"]);
    }

    #[test]
    fn region_qualifier_disambiguates() {
        assert_eq!(found("Springfield, Illinois").region, "Illinois");
        assert_eq!(found("springfield,illinois").region, "Illinois");
        assert_eq!(found("Springfield , ma").region, "Massachusetts");
        assert_eq!(found("SPRINGFIELD, MO").region, "Missouri");
        let il = found("Springfield, IL");
        assert_eq!(il.label(), "Springfield, Illinois, United States");
        assert_eq!(found("paris, ile-de-france").name, "Paris");
        assert_eq!(found("Tokyo, Japan").label(), "Tokyo, Japan");
        // A country that covers all three is still ambiguous.
        let us = lookup("Springfield, United States");
        assert!(matches!(us, Lookup::Ambiguous(c) if c.len() == 3));
        // A wrong qualifier finds nothing.
        assert!(matches!(lookup("Paris, Texas"), Lookup::NotFound { .. }));
    }

    #[test]
    fn unknown_city_suggests_near_matches() {
        assert_eq!(suggestions("Hangzou")[0], "Hangzhou");
        assert_eq!(suggestions("Pari")[0], "Paris");
        assert_eq!(suggestions("Springfeld"), ["Springfield"]);
        assert!(suggestions("Lodnon").contains(&"London"));
        // Two edits in a four-letter name: only the floor of 2 lets this through.
        assert!(suggestions("Lmia").contains(&"Lima"));
    }

    #[test]
    fn far_off_query_has_no_suggestions() {
        assert!(suggestions("qqqqqqq").is_empty());
        assert!(suggestions("   ").is_empty());
        assert!(suggestions("").is_empty());
    }

    #[test]
    fn data_set_has_at_least_45_cities() {
        assert!(CITIES.len() >= 45, "only {} cities", CITIES.len());
    }

    #[test]
    fn every_city_has_plausible_values() {
        for c in CITIES {
            assert!(!c.name.is_empty() && !c.country.is_empty() && !c.conditions.is_empty());
            assert!((-10.0..=40.0).contains(&c.temperature_c), "{}", c.name);
            let tenths = c.temperature_c * 10.0;
            assert!((tenths - tenths.round()).abs() < 1e-9, "{}", c.name);
            assert!((10..=100).contains(&c.humidity_percent), "{}", c.name);
            assert!((0.0..=60.0).contains(&c.wind_kph), "{}", c.name);
        }
    }

    #[test]
    fn names_are_unique_except_springfield() {
        let key = |c: &City| (normalize(c.name), normalize(c.region));
        let mut keys: Vec<(String, String)> = CITIES.iter().map(key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), CITIES.len(), "a name+region pair repeats");
        let mut names: Vec<String> = CITIES.iter().map(|c| normalize(c.name)).collect();
        names.sort();
        names.dedup();
        // Three Springfields collapse into one name.
        assert_eq!(names.len(), CITIES.len() - 2);
    }

    #[test]
    fn normalize_collapses_separators() {
        assert_eq!(normalize("  New-York__City.  "), "new york city");
        assert_eq!(normalize("São\t\n Paulo"), "sao paulo");
        assert_eq!(normalize("Xi'an"), "xian");
        assert_eq!(normalize("Springfield ,IL"), "springfield, il");
        assert_eq!(normalize("Straße Łódź İstanbul"), "strasse lodz istanbul");
        assert_eq!(normalize("杭州"), "杭州");
    }
}
