//! The gazetteer: city names to coordinates, for "nearest to me" by city.
//!
//! The portal does not ask for a person's location (that would be one more
//! thing to protect); they type or pick a city, and this list turns it into
//! a point. Each city has an English and a Chinese name, and either finds
//! it: "beijing", "Beijing", "北京" and "北京市" are one place.
//!
//! The list is shipped content (`content/directory/cities.csv`), so a bad
//! row refuses the whole file rather than being skipped: it is a bug in
//! the release, not a user's typo. It does not geocode street addresses.

use super::{DirectoryError, Point};
use std::collections::HashMap;

/// Most cities a gazetteer file may hold; China has fewer than 700.
const MAX_CITIES: usize = 50_000;
const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq)]
struct City {
    name_en: String,
    name_zh: String,
    point: Point,
}

/// City names and their coordinates, looked up by either spelling.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    cities: Vec<City>,
    /// Lowercased English name, and the Chinese name without 市, to the
    /// index in `cities`; the first row with a name wins.
    by_name: HashMap<String, usize>,
}

impl Gazetteer {
    /// Parses `name_en,name_zh,latitude,longitude` (header required, columns
    /// in any order).
    pub fn parse_csv(bytes: &[u8]) -> Result<Self, DirectoryError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header = reader
            .headers()
            .map_err(|e| DirectoryError::Csv(e.to_string()))?
            .clone();
        let column = |name: &'static str| {
            header
                .iter()
                .position(|title| title.trim().eq_ignore_ascii_case(name))
                .ok_or(DirectoryError::MissingColumn(name))
        };
        let (en, zh) = (column("name_en")?, column("name_zh")?);
        let (lat, lon) = (column("latitude")?, column("longitude")?);

        let mut gazetteer = Self::default();
        for (index, record) in reader.records().enumerate() {
            let row = index + 2;
            let fail = |message: String| DirectoryError::Gazetteer { row, message };
            if index >= MAX_CITIES {
                return Err(DirectoryError::TooManyRows { limit: MAX_CITIES });
            }
            let record = record.map_err(|e| fail(e.to_string()))?;
            let field = |at: usize| record.get(at).unwrap_or("").trim();
            let city = City {
                name_en: name(field(en)).map_err(|m| fail(format!("name_en {m}")))?,
                name_zh: name(field(zh)).map_err(|m| fail(format!("name_zh {m}")))?,
                point: Point {
                    latitude: degrees(field(lat), 90.0)
                        .map_err(|m| fail(format!("latitude {m}")))?,
                    longitude: degrees(field(lon), 180.0)
                        .map_err(|m| fail(format!("longitude {m}")))?,
                },
            };
            gazetteer.add(city);
        }
        Ok(gazetteer)
    }

    fn add(&mut self, city: City) {
        let at = self.cities.len();
        self.by_name.entry(english_key(&city.name_en)).or_insert(at);
        self.by_name.entry(chinese_key(&city.name_zh)).or_insert(at);
        self.cities.push(city);
    }

    fn find(&self, name: &str) -> Option<&City> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        // The English key is lowercase and the Chinese key only loses 市,
        // so trying both covers either spelling.
        self.by_name
            .get(&english_key(name))
            .or_else(|| self.by_name.get(&chinese_key(name)))
            .and_then(|&at| self.cities.get(at))
    }

    /// The city's position, by its English name (any case) or its Chinese
    /// name (with or without 市).
    pub fn locate(&self, name: &str) -> Option<Point> {
        self.find(name).map(|city| city.point)
    }

    /// Both spellings of the city `name` names: `(name_en, name_zh)`.
    pub fn spellings(&self, name: &str) -> Option<(&str, &str)> {
        self.find(name)
            .map(|city| (city.name_en.as_str(), city.name_zh.as_str()))
    }

    /// Every city as `(name_en, name_zh)`, in file order, for a picker.
    pub fn names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.cities
            .iter()
            .map(|city| (city.name_en.as_str(), city.name_zh.as_str()))
    }

    pub fn len(&self) -> usize {
        self.cities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cities.is_empty()
    }
}

fn english_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn chinese_key(name: &str) -> String {
    let name = name.trim();
    match name.strip_suffix('市') {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => name.to_owned(),
    }
}

fn name(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err("is empty".into());
    }
    if value.chars().count() > MAX_NAME_CHARS || value.chars().any(char::is_control) {
        return Err(format!("{value:?} is not a city name"));
    }
    Ok(value.to_owned())
}

fn degrees(value: &str, limit: f64) -> Result<f64, String> {
    let number: f64 = value
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite())
        .ok_or_else(|| format!("{value:?} is not a number"))?;
    if !(-limit..=limit).contains(&number) {
        return Err(format!("{value:?} is out of range -{limit}..{limit}"));
    }
    Ok(number)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a failed test should stop loudly
mod tests {
    use super::*;

    const CITIES: &str = "name_en,name_zh,latitude,longitude\n\
                          Beijing,北京市,39.9042,116.4074\n\
                          Shanghai,上海,31.2304,121.4737\n\
                          São Paulo,圣保罗,-23.5505,-46.6333\n";

    fn gazetteer() -> Gazetteer {
        Gazetteer::parse_csv(CITIES.as_bytes()).unwrap()
    }

    #[test]
    fn either_spelling_finds_the_city() {
        let g = gazetteer();
        let beijing = Some(Point {
            latitude: 39.9042,
            longitude: 116.4074,
        });
        for name in [
            "Beijing",
            "beijing",
            " BEIJING ",
            "北京",
            "北京市",
            " 北京市 ",
        ] {
            assert_eq!(g.locate(name), beijing, "{name}");
        }
        assert_eq!(g.locate("上海市").map(|p| p.latitude), Some(31.2304));
        assert_eq!(g.locate("SÃO PAULO").map(|p| p.longitude), Some(-46.6333));
        assert_eq!(g.spellings("上海"), Some(("Shanghai", "上海")));
    }

    #[test]
    fn unknown_and_empty_names_find_nothing() {
        let g = gazetteer();
        assert_eq!(g.locate("Atlantis"), None);
        assert_eq!(g.locate(""), None);
        assert_eq!(g.locate("市"), None);
        assert_eq!(g.locate("Beijin"), None);
    }

    #[test]
    fn names_come_in_file_order() {
        let g = gazetteer();
        let names: Vec<(&str, &str)> = g.names().collect();
        assert_eq!(names[0], ("Beijing", "北京市"));
        assert_eq!(names.len(), 3);
        assert_eq!(g.len(), 3);
    }

    #[test]
    fn a_bad_row_refuses_the_file() {
        let err = Gazetteer::parse_csv(
            "name_en,name_zh,latitude,longitude\nA,甲,1,2\nB,乙,95,2\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the city list, row 3: latitude \"95\" is out of range -90..90"
        );
        let err = Gazetteer::parse_csv(b"name_en,latitude,longitude\n").unwrap_err();
        assert_eq!(err, DirectoryError::MissingColumn("name_zh"));
        let err = Gazetteer::parse_csv("name_en,name_zh,latitude,longitude\n,甲,1,2\n".as_bytes())
            .unwrap_err();
        assert_eq!(err.to_string(), "the city list, row 2: name_en is empty");
    }
}
