//! Conditions of a rule: small strings such as `lexicon:drugs/substance`,
//! `pattern:price.*`, `entity:handle/wechat`, `classifier:spam>=0.8`,
//! `hash:known_csam`... (the grammar is in `rules/README.md`).
//!
//! Why strings and not an expression language: a rule is a conjunction of
//! evidence ("a drug term, and a sale phrase or a contact, and no news
//! wording"); three lists of atoms (`all`, `any`, `none`) say that, read
//! well in review, and compile to checks that cost nanoseconds. CEL would
//! add a dependency and an interpreter per item for no expressive need
//! here.

/// One condition, as parsed; names are resolved when the ruleset compiles.
#[derive(Clone, Debug, PartialEq)]
pub enum AtomSpec {
    /// A hit of a lexicon (`*` = any), restricted to kinds when given.
    Lexicon { lexicon: String, kinds: Vec<String> },
    /// A match of a pattern, or of any pattern whose id starts with a
    /// prefix (`price.*`).
    Pattern { id: String, prefix: bool },
    /// An extracted entity of a kind, with an optional detail (`wechat`,
    /// `shortener`, `listed`, ...).
    Entity {
        kind: String,
        detail: Option<String>,
    },
    /// A classifier's score at or above a threshold.
    Classifier { name: String, min: f32 },
    /// An attached image on a hash list (`*` = any list).
    Hash { list: String },
    /// Item metadata.
    Meta(Meta),
}

/// Metadata conditions.
#[derive(Clone, Debug, PartialEq)]
pub enum Meta {
    Lang(String),
    Provider(String),
    /// The item was posted in a room.
    InRoom,
    /// The item's hour (UTC, from `ts`) lies in `from..to`, wrapping past
    /// midnight when `from > to` (`hour=21-4` is 21:00 to 03:59).
    HourUtc {
        from: u8,
        to: u8,
    },
}

/// Parse one atom; the error says what is wrong with it.
pub fn parse(text: &str) -> Result<AtomSpec, String> {
    let text = text.trim();
    let Some((head, rest)) = text.split_once(':') else {
        return Err(format!(
            "{text:?}: a condition is kind:argument (lexicon:, pattern:, entity:, classifier:, hash:, meta:)"
        ));
    };
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(format!("{text:?}: nothing after \"{head}:\""));
    }
    match head.trim() {
        "lexicon" => {
            let (lexicon, kinds) = match rest.split_once('/') {
                Some((lexicon, kinds)) => (
                    lexicon,
                    kinds.split('|').map(|k| k.trim().to_owned()).collect(),
                ),
                None => (rest, Vec::new()),
            };
            let kinds: Vec<String> = kinds;
            if kinds.iter().any(String::is_empty) {
                return Err(format!("{text:?}: an empty kind"));
            }
            Ok(AtomSpec::Lexicon {
                lexicon: lexicon.trim().to_owned(),
                kinds,
            })
        }
        "pattern" => Ok(match rest.strip_suffix('*') {
            Some(prefix) => AtomSpec::Pattern {
                id: prefix.to_owned(),
                prefix: true,
            },
            None => AtomSpec::Pattern {
                id: rest.to_owned(),
                prefix: false,
            },
        }),
        "entity" => {
            let (kind, detail) = match rest.split_once('/') {
                Some((kind, detail)) => (kind, Some(detail.trim().to_owned())),
                None => (rest, None),
            };
            const KINDS: [&str; 6] = ["url", "domain", "phone", "email", "handle", "wallet"];
            if !KINDS.contains(&kind.trim()) {
                return Err(format!("{text:?}: entity kinds are {}", KINDS.join(", ")));
            }
            Ok(AtomSpec::Entity {
                kind: kind.trim().to_owned(),
                detail,
            })
        }
        "classifier" => {
            let Some((name, min)) = rest.split_once(">=") else {
                return Err(format!("{text:?}: write classifier:NAME>=SCORE"));
            };
            let min: f32 = min
                .trim()
                .parse()
                .map_err(|_| format!("{text:?}: {:?} is not a number", min.trim()))?;
            if !(0.0..=1.0).contains(&min) {
                return Err(format!("{text:?}: the score is within 0..=1"));
            }
            Ok(AtomSpec::Classifier {
                name: name.trim().to_owned(),
                min,
            })
        }
        "hash" => Ok(AtomSpec::Hash {
            list: rest.to_owned(),
        }),
        "meta" => parse_meta(text, rest).map(AtomSpec::Meta),
        other => Err(format!(
            "{text:?}: unknown condition kind {other:?} (lexicon, pattern, entity, classifier, hash, meta)"
        )),
    }
}

fn parse_meta(text: &str, rest: &str) -> Result<Meta, String> {
    if rest == "room" {
        return Ok(Meta::InRoom);
    }
    let Some((key, value)) = rest.split_once('=') else {
        return Err(format!(
            "{text:?}: write meta:room, meta:lang=zh, meta:provider=NAME or meta:hour=21-4"
        ));
    };
    let value = value.trim();
    match key.trim() {
        "lang" => Ok(Meta::Lang(value.to_owned())),
        "provider" => Ok(Meta::Provider(value.to_owned())),
        "hour" => {
            let hour = |part: &str| -> Result<u8, String> {
                part.trim()
                    .parse::<u8>()
                    .ok()
                    .filter(|h| *h <= 24)
                    .ok_or_else(|| format!("{text:?}: {part:?} is not an hour 0..=24"))
            };
            let Some((from, to)) = value.split_once('-') else {
                return Err(format!("{text:?}: write hour=FROM-TO, e.g. hour=21-4"));
            };
            Ok(Meta::HourUtc {
                from: hour(from)?,
                to: hour(to)?,
            })
        }
        other => Err(format!(
            "{text:?}: unknown metadata {other:?} (lang, provider, hour, room)"
        )),
    }
}

impl Meta {
    /// Whether an hour of the day (0..24) lies in the range.
    pub(crate) fn hour_in(from: u8, to: u8, hour: u8) -> bool {
        if from <= to {
            (from..to).contains(&hour)
        } else {
            hour >= from || hour < to
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        assert_eq!(
            parse("lexicon:drugs/substance|slang").unwrap(),
            AtomSpec::Lexicon {
                lexicon: "drugs".into(),
                kinds: vec!["substance".into(), "slang".into()]
            }
        );
        assert_eq!(
            parse("pattern:price.*").unwrap(),
            AtomSpec::Pattern {
                id: "price.".into(),
                prefix: true
            }
        );
        assert_eq!(
            parse("entity:handle/wechat").unwrap(),
            AtomSpec::Entity {
                kind: "handle".into(),
                detail: Some("wechat".into())
            }
        );
        assert_eq!(
            parse("classifier:spam>=0.8").unwrap(),
            AtomSpec::Classifier {
                name: "spam".into(),
                min: 0.8
            }
        );
        assert_eq!(
            parse("meta:hour=21-4").unwrap(),
            AtomSpec::Meta(Meta::HourUtc { from: 21, to: 4 })
        );
        assert_eq!(parse("meta:room").unwrap(), AtomSpec::Meta(Meta::InRoom));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(
            parse("lexcon:drugs")
                .unwrap_err()
                .contains("unknown condition kind")
        );
        assert!(
            parse("entity:fax")
                .unwrap_err()
                .contains("entity kinds are")
        );
        assert!(
            parse("classifier:spam>0.8")
                .unwrap_err()
                .contains("classifier:NAME>=SCORE")
        );
        assert!(parse("meta:hour=25-4").unwrap_err().contains("not an hour"));
        assert!(parse("drugs").unwrap_err().contains("kind:argument"));
    }

    #[test]
    fn night_hours_wrap() {
        assert!(Meta::hour_in(21, 4, 23));
        assert!(Meta::hour_in(21, 4, 3));
        assert!(!Meta::hour_in(21, 4, 4));
        assert!(!Meta::hour_in(21, 4, 12));
        assert!(Meta::hour_in(9, 17, 9));
    }
}
