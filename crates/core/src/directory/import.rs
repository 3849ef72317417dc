//! Reading a directory file that staff exported from a spreadsheet (CSV) or
//! wrote by hand or script (JSON).
//!
//! Row by row: one bad row is reported with its number, as a person counts
//! in a spreadsheet (the CSV header is row 1; JSON elements are "entry 1",
//! "entry 2", ...), and every good row is still imported. Only problems that
//! make the whole file meaningless (a missing column, broken JSON, too many
//! rows) refuse the file.
//!
//! This does not read files from disk (the caller hands over bytes it read
//! with a cap) and does not decide whether an import replaces or adds to
//! the stored list; that is the store's `DirectoryImport` mode.

use super::{DirectoryError, Service, ServiceKind};
use serde::Serialize;
use serde_json::{Map, Value};

/// The most data rows one file may hold. A national directory is a few
/// thousand services; anything near this is a wrong file.
pub const MAX_ROWS: usize = 100_000;

const MAX_NAME_CHARS: usize = 300;
const MAX_ADDRESS_CHARS: usize = 300;
const MAX_OTHER_CHARS: usize = 500;

/// Every column of the CSV form, in the documented order.
const COLUMNS: [&str; 10] = [
    "name",
    "kind",
    "address",
    "city",
    "latitude",
    "longitude",
    "phone",
    "hours",
    "languages",
    "url",
];

/// Columns a file may leave out entirely: a directory without web sites.
const OPTIONAL_COLUMNS: [&str; 1] = ["url"];

/// One row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    /// The row (CSV, header = 1) or entry (JSON, first = 1) number.
    pub row: usize,
    /// The whole sentence to show, starting "row 7: " or "entry 3: ".
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What an import produced: the services to store and the rows to fix.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportOutcome {
    pub services: Vec<Service>,
    pub errors: Vec<RowError>,
}

impl ImportOutcome {
    fn push(&mut self, row: usize, result: Result<Service, String>) {
        match result {
            Ok(service) => self.services.push(service),
            Err(message) => self.errors.push(RowError { row, message }),
        }
    }
}

/// Picks the parser by the file name's extension.
pub fn parse_file(name: &str, bytes: &[u8]) -> Result<ImportOutcome, DirectoryError> {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "csv" => parse_csv(bytes),
        "json" => parse_json(bytes),
        _ => Err(DirectoryError::UnknownFormat(name.to_owned())),
    }
}

/// Parses the CSV form: a header row naming the columns (in any order, extra
/// columns ignored), `languages` separated by `;`, `url` optional.
pub fn parse_csv(bytes: &[u8]) -> Result<ImportOutcome, DirectoryError> {
    let mut reader = csv::ReaderBuilder::new()
        // Field counts are checked per row below, so a short row becomes a
        // row error instead of stopping the whole file.
        .flexible(true)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| DirectoryError::Csv(e.to_string()))?
        .clone();
    let columns = ColumnIndex::locate(&header)?;

    let mut outcome = ImportOutcome::default();
    let mut record = csv::StringRecord::new();
    let mut data_rows = 0usize;
    loop {
        let read = reader.read_record(&mut record);
        if matches!(read, Ok(false)) {
            break;
        }
        data_rows += 1;
        if data_rows > MAX_ROWS {
            return Err(DirectoryError::TooManyRows { limit: MAX_ROWS });
        }
        // The header is row 1, so the first data row is row 2.
        let row = data_rows + 1;
        let label = format!("row {row}");
        match read {
            Ok(_) => {}
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                outcome.push(row, Err(format!("{label}: is not valid UTF-8 text")));
                continue;
            }
            // Reading from a slice fails only on bad UTF-8; anything else
            // would be a csv bug, and looping on it could never end.
            Err(e) => return Err(DirectoryError::Csv(e.to_string())),
        }
        // Spreadsheets export formatted but empty rows as ",,,,"; they are
        // nobody's mistake and not a service.
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            let message = format!(
                "{label}: has {} fields, but the header has {}",
                record.len(),
                header.len()
            );
            outcome.push(row, Err(message));
            continue;
        }
        let draft = columns.draft(&record);
        outcome.push(row, draft.validate(&label));
    }
    Ok(outcome)
}

/// Parses the JSON form: an array of objects with the CSV's fields;
/// `languages` an array of strings, coordinates numbers (or numeric text).
pub fn parse_json(bytes: &[u8]) -> Result<ImportOutcome, DirectoryError> {
    // Notepad on Windows writes a byte-order mark that serde_json refuses.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        let full = e.to_string();
        // serde_json appends " at line L column C"; it is in the fields.
        let message = match full.rfind(" at line ") {
            Some(at) => full[..at].to_owned(),
            None => full,
        };
        DirectoryError::Json {
            line: e.line(),
            column: e.column(),
            message,
        }
    })?;
    let entries = match value {
        Value::Array(entries) => entries,
        other => return Err(DirectoryError::NotAnArray(json_type(&other))),
    };
    if entries.len() > MAX_ROWS {
        return Err(DirectoryError::TooManyRows { limit: MAX_ROWS });
    }
    let mut outcome = ImportOutcome::default();
    for (index, entry) in entries.iter().enumerate() {
        let row = index + 1;
        let label = format!("entry {row}");
        let result = match entry {
            Value::Object(fields) => {
                draft_from_json(fields, &label).and_then(|draft| draft.validate(&label))
            }
            other => Err(format!("{label}: is {}, not an object", json_type(other))),
        };
        outcome.push(row, result);
    }
    Ok(outcome)
}

/// Where each known column sits in the CSV header.
struct ColumnIndex {
    at: [Option<usize>; COLUMNS.len()],
}

impl ColumnIndex {
    fn locate(header: &csv::StringRecord) -> Result<Self, DirectoryError> {
        let mut at = [None; COLUMNS.len()];
        for (position, title) in header.iter().enumerate() {
            let title = title.trim().to_ascii_lowercase();
            let Some(column) = COLUMNS.iter().position(|c| *c == title) else {
                continue;
            };
            if at[column].is_some() {
                return Err(DirectoryError::DuplicateColumn(title));
            }
            at[column] = Some(position);
        }
        for (column, name) in COLUMNS.iter().enumerate() {
            if at[column].is_none() && !OPTIONAL_COLUMNS.contains(name) {
                return Err(DirectoryError::MissingColumn(name));
            }
        }
        Ok(Self { at })
    }

    fn get<'r>(&self, record: &'r csv::StringRecord, name: &str) -> &'r str {
        COLUMNS
            .iter()
            .position(|c| *c == name)
            .and_then(|column| self.at[column])
            .and_then(|position| record.get(position))
            .unwrap_or("")
    }

    fn draft(&self, record: &csv::StringRecord) -> Draft {
        Draft {
            name: self.get(record, "name").to_owned(),
            kind: self.get(record, "kind").to_owned(),
            address: self.get(record, "address").to_owned(),
            city: self.get(record, "city").to_owned(),
            latitude: self.get(record, "latitude").to_owned(),
            longitude: self.get(record, "longitude").to_owned(),
            phone: self.get(record, "phone").to_owned(),
            hours: self.get(record, "hours").to_owned(),
            languages: split_languages(self.get(record, "languages")),
            url: self.get(record, "url").to_owned(),
        }
    }
}

/// One row as text, before validation; both formats meet here so their
/// rules and messages are the same.
struct Draft {
    name: String,
    kind: String,
    address: String,
    city: String,
    latitude: String,
    longitude: String,
    phone: String,
    hours: String,
    languages: Vec<String>,
    url: String,
}

impl Draft {
    /// Checks every field; the error is the first problem, prefixed by
    /// `label` ("row 7", "entry 3").
    fn validate(self, label: &str) -> Result<Service, String> {
        let fail = |problem: String| format!("{label}: {problem}");

        let name = text("name", &self.name, MAX_NAME_CHARS).map_err(fail)?;
        if name.is_empty() {
            return Err(fail("name is empty".into()));
        }
        let kind_text = clean(&self.kind);
        let kind = ServiceKind::parse_lenient(&kind_text).ok_or_else(|| {
            let known: Vec<&str> = ServiceKind::ALL.iter().map(|k| k.as_str()).collect();
            fail(format!(
                "kind {kind_text:?} is not one of {}",
                known.join(", ")
            ))
        })?;
        let address = text("address", &self.address, MAX_ADDRESS_CHARS).map_err(fail)?;
        let city = text("city", &self.city, MAX_OTHER_CHARS).map_err(fail)?;
        if city.is_empty() {
            return Err(fail("city is empty".into()));
        }
        let latitude = coordinate("latitude", &self.latitude, 90.0).map_err(fail)?;
        let longitude = coordinate("longitude", &self.longitude, 180.0).map_err(fail)?;
        if latitude == 0.0 && longitude == 0.0 {
            // A spreadsheet's blank number cell, not a clinic in the
            // Gulf of Guinea.
            return Err(fail(
                "latitude and longitude are both 0; give the real position".into(),
            ));
        }
        let phone = text("phone", &self.phone, MAX_OTHER_CHARS).map_err(fail)?;
        let hours = text("hours", &self.hours, MAX_OTHER_CHARS).map_err(fail)?;
        let languages = languages(&self.languages).map_err(fail)?;
        let url = web_address(&self.url).map_err(fail)?;
        if phone.is_empty() && url.is_none() {
            return Err(fail(
                "has neither a phone number nor a url; people could not reach it".into(),
            ));
        }
        Ok(Service {
            name,
            kind,
            address,
            city,
            latitude,
            longitude,
            phone,
            hours,
            languages,
            url,
        })
    }
}

fn draft_from_json(fields: &Map<String, Value>, label: &str) -> Result<Draft, String> {
    let text = |key: &str, required: bool| -> Result<String, String> {
        match fields.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            // Phone numbers and coordinates are often written as numbers.
            Some(Value::Number(n)) => Ok(n.to_string()),
            None | Some(Value::Null) if required => Err(format!("{label}: {key} is missing")),
            None | Some(Value::Null) => Ok(String::new()),
            Some(other) => Err(format!(
                "{label}: {key} must be text, not {}",
                json_type(other)
            )),
        }
    };
    let languages = match fields.get("languages") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => split_languages(s),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    other => {
                        return Err(format!(
                            "{label}: languages must be a list of text, but one is {}",
                            json_type(other)
                        ));
                    }
                }
            }
            out
        }
        Some(other) => {
            return Err(format!(
                "{label}: languages must be a list of text, not {}",
                json_type(other)
            ));
        }
    };
    Ok(Draft {
        name: text("name", true)?,
        kind: text("kind", true)?,
        address: text("address", false)?,
        city: text("city", true)?,
        latitude: text("latitude", true)?,
        longitude: text("longitude", true)?,
        phone: text("phone", false)?,
        hours: text("hours", false)?,
        languages,
        url: text("url", false)?,
    })
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Collapses every run of whitespace (including line breaks inside a quoted
/// cell) to one space and trims the ends.
fn clean(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A cleaned text field, refused if it holds control characters or is longer
/// than `cap` characters.
fn text(field: &str, raw: &str, cap: usize) -> Result<String, String> {
    let value = clean(raw);
    if value.chars().any(char::is_control) {
        return Err(format!("{field} contains a control character"));
    }
    if value.chars().count() > cap {
        return Err(format!("{field} is longer than {cap} characters"));
    }
    Ok(value)
}

fn coordinate(field: &str, raw: &str, limit: f64) -> Result<f64, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(format!("{field} is empty"));
    }
    let shown: String = value.chars().take(40).collect();
    let number: f64 = value
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite())
        .ok_or_else(|| format!("{field} {shown:?} is not a number"))?;
    if !(-limit..=limit).contains(&number) {
        return Err(format!(
            "{field} {shown:?} is out of range -{limit}..{limit}"
        ));
    }
    Ok(number)
}

fn split_languages(raw: &str) -> Vec<String> {
    // The full-width semicolon is what a Chinese keyboard types.
    raw.split([';', '；']).map(str::to_owned).collect()
}

fn languages(raw: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    let mut total_chars = 0;
    for language in raw {
        let language = text("languages", language, MAX_OTHER_CHARS)?;
        total_chars += language.chars().count();
        if total_chars > MAX_OTHER_CHARS {
            return Err(format!(
                "languages are longer than {MAX_OTHER_CHARS} characters"
            ));
        }
        if !language.is_empty() && !out.contains(&language) {
            out.push(language);
        }
    }
    Ok(out)
}

fn web_address(raw: &str) -> Result<Option<String>, String> {
    let value = text("url", raw, MAX_OTHER_CHARS)?;
    if value.is_empty() {
        return Ok(None);
    }
    let parsed =
        url::Url::parse(&value).map_err(|e| format!("url {value:?} is not a web address: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("url {value:?} must start with http:// or https://"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("url {value:?} has no host"));
    }
    Ok(Some(parsed.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a failed test should stop loudly
mod tests {
    use super::*;

    const HEADER: &str = "name,kind,address,city,latitude,longitude,phone,hours,languages,url\n";

    fn csv(rows: &str) -> ImportOutcome {
        parse_csv(format!("{HEADER}{rows}").as_bytes()).unwrap()
    }

    fn messages(outcome: &ImportOutcome) -> Vec<&str> {
        outcome.errors.iter().map(|e| e.message.as_str()).collect()
    }

    #[test]
    fn good_csv_imports_every_row() {
        let outcome = csv(concat!(
            "北京戒毒咨询中心,treatment,东城区某路1号,北京,39.93,116.42,010-12345678,周一至周五 9:00-17:00,中文;English,https://example.org/bj\n",
            "\"Shanghai Legal Aid, Xuhui\",Legal Aid,\"1 Road\nFloor 2\",Shanghai,31.19,121.44,021 1234 5678,24/7,English; 中文 ;,\n",
        ));
        assert_eq!(outcome.errors, vec![]);
        assert_eq!(outcome.services.len(), 2);
        let bj = &outcome.services[0];
        assert_eq!(bj.kind, ServiceKind::Treatment);
        assert_eq!(bj.languages, vec!["中文", "English"]);
        assert_eq!(bj.url.as_deref(), Some("https://example.org/bj"));
        let sh = &outcome.services[1];
        assert_eq!(sh.name, "Shanghai Legal Aid, Xuhui");
        assert_eq!(sh.kind, ServiceKind::LegalAid);
        assert_eq!(sh.address, "1 Road Floor 2");
        assert_eq!(sh.languages, vec!["English", "中文"]);
        assert_eq!(sh.url, None);
    }

    #[test]
    fn columns_may_come_in_any_order_and_url_may_be_absent() {
        let bytes = "\u{feff}City,Name,Kind,Latitude,Longitude,Phone,Hours,Languages,Address,Notes\n\
                     Beijing,Hotline A,hotline,39.9,116.4,12355,24/7,zh,,call first\n";
        let outcome = parse_csv(bytes.as_bytes()).unwrap();
        assert_eq!(outcome.errors, vec![]);
        assert_eq!(outcome.services[0].name, "Hotline A");
        assert_eq!(outcome.services[0].city, "Beijing");
        assert_eq!(outcome.services[0].address, "");
    }

    #[test]
    fn bad_rows_are_reported_with_spreadsheet_row_numbers() {
        let outcome = csv(concat!(
            "Good,hotline,,Beijing,39.9,116.4,12355,,,\n",  // row 2
            "Rehab,rehab,,Beijing,39.9,116.4,12355,,,\n",   // row 3
            ",hotline,,Beijing,39.9,116.4,12355,,,\n",      // row 4
            "North,hotline,,Beijing,91.5,116.4,12355,,,\n", // row 5
            "Short,hotline,Beijing\n",                      // row 6
            ",,,,,,,,,\n",                                  // row 7, blank
            "Ftp,hotline,,Beijing,39.9,116.4,12355,,,ftp://example.org/\n", // row 8
            "Lon,hotline,,Beijing,39.9,east,12355,,,\n",    // row 9
            "Mute,hotline,,Beijing,39.9,116.4,,,,\n",       // row 10
            "Zero,hotline,,Beijing,0,0,12355,,,\n",         // row 11
            "Also good,counselling,,Beijing,39.9,116.4,12355,,,http://x.example/\n", // row 12
        ));
        assert_eq!(outcome.services.len(), 2);
        assert_eq!(
            messages(&outcome),
            vec![
                "row 3: kind \"rehab\" is not one of treatment, counselling, hotline, legal_aid, victim_support",
                "row 4: name is empty",
                "row 5: latitude \"91.5\" is out of range -90..90",
                "row 6: has 3 fields, but the header has 10",
                "row 8: url \"ftp://example.org/\" must start with http:// or https://",
                "row 9: longitude \"east\" is not a number",
                "row 10: has neither a phone number nor a url; people could not reach it",
                "row 11: latitude and longitude are both 0; give the real position",
            ]
        );
        let rows: Vec<usize> = outcome.errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![3, 4, 5, 6, 8, 9, 10, 11]);
    }

    #[test]
    fn quoted_line_breaks_do_not_shift_row_numbers() {
        let outcome = csv(
            "\"Two\nlines\",hotline,,Beijing,39.9,116.4,12355,,,\nBad,hotline,,Beijing,99,116.4,12355,,,\n",
        );
        assert_eq!(outcome.services[0].name, "Two lines");
        assert_eq!(outcome.errors[0].row, 3);
    }

    #[test]
    fn overlong_fields_and_control_characters_are_refused() {
        let long_name = "n".repeat(301);
        let outcome = csv(&format!(
            "{long_name},hotline,,Beijing,39.9,116.4,12355,,,\nA\u{0},hotline,,Beijing,39.9,116.4,12355,,,\n"
        ));
        assert_eq!(
            messages(&outcome),
            vec![
                "row 2: name is longer than 300 characters",
                "row 3: name contains a control character",
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_one_row_error() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\xfe,hotline,,Beijing,39.9,116.4,12355,,,\n");
        bytes.extend_from_slice(b"Fine,hotline,,Beijing,39.9,116.4,12355,,,\n");
        let outcome = parse_csv(&bytes).unwrap();
        assert_eq!(messages(&outcome), vec!["row 2: is not valid UTF-8 text"]);
        assert_eq!(outcome.services.len(), 1);
    }

    #[test]
    fn a_missing_column_refuses_the_file() {
        let err =
            parse_csv(b"name,kind,address,city,latitude,phone,hours,languages\n").unwrap_err();
        assert_eq!(err, DirectoryError::MissingColumn("longitude"));
        assert_eq!(
            err.to_string(),
            "the header row has no \"longitude\" column"
        );
        assert_eq!(
            parse_csv(b"").unwrap_err(),
            DirectoryError::MissingColumn("name")
        );
        let twice =
            parse_csv(b"name,kind,address,city,latitude,longitude,phone,hours,languages,Name\n");
        assert_eq!(
            twice.unwrap_err(),
            DirectoryError::DuplicateColumn("name".into())
        );
    }

    #[test]
    fn too_many_rows_refuse_the_file() {
        let mut text = HEADER.to_owned();
        for _ in 0..=MAX_ROWS {
            text.push_str("a\n");
        }
        assert_eq!(
            parse_csv(text.as_bytes()).unwrap_err(),
            DirectoryError::TooManyRows { limit: MAX_ROWS }
        );
    }

    #[test]
    fn good_json_imports() {
        let json = r#"[
            {"name": "Hotline", "kind": "hotline", "city": "北京", "latitude": 39.9,
             "longitude": "116.4", "phone": 12355, "languages": ["zh", "en"], "url": null},
            {"name": "Clinic", "kind": "treatment", "address": "1 Road", "city": "Shanghai",
             "latitude": 31.2, "longitude": 121.5, "hours": "24/7", "languages": "en;zh",
             "url": "https://clinic.example/", "extra": true}
        ]"#;
        let outcome = parse_json(json.as_bytes()).unwrap();
        assert_eq!(outcome.errors, vec![]);
        assert_eq!(outcome.services[0].phone, "12355");
        assert_eq!(outcome.services[0].longitude, 116.4);
        assert_eq!(outcome.services[0].languages, vec!["zh", "en"]);
        assert_eq!(outcome.services[1].languages, vec!["en", "zh"]);
    }

    #[test]
    fn bad_json_entries_are_reported_by_entry_number() {
        let json = r#"[
            {"name": "Ok", "kind": "hotline", "city": "X", "latitude": 1, "longitude": 2, "phone": "1"},
            "not an object",
            {"kind": "hotline", "city": "X", "latitude": 1, "longitude": 2, "phone": "1"},
            {"name": "N", "kind": "hotline", "city": "X", "latitude": -95, "longitude": 2, "phone": "1"},
            {"name": "L", "kind": "hotline", "city": "X", "latitude": 1, "longitude": 2, "phone": "1", "languages": [1]},
            {"name": ["x"], "kind": "hotline", "city": "X", "latitude": 1, "longitude": 2, "phone": "1"}
        ]"#;
        let outcome = parse_json(json.as_bytes()).unwrap();
        assert_eq!(outcome.services.len(), 1);
        assert_eq!(
            messages(&outcome),
            vec![
                "entry 2: is text, not an object",
                "entry 3: name is missing",
                "entry 4: latitude \"-95\" is out of range -90..90",
                "entry 5: languages must be a list of text, but one is a number",
                "entry 6: name must be text, not a list",
            ]
        );
        let rows: Vec<usize> = outcome.errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![2, 3, 4, 5, 6]);
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let err = parse_json(b"[\n  {\"name\": \"x\",}\n]").unwrap_err();
        let DirectoryError::Json {
            line,
            column,
            message,
        } = &err
        else {
            panic!("expected a json error, got {err:?}");
        };
        assert_eq!((*line, *column), (2, 16));
        assert!(!message.contains(" at line "), "{message}");
        assert!(
            err.to_string()
                .starts_with("invalid json at line 2, column 16: "),
            "{err}"
        );
        assert_eq!(
            parse_json(br#"{"name": "x"}"#).unwrap_err(),
            DirectoryError::NotAnArray("an object")
        );
    }

    #[test]
    fn file_type_comes_from_the_extension() {
        assert!(parse_file("Directory.CSV", HEADER.as_bytes()).is_ok());
        assert!(parse_file("d.json", b"[]").is_ok());
        assert_eq!(
            parse_file("d.xlsx", b"").unwrap_err(),
            DirectoryError::UnknownFormat("d.xlsx".into())
        );
        assert!(matches!(
            parse_file("csv", b""),
            Err(DirectoryError::UnknownFormat(_))
        ));
    }
}
