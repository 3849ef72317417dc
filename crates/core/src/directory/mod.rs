//! The help directory: where a person can get treatment, counselling, a
//! hotline, legal aid or victim support, and how far away it is.
//!
//! Harrier's portal shows this list next to awareness articles, because a
//! report about drugs or extortion is often written by someone who also
//! needs help. Staff maintain the list as a CSV or JSON file (`import`);
//! the portal filters and orders it (`search`) and turns a city name into
//! coordinates for "nearest to me" (`gazetteer`).
//!
//! This module owns the value types and their validation only. It does not
//! store services (the store does), geocode street addresses (staff give
//! coordinates), or call any map service: nothing here does I/O.

mod gazetteer;
mod import;
mod search;

pub use gazetteer::Gazetteer;
pub use import::{ImportOutcome, MAX_ROWS, RowError, parse_csv, parse_file, parse_json};
pub use search::{DEFAULT_LIMIT, Hit, Query, search, search_with_gazetteer};

use serde::{Deserialize, Serialize};

/// What a service offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Medical or residential treatment, e.g. for addiction.
    Treatment,
    /// Counselling in person.
    Counselling,
    /// A telephone or chat line.
    Hotline,
    /// Free or low-cost legal advice.
    LegalAid,
    /// Support for victims of crime: fraud, extortion, violence.
    VictimSupport,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 5] = [
        Self::Treatment,
        Self::Counselling,
        Self::Hotline,
        Self::LegalAid,
        Self::VictimSupport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Treatment => "treatment",
            Self::Counselling => "counselling",
            Self::Hotline => "hotline",
            Self::LegalAid => "legal_aid",
            Self::VictimSupport => "victim_support",
        }
    }

    /// The exact snake_case name, as stored and as sent by the API.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A spreadsheet cell as people type it: any case, spaces or dashes for
    /// the underscore, and the American "counseling".
    pub(crate) fn parse_lenient(s: &str) -> Option<Self> {
        let folded: String = s
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '-' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        if folded == "counseling" {
            return Some(Self::Counselling);
        }
        Self::parse(&folded)
    }
}

/// One place that helps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    pub kind: ServiceKind,
    /// Street address; empty for a hotline with no walk-in office.
    pub address: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    pub phone: String,
    /// Opening hours as staff wrote them ("Mon-Fri 9:00-17:00", "24/7").
    pub hours: String,
    pub languages: Vec<String>,
    pub url: Option<String>,
}

impl Service {
    pub fn point(&self) -> Point {
        Point {
            latitude: self.latitude,
            longitude: self.longitude,
        }
    }
}

/// A position on the earth in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

/// Mean earth radius (IUGG), the usual choice for haversine.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in kilometres.
///
/// Haversine on a sphere is off by up to ~0.5% against the ellipsoid; that
/// is far below what matters for "which clinic is nearest".
pub fn haversine_km(a: Point, b: Point) -> f64 {
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let d_lat = lat2 - lat1;
    let d_lon = (b.longitude - a.longitude).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
    // Rounding can push h a hair above 1 for antipodal points; asin of that
    // would be NaN.
    2.0 * EARTH_RADIUS_KM * h.clamp(0.0, 1.0).sqrt().asin()
}

/// Why a whole directory or gazetteer file was refused. Problems with a
/// single row are [`RowError`]s instead, so one typo does not block the rest.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DirectoryError {
    #[error("unknown directory file type {0:?}: expected a .csv or .json file")]
    UnknownFormat(String),
    #[error("the header row has no {0:?} column")]
    MissingColumn(&'static str),
    #[error("the header row has the column {0:?} twice")]
    DuplicateColumn(String),
    #[error("the file is not readable as csv: {0}")]
    Csv(String),
    #[error("invalid json at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the json file must be an array of services, not {0}")]
    NotAnArray(&'static str),
    #[error("the file has more than {limit} rows; split it into smaller files")]
    TooManyRows { limit: usize },
    #[error("the city list, row {row}: {message}")]
    Gazetteer { row: usize, message: String },
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a failed test should stop loudly
mod tests {
    use super::*;

    const BEIJING: Point = Point {
        latitude: 39.9042,
        longitude: 116.4074,
    };
    const SHANGHAI: Point = Point {
        latitude: 31.2304,
        longitude: 121.4737,
    };

    #[test]
    fn beijing_to_shanghai_is_about_1067_km() {
        let d = haversine_km(BEIJING, SHANGHAI);
        assert!((d - 1067.0).abs() < 3.0, "got {d}");
        assert!((haversine_km(SHANGHAI, BEIJING) - d).abs() < 1e-9);
        assert_eq!(haversine_km(BEIJING, BEIJING), 0.0);
    }

    #[test]
    fn antipodes_do_not_produce_nan() {
        let a = Point {
            latitude: 0.0,
            longitude: 0.0,
        };
        let b = Point {
            latitude: 0.0,
            longitude: 180.0,
        };
        let d = haversine_km(a, b);
        assert!((d - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
    }

    #[test]
    fn kinds_round_trip_and_parse_leniently() {
        for kind in ServiceKind::ALL {
            assert_eq!(ServiceKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(ServiceKind::parse("Legal Aid"), None);
        assert_eq!(
            ServiceKind::parse_lenient(" Legal Aid "),
            Some(ServiceKind::LegalAid)
        );
        assert_eq!(
            ServiceKind::parse_lenient("victim-support"),
            Some(ServiceKind::VictimSupport)
        );
        assert_eq!(
            ServiceKind::parse_lenient("Counseling"),
            Some(ServiceKind::Counselling)
        );
        assert_eq!(ServiceKind::parse_lenient("rehab"), None);
    }
}
