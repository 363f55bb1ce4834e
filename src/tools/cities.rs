//! The data set behind `get_weather`: a fixed, made-up-but-plausible snapshot of the weather in
//! the cities the tool knows. See `weather_data.rs` for the `City` type and the lookup.
//!
//! Left out: everything a real service would have (forecasts, timestamps, live data).

use super::weather_data::City;

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
