//! Every exported statement of reasons passes the JSON Schema of the DSA
//! Transparency Database API kept in `schemas/` (repository root):
//! decisions covering every enumeration value, both grounds and the
//! optional fields present and absent, built through `decisions::validate`
//! with the shipped taxonomy; and records the API would refuse fail it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_core::decisions::sor::{export_document, statement_of_reasons};
use harrier_core::decisions::{
    CaseDefaults, ContentType, Decision, DecisionState, Source, Statement, StatementInput,
    Visibility, validate,
};
use harrier_core::taxonomy::Taxonomy;
use serde_json::{Value, json};
use time::macros::{date, datetime};

const SCHEMA: &str = include_str!("../../../schemas/dsa-statement-of-reasons.schema.json");

fn schema_json() -> Value {
    serde_json::from_str(SCHEMA).expect("the schema file is JSON")
}

fn validator() -> jsonschema::Validator {
    let schema = schema_json();
    jsonschema::meta::validate(&schema).expect("the schema is a valid JSON Schema");
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn errors(v: &jsonschema::Validator, record: &Value) -> Vec<String> {
    v.iter_errors(record)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn assert_valid(v: &jsonschema::Validator, record: &Value, what: &str) {
    let errs = errors(v, record);
    assert!(errs.is_empty(), "{what}: {errs:#?}\n{record:#}");
}

fn taxonomy() -> Taxonomy {
    Taxonomy::shipped().unwrap()
}

fn defaults() -> CaseDefaults {
    CaseDefaults {
        category: "drugs".into(),
        source: Source::Article16,
        automated_detection: false,
        content_date: date!(2026 - 11 - 20),
        today: date!(2026 - 11 - 24),
    }
}

fn input() -> StatementInput {
    StatementInput {
        ground: "illegal_content".into(),
        legal_ground: "Art. 2 of the narcotics law".into(),
        explanation: "The post offers controlled drugs for sale with delivery.".into(),
        visibility: vec!["removed".into()],
        facts: "A post in a public group offering drugs; found by the patrol.".into(),
        ..StatementInput::default()
    }
}

fn statement(input: &StatementInput) -> Statement {
    validate(input, &taxonomy(), &defaults())
        .unwrap_or_else(|e| panic!("validate refused {input:?}: {e:?}"))
}

fn decision(id: i64, statement: Statement) -> Decision {
    Decision {
        id,
        puid: format!("harrier-{id}"),
        case_id: 1,
        subject_id: 1,
        statement,
        state: DecisionState::InForce,
        decided_by: "moderator".into(),
        decided_by_id: 1,
        decided_at: datetime!(2026-11-24 10:00 UTC),
        appeal_code: format!("CODE{id}"),
        appeal_until: datetime!(2027-05-24 10:00 UTC),
        supersedes: None,
        superseded_by: None,
    }
}

/// Inputs covering every value of every enumeration, both grounds and the
/// optional fields present and absent.
fn inputs() -> Vec<(String, StatementInput)> {
    let mut out = vec![("plain".to_owned(), input())];
    for v in Visibility::ALL {
        let mut i = input();
        i.visibility = vec![v.as_str().into()];
        if v == Visibility::Other {
            i.visibility_other = Some("shown only to the author".into());
        }
        out.push((format!("visibility {}", v.as_str()), i));
    }
    for a in ["suspended", "terminated"] {
        let mut i = input();
        i.visibility = vec![];
        i.account = Some(a.into());
        i.end_date = Some("2027-02-24".into());
        out.push((format!("account {a} alone, with an end date"), i));
    }
    for m in ["suspension", "termination", "other"] {
        let mut i = input();
        i.visibility = vec![];
        i.monetary = Some(m.into());
        if m == "other" {
            i.monetary_other = Some("payouts held for review".into());
        }
        out.push((format!("monetary {m} alone"), i));
    }
    for p in [
        "partial_suspension",
        "total_suspension",
        "partial_termination",
        "total_termination",
    ] {
        let mut i = input();
        i.visibility = vec![];
        i.provision = Some(p.into());
        out.push((format!("provision {p} alone"), i));
    }
    for t in ContentType::ALL {
        let mut i = input();
        i.content_type = vec![t.as_str().into()];
        if t == ContentType::Other {
            i.content_type_other = Some("sticker pack".into());
        }
        out.push((format!("content type {}", t.as_str()), i));
    }
    for a in ["fully", "partially", "not_automated"] {
        let mut i = input();
        i.automated_decision = a.into();
        i.automated_detection = true;
        out.push((format!("automated decision {a}"), i));
    }
    for s in [
        "article_16",
        "trusted_flagger",
        "other_notification",
        "own_initiative",
    ] {
        let mut i = input();
        i.source = s.into();
        if s != "article_16" {
            i.source_identity = Some("Example Trusted Flagger".into());
        }
        out.push((format!("source {s}"), i));
    }
    for t in ["business", "private"] {
        let mut i = input();
        i.account_type = Some(t.into());
        out.push((format!("account type {t}"), i));
    }
    for also_illegal in [true, false] {
        let mut i = input();
        i.ground = "incompatible_content".into();
        i.legal_ground = String::new();
        i.terms_clause = "Community rules §3: no sale of regulated goods".into();
        i.also_illegal = also_illegal;
        out.push((format!("incompatible, also illegal {also_illegal}"), i));
    }
    // Everything optional at once, and long texts at Harrier's limits.
    let mut all = input();
    all.ground_reference_url = Some("https://example.org/law/narcotics".into());
    all.legal_ground = "法".repeat(500);
    all.explanation = "解释".repeat(1_000);
    all.facts = "事".repeat(5_000);
    all.dsa_keywords = vec!["KEYWORD_OTHER".into(), "KEYWORD_UNSAFE_PRODUCTS".into()];
    all.dsa_keyword_other = Some("sold through a delivery app".into());
    all.dsa_category_addition = vec!["STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY".into()];
    all.visibility = vec!["removed".into(), "labelled".into(), "other".into()];
    all.visibility_other = Some("x".repeat(500));
    all.account = Some("terminated".into());
    all.monetary = Some("other".into());
    all.monetary_other = Some("y".repeat(500));
    all.provision = Some("total_termination".into());
    all.account_type = Some("private".into());
    all.territorial_scope = vec!["de".into(), "FR".into(), "NO".into(), "CN".into()];
    all.content_type = vec!["video".into(), "other".into()];
    all.content_type_other = Some("live stream".into());
    all.content_date = "2026-01-02".into();
    all.content_language = Some("zh".into());
    all.application_date = "2026-11-23".into();
    all.end_date = Some("2027-11-23".into());
    all.source = "trusted_flagger".into();
    all.source_identity = Some("Example Trusted Flagger".into());
    out.push(("every optional field".into(), all));
    out
}

#[test]
fn every_exported_record_passes_the_schema() {
    let v = validator();
    let mut decisions = Vec::new();
    for (n, (what, i)) in inputs().into_iter().enumerate() {
        let d = decision(n as i64 + 1, statement(&i));
        assert_valid(&v, &statement_of_reasons(&d), &what);
        decisions.push(d);
    }
    let doc = export_document(&decisions);
    let statements = doc["statements"].as_array().unwrap();
    assert_eq!(statements.len(), decisions.len());
    assert_eq!(doc.as_object().unwrap().len(), 1, "only `statements`");
    for s in statements {
        assert_valid(&v, s, "a statement of the document");
    }
}

#[test]
fn the_coverage_is_what_it_claims() {
    // Each enumeration value of the schema that Harrier can produce shows
    // up in some exported record: the inputs above do cover them.
    let records: Vec<Value> = inputs()
        .iter()
        .enumerate()
        .map(|(n, (_, i))| statement_of_reasons(&decision(n as i64 + 1, statement(i))))
        .collect();
    let seen = |field: &str, value: &str| {
        records.iter().any(|r| match &r[field] {
            Value::Array(a) => a.iter().any(|x| x == value),
            x => x == value,
        })
    };
    let schema = schema_json();
    let enum_of = |path: &str| -> Vec<String> {
        schema
            .pointer(path)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{path} is not in the schema"))
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect()
    };
    for (field, path) in [
        ("decision_visibility", "/$defs/decision_visibility/enum"),
        ("decision_monetary", "/properties/decision_monetary/enum"),
        ("decision_provision", "/properties/decision_provision/enum"),
        ("decision_account", "/properties/decision_account/enum"),
        ("account_type", "/properties/account_type/enum"),
        ("decision_ground", "/properties/decision_ground/enum"),
        (
            "incompatible_content_illegal",
            "/properties/incompatible_content_illegal/enum",
        ),
        ("content_type", "/$defs/content_type/enum"),
        ("source_type", "/properties/source_type/enum"),
        (
            "automated_detection",
            "/properties/automated_detection/enum",
        ),
        ("automated_decision", "/properties/automated_decision/enum"),
    ] {
        for value in enum_of(path) {
            assert!(seen(field, &value), "no record has {field} = {value}");
        }
    }
}

#[test]
fn every_taxonomy_category_maps_to_values_the_schema_accepts() {
    let v = validator();
    let schema = schema_json();
    let listed = |path: &str, value: &str| {
        schema
            .pointer(path)
            .and_then(Value::as_array)
            .unwrap()
            .iter()
            .any(|x| x == value)
    };
    let taxonomy = taxonomy();
    assert!(!taxonomy.categories().is_empty());
    for (n, c) in taxonomy.categories().iter().enumerate() {
        assert!(
            listed("/$defs/category/enum", &c.dsa_category),
            "{}: {} is not a DSA category of the schema",
            c.id,
            c.dsa_category
        );
        assert!(
            listed("/$defs/keyword/enum", &c.dsa_keyword),
            "{}: {} is not a DSA keyword of the schema",
            c.id,
            c.dsa_keyword
        );
        let mut i = input();
        i.category = c.id.clone();
        if c.dsa_keyword == "KEYWORD_OTHER" {
            i.dsa_keyword_other = Some(c.name_en.clone());
        }
        let d = decision(n as i64 + 1, statement(&i));
        let r = statement_of_reasons(&d);
        assert_eq!(r["category"], c.dsa_category.as_str());
        assert_eq!(r["category_specification"], json!([c.dsa_keyword]));
        assert_valid(&v, &r, &c.id);
    }
}

/// Records the API would refuse: each must fail the schema (so the tests
/// above can fail).
#[test]
fn records_the_api_refuses_fail_the_schema() {
    let v = validator();
    let good = statement_of_reasons(&decision(1, statement(&input())));
    assert_valid(&v, &good, "the control record");
    let mut incompatible = input();
    incompatible.ground = "incompatible_content".into();
    incompatible.terms_clause = "Rules §3".into();
    let good_incompatible = statement_of_reasons(&decision(2, statement(&incompatible)));
    assert_valid(&v, &good_incompatible, "the incompatible control record");

    type Edit = fn(&mut serde_json::Map<String, Value>);
    let cases: Vec<(&str, &Value, Edit)> = vec![
        ("a v1 ground value", &good, |r| {
            r.insert("decision_ground".into(), json!("ILLEGAL_CONTENT"));
        }),
        ("a wrong category", &good, |r| {
            r.insert(
                "category".into(),
                json!("STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS"),
            );
        }),
        ("a v1-only keyword", &good, |r| {
            r.insert(
                "category_specification".into(),
                json!(["KEYWORD_REGULATED_GOODS_SERVICES"]),
            );
        }),
        ("automated_decision Yes (v1)", &good, |r| {
            r.insert("automated_decision".into(), json!("Yes"));
        }),
        ("a missing puid", &good, |r| {
            r.remove("puid");
        }),
        ("a missing content_type", &good, |r| {
            r.remove("content_type");
        }),
        ("a missing decision_facts", &good, |r| {
            r.remove("decision_facts");
        }),
        ("illegal ground without its explanation", &good, |r| {
            r.remove("illegal_content_explanation");
        }),
        ("illegal ground without its legal ground", &good, |r| {
            r.remove("illegal_content_legal_ground");
        }),
        (
            "incompatible ground without its explanation",
            &good_incompatible,
            |r| {
                r.remove("incompatible_content_explanation");
            },
        ),
        (
            "incompatible ground with illegal-content fields",
            &good_incompatible,
            |r| {
                r.insert("illegal_content_legal_ground".into(), json!("Art. 1"));
            },
        ),
        ("no restriction at all", &good, |r| {
            r.remove("decision_visibility");
        }),
        ("visibility other without its text", &good, |r| {
            r.insert(
                "decision_visibility".into(),
                json!(["DECISION_VISIBILITY_OTHER"]),
            );
        }),
        ("monetary other without its text", &good, |r| {
            r.insert("decision_monetary".into(), json!("DECISION_MONETARY_OTHER"));
        }),
        ("content type other without its text", &good, |r| {
            r.insert("content_type".into(), json!(["CONTENT_TYPE_OTHER"]));
        }),
        ("KEYWORD_OTHER without its text", &good, |r| {
            r.insert("category_specification".into(), json!(["KEYWORD_OTHER"]));
        }),
        ("a puid with a space", &good, |r| {
            r.insert("puid".into(), json!("harrier 1"));
        }),
        ("a puid over 500 characters", &good, |r| {
            r.insert("puid".into(), json!("a".repeat(501)));
        }),
        ("a date in another format", &good, |r| {
            r.insert("content_date".into(), json!("24/11/2026"));
        }),
        ("a date that does not exist", &good, |r| {
            r.insert("application_date".into(), json!("2026-02-30"));
        }),
        ("an application date before 2020", &good, |r| {
            r.insert("application_date".into(), json!("2019-12-31"));
        }),
        ("a content date before 2000", &good, |r| {
            r.insert("content_date".into(), json!("1999-12-31"));
        }),
        ("a content date after 2038-01-01", &good, |r| {
            r.insert("content_date".into(), json!("2039-01-01"));
        }),
        ("an end date after 2038-01-01", &good, |r| {
            r.insert(
                "end_date_visibility_restriction".into(),
                json!("2038-01-02"),
            );
        }),
        ("an end date without its kind of restriction", &good, |r| {
            r.insert("end_date_account_restriction".into(), json!("2027-01-01"));
        }),
        ("a lower-case language", &good, |r| {
            r.insert("content_language".into(), json!("zh"));
        }),
        ("a country outside the EEA", &good, |r| {
            r.insert("territorial_scope".into(), json!(["DE", "CN"]));
        }),
        ("an empty territorial scope", &good, |r| {
            r.insert("territorial_scope".into(), json!([]));
        }),
        ("automated_detection as a boolean", &good, |r| {
            r.insert("automated_detection".into(), json!(true));
        }),
        ("a null", &good, |r| {
            r.insert("account_type".into(), Value::Null);
        }),
        ("a field the API does not have", &good, |r| {
            r.insert("reporter_email".into(), json!("someone@example.org"));
        }),
        ("facts over 5000 characters", &good, |r| {
            r.insert("decision_facts".into(), json!("x".repeat(5_001)));
        }),
        ("a legal ground over 500 characters", &good, |r| {
            r.insert(
                "illegal_content_legal_ground".into(),
                json!("x".repeat(501)),
            );
        }),
        ("a source identity with SOURCE_VOLUNTARY", &good, |r| {
            r.insert("source_type".into(), json!("SOURCE_VOLUNTARY"));
            r.insert("source_identity".into(), json!("someone"));
        }),
    ];
    for (what, base, edit) in cases {
        let mut record = base.as_object().unwrap().clone();
        edit(&mut record);
        let record = Value::Object(record);
        assert!(
            !v.is_valid(&record),
            "the schema accepts a record with {what}:\n{record:#}"
        );
    }
}
