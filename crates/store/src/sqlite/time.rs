//! Times in SQLite: UTC text in one fixed format, so that text order is
//! time order and the database stays readable with the sqlite3 shell.

use harrier_core::ports::StoreError;
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

const STAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
const DAY: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

pub(crate) fn stamp(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(STAMP)
        .unwrap_or_else(|_| String::from("0000-00-00T00:00:00.000000Z"))
}

pub(crate) fn parse_stamp(s: &str) -> Result<OffsetDateTime, StoreError> {
    PrimitiveDateTime::parse(s, STAMP)
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|e| StoreError::Unavailable(format!("bad time {s:?} in database: {e}")))
}

pub(crate) fn day(d: Date) -> String {
    d.format(DAY).unwrap_or_default()
}

pub(crate) fn parse_day(s: &str) -> Result<Date, StoreError> {
    Date::parse(s, DAY)
        .map_err(|e| StoreError::Unavailable(format!("bad date {s:?} in database: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn stamps_round_trip_and_sort_as_text() {
        let a = datetime!(2026-11-24 09:05:01.5 UTC);
        let b = datetime!(2026-11-24 10:00 +08:00);
        assert_eq!(parse_stamp(&stamp(a)).unwrap(), a);
        assert_eq!(parse_stamp(&stamp(b)).unwrap(), b);
        assert!(
            stamp(b) < stamp(a),
            "10:00+08 is 02:00 UTC, before 09:05 UTC"
        );
    }
}
