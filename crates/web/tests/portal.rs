//! The public pages and the tip-off form through the real router.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{Answer, TestApp, test_app};
use harrier_core::ports::{DirectoryImport, Store};

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
];

/// The CSRF cookie and token of a fresh form page.
async fn form_tokens(t: &TestApp) -> (String, String) {
    form_tokens_of(t, "/report?lang=en").await
}

/// The CSRF cookie and token of the form page at `uri`.
async fn form_tokens_of(t: &TestApp, uri: &str) -> (String, String) {
    let page = t.get(uri).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("harrier_csrf="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (cookie, token)
}

enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----harrier-test-boundary";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(value.as_bytes());
            }
            Part::File(name, file, bytes) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                        .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_form(t: &TestApp, cookie: &str, parts: &[Part<'_>]) -> Answer {
    post_form_to(t, "/report?lang=en", cookie, parts).await
}

async fn post_form_to(t: &TestApp, uri: &str, cookie: &str, parts: &[Part<'_>]) -> Answer {
    let (content_type, body) = multipart(parts);
    t.send(
        Request::post(uri)
            .header("content-type", content_type)
            .header("cookie", cookie)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn blob_count(t: &TestApp) -> usize {
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| {
                        let path = e.path();
                        if path.is_dir() {
                            if path.ends_with("tmp") {
                                0
                            } else {
                                walk(&path)
                            }
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&t.dir.path().join("blobs"))
}

#[tokio::test]
async fn the_form_files_a_report_with_evidence_and_shows_a_receipt() {
    let t = test_app();
    let (cookie, token) = form_tokens(&t).await;
    let answer = post_form(
        &t,
        &cookie,
        &[
            Part::Text("csrf", &token),
            Part::Text("website", ""),
            Part::Text("category", "drugs"),
            Part::Text(
                "urls",
                "https://example.test/shop/ice\r\nexample.test/shop/ice",
            ),
            Part::Text("handles", "@ice_seller_01"),
            Part::Text("description", "他们在群里卖冰毒 <script>alert(1)</script>"),
            Part::Text("good_faith", "yes"),
            Part::File("evidence", "screenshot.png", PNG),
            Part::File("evidence", "", b""),
        ],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let html = answer.text();
    let code = html
        .split("id=\"receipt-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(t.report_count().await, 1);
    assert_eq!(blob_count(&t), 1);
    let status = t.get(&format!("/r/{code}?lang=en")).await;
    assert!(
        status
            .text()
            .contains("id=\"report-status\" data-status=\"received\">Received<")
    );
    let record = t.store.get_report(1).await.unwrap().unwrap();
    assert_eq!(
        record.locations.len(),
        2,
        "the same URL twice is one location"
    );
    assert_eq!(record.files[0].media_type, "image/png");
    assert!(
        record.description.contains("<script>"),
        "stored as typed, escaped only on output"
    );
}

#[tokio::test]
async fn a_refused_form_keeps_what_was_typed_and_stores_nothing() {
    let t = test_app();
    let (cookie, token) = form_tokens(&t).await;
    let token: &'static str = Box::leak(token.into_boxed_str());
    let base = |extra: Part<'static>| {
        vec![
            Part::Text("csrf", token),
            Part::Text("category", "fraud_scams"),
            Part::Text(
                "description",
                "Fake refund <b>service</b> asked for my bank code",
            ),
            Part::Text("good_faith", "yes"),
            extra,
        ]
    };
    let exe = post_form(
        &t,
        &cookie,
        &base(Part::File(
            "evidence",
            "evil.exe",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff",
        )),
    )
    .await;
    assert_eq!(exe.status, 415);
    let html = exe.text();
    assert!(
        html.contains("data-error-code=\"file_type_not_allowed\""),
        "{html}"
    );
    assert!(
        html.contains("Fake refund &#60;b&#62;service&#60;/b&#62;")
            || html.contains("Fake refund &lt;b&gt;service&lt;/b&gt;"),
        "typed text kept, escaped: {html}"
    );
    assert!(html.contains("value=\"fraud_scams\" selected"));

    let honeypot = post_form(
        &t,
        &cookie,
        &base(Part::Text("website", "http://spam.test")),
    )
    .await;
    assert_eq!(honeypot.status, 422);
    assert!(
        honeypot
            .text()
            .contains("data-error-code=\"honeypot_filled\"")
    );

    let big: &'static [u8] = Box::leak(vec![b'a'; 10 * 1024 * 1024 + 1].into_boxed_slice());
    let too_big = post_form(&t, &cookie, &base(Part::File("evidence", "big.txt", big))).await;
    assert_eq!(too_big.status, 413);
    assert!(
        too_big
            .text()
            .contains("data-error-code=\"file_too_large\"")
    );

    let six: Vec<Part<'_>> = (0..6)
        .map(|_| Part::File("evidence", "a.png", PNG))
        .collect();
    let mut parts = base(Part::Text("platform", "x"));
    parts.extend(six);
    let too_many = post_form(&t, &cookie, &parts).await;
    assert!(
        too_many
            .text()
            .contains("data-error-code=\"too_many_files\""),
        "{}",
        too_many.text()
    );

    let no_faith = post_form(
        &t,
        &cookie,
        &[
            Part::Text("csrf", token),
            Part::Text("category", "drugs"),
            Part::Text("description", "x"),
            Part::File("evidence", "a.png", PNG),
        ],
    )
    .await;
    assert!(
        no_faith
            .text()
            .contains("data-error-code=\"good_faith_required\"")
    );

    let long_line = "z".repeat(10_000);
    let long = post_form(
        &t,
        &cookie,
        &base(Part::Text(
            "platform",
            Box::leak(long_line.into_boxed_str()),
        )),
    )
    .await;
    assert_eq!(long.status, 422);
    assert!(long.text().contains("data-error-code=\"field_too_long\""));

    let bad_utf8 = {
        let (content_type, mut body) = multipart(&base(Part::Text("platform", "PLACEHOLDER")));
        let at = body.windows(11).position(|w| w == b"PLACEHOLDER").unwrap();
        body.splice(at..at + 11, [0xff, 0xfe]);
        t.send(
            Request::post("/report")
                .header("content-type", content_type)
                .header("cookie", &cookie)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    };
    assert_eq!(bad_utf8.status, 400);
    assert!(bad_utf8.text().contains("data-error-code=\"invalid_utf8\""));

    assert_eq!(t.report_count().await, 0, "nothing stored");
    assert_eq!(blob_count(&t), 0, "no evidence written for a refused form");
}

#[tokio::test]
async fn a_form_without_its_csrf_cookie_is_refused() {
    let t = test_app();
    let (_, token) = form_tokens(&t).await;
    let (_, other_token) = form_tokens(&t).await;
    let (cookie, _) = form_tokens(&t).await;
    fn parts(tok: &str) -> Vec<Part<'_>> {
        vec![
            Part::Text("csrf", tok),
            Part::Text("category", "drugs"),
            Part::Text("description", "x"),
            Part::Text("good_faith", "yes"),
        ]
    }
    let no_cookie = post_form(&t, "", &parts(&token)).await;
    assert_eq!(no_cookie.status, 403);
    assert!(no_cookie.text().contains("data-error-code=\"csrf_failed\""));
    let wrong_pair = post_form(&t, &cookie, &parts(&other_token)).await;
    assert_eq!(wrong_pair.status, 403);
    assert_eq!(t.report_count().await, 0);
}

#[tokio::test]
async fn pages_follow_the_language_asked_for() {
    let t = test_app();
    let en = t
        .send(
            Request::get("/")
                .header("accept-language", "en-US,en;q=0.9")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(en.text().contains("<html lang=\"en\">"));
    let zh = t.get("/").await;
    assert!(
        zh.text().contains("<html lang=\"zh-CN\">"),
        "Chinese by default"
    );
    let switched = t
        .send(
            Request::get("/learn?lang=zh")
                .header("accept-language", "en")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(switched.text().contains("<html lang=\"zh-CN\">"));
    let cookie = switched
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("lang=zh;"));
    let kept = t
        .send(
            Request::get("/help")
                .header("accept-language", "en")
                .header("cookie", "lang=zh")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        kept.text().contains("<html lang=\"zh-CN\">"),
        "the cookie wins over Accept-Language"
    );
    let search = t
        .get("/help?near=Shanghai&lang=en&kind=hotline")
        .await
        .text();
    let zh_link = search
        .split("hreflang=\"zh-CN\"")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        zh_link.contains("near=Shanghai")
            && zh_link.contains("kind=hotline")
            && zh_link.contains("lang=zh"),
        "switching language keeps the search: {zh_link}"
    );
}

#[tokio::test]
async fn articles_exist_in_both_languages_and_pages_carry_security_headers() {
    let t = test_app();
    for lang in ["en", "zh"] {
        let index = t.get(&format!("/learn?lang={lang}")).await;
        for slug in [
            "drugs-and-their-harms",
            "illegal-firearms",
            "online-fraud-and-scams",
            "extortion-and-paid-deletion",
            "how-to-report",
            "decisions-and-appeals",
        ] {
            assert!(
                index.text().contains(&format!("/learn/{slug}")),
                "{lang} {slug}"
            );
            let article = t.get(&format!("/learn/{slug}?lang={lang}")).await;
            assert_eq!(article.status, 200);
            assert!(article.text().contains("<h2"), "rendered Markdown");
        }
    }
    let missing = t.get("/learn/nope").await;
    assert_eq!(missing.status, 404);
    let page = t.get("/").await;
    let csp = page
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(
        page.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert!(
        !page.text().contains("<script"),
        "the portal ships no script"
    );
}

#[tokio::test]
async fn the_help_directory_finds_the_nearest_services() {
    let t = test_app();
    let sample = harrier_web::content::sample_directory().unwrap();
    let services = harrier_core::directory::parse_file("sample.csv", &sample).unwrap();
    assert!(services.errors.is_empty(), "{:?}", services.errors);
    t.store
        .import_directory(
            "sample",
            services.services,
            DirectoryImport::ReplaceSource,
            time::macros::datetime!(2026-11-24 10:00 UTC),
        )
        .await
        .unwrap();
    let near = t.get("/help?lang=en&near=Shanghai").await.text();
    let first = near.split("<li class=\"service\">").nth(1).unwrap();
    assert!(
        first.contains("Shanghai") || first.contains("上海"),
        "{first}"
    );
    assert!(near.contains("km away"));
    assert!(near.contains("SAMPLE entries"));
    let by_coordinates = t.get("/help?lang=en&lat=22.54&lon=114.06").await.text();
    let first = by_coordinates
        .split("<li class=\"service\">")
        .nth(1)
        .unwrap();
    assert!(
        first.contains("Shenzhen") || first.contains("深圳"),
        "{first}"
    );
    let hotlines = t.get("/help?lang=en&kind=hotline").await.text();
    assert!(
        hotlines
            .matches("<span class=\"tag\">Hotline</span>")
            .count()
            >= 1
    );
    assert!(!hotlines.contains("<span class=\"tag\">Treatment</span>"));
    let other_spelling = t.get("/help?lang=en&city=%E4%B8%8A%E6%B5%B7").await.text();
    assert!(
        other_spelling.contains("Shanghai"),
        "the city filter takes 上海 for Shanghai"
    );
    let bad = t.get("/help?lat=91&lon=0").await;
    assert_eq!(bad.status, 400);
    let unknown = t.get("/help?lang=en&near=Atlantis").await;
    assert!(unknown.text().contains("do not know the city"));
}

#[tokio::test]
async fn unknown_receipts_say_so_without_leaking_anything() {
    let t = test_app();
    let page = t.get("/r/00000-00000-00000-00000?lang=en").await;
    assert_eq!(page.status, 404);
    assert!(page.text().contains("receipt_not_found"));
    let junk = t.get("/r/%3Cscript%3E").await;
    assert_eq!(junk.status, 404);
    assert!(!junk.text().contains("<script>"));
    let lookup = t.get("/r?code=abcde-abcde-abcde-abcde").await;
    assert_eq!(lookup.status, 303);
}

/// A tip-off decided by a moderator with an order-less decision; returns
/// (receipt code, appeal code in its shown form).
async fn decided_tip_off(t: &TestApp) -> (String, String) {
    use harrier_core::accounts::Role;
    let filed = t
        .post_json(
            "/api/v1/reports",
            common::report_json("https://example.test/p/9"),
            &[],
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text());
    let receipt = filed.json()["receipt"].as_str().unwrap().to_owned();
    let intake = t.token("ines", Role::Intake).await;
    let moderator = t.token("mo", Role::Moderator).await;
    let report = t.get_as("/api/v1/reports", &intake).await.json()["reports"][0]["id"]
        .as_i64()
        .unwrap();
    let auth = |token: &str| format!("Bearer {token}");
    let triaged = t
        .post_json(
            &format!("/api/v1/reports/{report}/triage"),
            "{}",
            &[("authorization", &auth(&intake))],
        )
        .await;
    let case = triaged.json()["case_id"].as_i64().unwrap();
    let body = serde_json::json!({"statement": {
        "ground": "illegal_content", "legal_ground": "Criminal Law Art. 347",
        "explanation": "Offers <b>ice</b> for sale.", "visibility": ["removed"],
        "facts": "Posts with prices per gram <script>alert(1)</script>"
    }, "notice_language": "en"});
    let taken = t
        .post_json(
            &format!("/api/v1/cases/{case}/decisions"),
            body.to_string(),
            &[("authorization", &auth(&moderator))],
        )
        .await;
    assert_eq!(taken.status, 201, "{}", taken.text());
    let url = taken.json()["appeal_url"].as_str().unwrap().to_owned();
    (receipt, url.rsplit('/').next().unwrap().to_owned())
}

#[tokio::test]
async fn the_affected_person_reads_the_reasons_and_appeals_once_and_the_reporter_sees_the_outcome()
{
    let t = test_app();
    let (receipt, code) = decided_tip_off(&t).await;
    let uri = format!("/appeal/{code}?lang=en");
    let page = t.get(&uri).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Criminal Law Art. 347"), "{html}");
    assert!(html.contains("content removed"));
    assert!(html.contains("&#60;script&#62;"), "reasons are escaped");
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("id=\"appeal-form\""));
    // The code is read like a receipt: lower case and without dashes too.
    assert_eq!(
        t.get(&format!("/appeal/{}", code.replace('-', "").to_lowercase()))
            .await
            .status,
        200
    );
    assert_eq!(t.get("/appeal/AAAAA-AAAAA-AAAAA-AAAAA").await.status, 404);

    // An empty explanation is refused, nothing is written, the e-mail is kept.
    let (cookie, token) = form_tokens_of(&t, &uri).await;
    let before = blob_count(&t);
    let refused = post_form_to(
        &t,
        &uri,
        &cookie,
        &[
            Part::Text("csrf", &token),
            Part::Text("explanation", "  "),
            Part::Text("contact_email", "me@example.org"),
            Part::File("evidence", "shot.png", PNG),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text()
            .contains("data-error-code=\"explanation_required\"")
    );
    assert!(refused.text().contains("value=\"me@example.org\""));
    assert_eq!(blob_count(&t), before);

    let filed = post_form_to(
        &t,
        &uri,
        &cookie,
        &[
            Part::Text("csrf", &token),
            Part::Text(
                "explanation",
                "I quoted a news story <img src=x onerror=alert(1)>",
            ),
            Part::Text("contact_email", "me@example.org"),
            Part::File("evidence", "shot.png", PNG),
        ],
    )
    .await;
    assert_eq!(filed.status, 201, "{}", filed.text());
    assert!(filed.text().contains("id=\"appeal-received\""));
    assert!(
        !filed.text().contains("id=\"appeal-form\""),
        "one open appeal at a time"
    );
    assert_eq!(blob_count(&t), before + 1);
    let again = post_form_to(
        &t,
        &uri,
        &cookie,
        &[
            Part::Text("csrf", &token),
            Part::Text("explanation", "again"),
        ],
    )
    .await;
    assert_eq!(again.status, 409);
    assert!(
        again
            .text()
            .contains("data-error-code=\"appeal_already_open\"")
    );

    let status = t.get(&format!("/r/{receipt}?lang=en")).await.text();
    assert!(status.contains("id=\"report-decisions\""), "{status}");
    assert!(status.contains("content removed"));
    assert!(status.contains("data-state=\"appeal.state.in_force\""));
}
