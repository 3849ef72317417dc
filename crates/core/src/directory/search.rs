//! Finding services: by words, kind, city, and distance from a point.
//!
//! A linear scan over the whole list. A national directory is a few
//! thousand rows, so a scan is fast and needs no index that could go stale
//! after an import.
//!
//! Words match as substrings after Unicode lowercasing, which is what makes
//! Chinese work without a word segmenter: "戒毒" is found inside
//! "北京戒毒咨询中心". It is not a ranking search engine: there is no
//! relevance score, only the filters and a fixed order.

use super::{Gazetteer, Point, Service, haversine_km};

/// The number of hits a [`Query::default`] returns.
pub const DEFAULT_LIMIT: usize = 20;

/// What a person asked for. Every filter that is set must match.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Whitespace-separated terms; each must appear in the name, address,
    /// city, kind, hours or languages.
    pub words: Option<String>,
    pub kind: Option<super::ServiceKind>,
    /// The city exactly as stored, ignoring case and a trailing 市.
    pub city: Option<String>,
    /// Orders hits by distance from here and fills [`Hit::distance_km`].
    pub near: Option<Point>,
    /// The most hits to return; 0 returns none.
    pub limit: usize,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            words: None,
            kind: None,
            city: None,
            near: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// One service that matched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<'a> {
    pub service: &'a Service,
    /// Great-circle distance from [`Query::near`], when it was given.
    pub distance_km: Option<f64>,
}

/// Filters and orders `services`: nearest first when `query.near` is set
/// (ties by name), otherwise by city then name.
pub fn search<'a>(services: &'a [Service], query: &Query) -> Vec<Hit<'a>> {
    let cities: Vec<String> = query.city.iter().map(|c| city_key(c)).collect();
    run(services, query, &cities)
}

/// Like [`search`], but the city filter also accepts the other spelling the
/// gazetteer knows: "Beijing" finds services stored under "北京市".
pub fn search_with_gazetteer<'a>(
    services: &'a [Service],
    query: &Query,
    gazetteer: &Gazetteer,
) -> Vec<Hit<'a>> {
    let mut cities: Vec<String> = Vec::new();
    if let Some(city) = &query.city {
        cities.push(city_key(city));
        if let Some((english, chinese)) = gazetteer.spellings(city) {
            cities.push(city_key(english));
            cities.push(city_key(chinese));
        }
    }
    run(services, query, &cities)
}

/// `cities` holds the accepted city keys; empty means no city filter.
fn run<'a>(services: &'a [Service], query: &Query, cities: &[String]) -> Vec<Hit<'a>> {
    if query.limit == 0 {
        return Vec::new();
    }
    let terms: Vec<String> = query
        .words
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut hits: Vec<Hit<'a>> = services
        .iter()
        .filter(|s| query.kind.is_none_or(|kind| s.kind == kind))
        .filter(|s| cities.is_empty() || cities.contains(&city_key(&s.city)))
        .filter(|s| terms.is_empty() || matches_every_term(s, &terms))
        .map(|service| Hit {
            service,
            distance_km: query.near.map(|near| haversine_km(near, service.point())),
        })
        .collect();
    if query.near.is_some() {
        hits.sort_by(|a, b| {
            let (da, db) = (a.distance_km.unwrap_or(0.0), b.distance_km.unwrap_or(0.0));
            da.total_cmp(&db)
                .then_with(|| a.service.name.cmp(&b.service.name))
        });
    } else {
        hits.sort_by_cached_key(|hit| {
            (
                hit.service.city.to_lowercase(),
                hit.service.name.to_lowercase(),
            )
        });
    }
    hits.truncate(query.limit);
    hits
}

fn matches_every_term(service: &Service, terms: &[String]) -> bool {
    // One lowercased haystack per service; the separator cannot occur in a
    // term (terms are split on whitespace), so no term spans two fields.
    let mut haystack = String::with_capacity(128);
    for field in [
        service.name.as_str(),
        service.address.as_str(),
        service.city.as_str(),
        service.kind.as_str(),
        service.hours.as_str(),
    ] {
        haystack.push_str(&field.to_lowercase());
        haystack.push('\n');
    }
    // "legal aid" typed with a space finds kind legal_aid.
    haystack.push_str(&service.kind.as_str().replace('_', " "));
    haystack.push('\n');
    for language in &service.languages {
        haystack.push_str(&language.to_lowercase());
        haystack.push('\n');
    }
    terms.iter().all(|term| haystack.contains(term.as_str()))
}

/// The form two city names are compared in: trimmed, lowercased, without
/// the 市 ("city") suffix that Chinese spellings may or may not carry.
fn city_key(city: &str) -> String {
    let lower = city.trim().to_lowercase();
    match lower.strip_suffix('市') {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => lower,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a failed test should stop loudly
mod tests {
    use super::super::ServiceKind;
    use super::*;

    fn service(
        name: &str,
        kind: ServiceKind,
        city: &str,
        latitude: f64,
        longitude: f64,
    ) -> Service {
        Service {
            name: name.into(),
            kind,
            address: String::new(),
            city: city.into(),
            latitude,
            longitude,
            phone: "12355".into(),
            hours: "24/7".into(),
            languages: vec!["中文".into(), "English".into()],
            url: None,
        }
    }

    fn list() -> Vec<Service> {
        vec![
            service(
                "北京戒毒咨询中心",
                ServiceKind::Treatment,
                "北京",
                39.9042,
                116.4074,
            ),
            service(
                "Shanghai Victim Support",
                ServiceKind::VictimSupport,
                "Shanghai",
                31.2304,
                121.4737,
            ),
            service(
                "Tianjin Legal Aid Office",
                ServiceKind::LegalAid,
                "天津市",
                39.3434,
                117.3616,
            ),
            service(
                "Beijing Youth Hotline",
                ServiceKind::Hotline,
                "Beijing",
                39.95,
                116.30,
            ),
            service(
                "Guangzhou Counselling",
                ServiceKind::Counselling,
                "Guangzhou",
                23.1291,
                113.2644,
            ),
        ]
    }

    fn names(hits: &[Hit<'_>]) -> Vec<String> {
        hits.iter().map(|h| h.service.name.clone()).collect()
    }

    #[test]
    fn every_word_must_match_case_insensitively() {
        let services = list();
        let query = Query {
            words: Some("  youth  HOTLINE ".into()),
            ..Query::default()
        };
        assert_eq!(
            names(&search(&services, &query)),
            vec!["Beijing Youth Hotline"]
        );
        let query = Query {
            words: Some("youth shanghai".into()),
            ..Query::default()
        };
        assert!(search(&services, &query).is_empty());
        let query = Query {
            words: Some("legal aid".into()),
            ..Query::default()
        };
        assert_eq!(
            names(&search(&services, &query)),
            vec!["Tianjin Legal Aid Office"]
        );
        let query = Query {
            words: Some("victim_support".into()),
            ..Query::default()
        };
        assert_eq!(
            names(&search(&services, &query)),
            vec!["Shanghai Victim Support"]
        );
    }

    #[test]
    fn chinese_words_match_as_substrings() {
        let services = list();
        let query = Query {
            words: Some("戒毒".into()),
            ..Query::default()
        };
        assert_eq!(names(&search(&services, &query)), vec!["北京戒毒咨询中心"]);
        let query = Query {
            words: Some("中文".into()),
            ..Query::default()
        };
        assert_eq!(search(&services, &query).len(), services.len());
    }

    #[test]
    fn kind_and_city_filter() {
        let services = list();
        let query = Query {
            kind: Some(ServiceKind::Hotline),
            ..Query::default()
        };
        assert_eq!(
            names(&search(&services, &query)),
            vec!["Beijing Youth Hotline"]
        );
        let query = Query {
            city: Some("beijing".into()),
            ..Query::default()
        };
        assert_eq!(
            names(&search(&services, &query)),
            vec!["Beijing Youth Hotline"]
        );
        let query = Query {
            city: Some("北京市".into()),
            ..Query::default()
        };
        assert_eq!(names(&search(&services, &query)), vec!["北京戒毒咨询中心"]);
        let query = Query {
            city: Some("天津".into()),
            ..Query::default()
        };
        assert_eq!(
            names(&search(&services, &query)),
            vec!["Tianjin Legal Aid Office"]
        );
    }

    #[test]
    fn the_gazetteer_joins_both_spellings_of_a_city() {
        let services = list();
        let gazetteer = Gazetteer::parse_csv(
            "name_en,name_zh,latitude,longitude\nBeijing,北京,39.9042,116.4074\n".as_bytes(),
        )
        .unwrap();
        let query = Query {
            city: Some("BEIJING".into()),
            ..Query::default()
        };
        assert_eq!(
            names(&search_with_gazetteer(&services, &query, &gazetteer)),
            vec!["Beijing Youth Hotline", "北京戒毒咨询中心"]
        );
    }

    #[test]
    fn nearest_first_with_distances() {
        let services = list();
        let shanghai = Point {
            latitude: 31.2304,
            longitude: 121.4737,
        };
        let query = Query {
            near: Some(shanghai),
            limit: 3,
            ..Query::default()
        };
        let hits = search(&services, &query);
        assert_eq!(
            names(&hits),
            vec![
                "Shanghai Victim Support",
                "Tianjin Legal Aid Office",
                "北京戒毒咨询中心"
            ]
        );
        let km: Vec<f64> = hits.iter().map(|h| h.distance_km.unwrap()).collect();
        assert!(km[0] < 0.001);
        assert!((km[1] - 976.0).abs() < 3.0, "{km:?}");
        assert!((km[2] - 1067.0).abs() < 3.0, "{km:?}");
    }

    #[test]
    fn equal_distances_order_by_name() {
        let here = Point {
            latitude: 10.0,
            longitude: 10.0,
        };
        let services = vec![
            service("b", ServiceKind::Hotline, "X", 10.0, 10.0),
            service("a", ServiceKind::Hotline, "X", 10.0, 10.0),
        ];
        let query = Query {
            near: Some(here),
            ..Query::default()
        };
        assert_eq!(names(&search(&services, &query)), vec!["a", "b"]);
    }

    #[test]
    fn without_a_point_order_is_city_then_name_and_limit_applies() {
        let services = list();
        let hits = search(&services, &Query::default());
        assert_eq!(
            names(&hits),
            vec![
                "Beijing Youth Hotline",
                "Guangzhou Counselling",
                "Shanghai Victim Support",
                "北京戒毒咨询中心",
                "Tianjin Legal Aid Office",
            ]
        );
        assert!(hits.iter().all(|h| h.distance_km.is_none()));
        let query = Query {
            limit: 2,
            ..Query::default()
        };
        assert_eq!(search(&services, &query).len(), 2);
        let query = Query {
            limit: 0,
            ..Query::default()
        };
        assert!(search(&services, &query).is_empty());
    }
}
