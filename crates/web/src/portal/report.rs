//! The tip-off form.
//!
//! The multipart body is read field by field under caps (64 KiB of text,
//! 5 files of 10 MiB), file types are decided from bytes, and nothing is
//! written until every check passed: a refused form stores nothing and
//! comes back with the typed fields kept and a message that says what to fix.
//! The receipt page is sent only after the commit.

use super::{Page, render};
use crate::AppState;
use crate::csrf;
use crate::errors::ApiError;
use crate::i18n::Chosen;
use crate::intake::submit;
use askama::Template;
use axum::extract::State;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use harrier_core::evidence::{clean_file_name, sniff};
use harrier_core::intake::report::{MAX_FILE_BYTES, MAX_FILES};
use harrier_core::intake::{
    Channel, EvidenceFile, Location, LocationKind, ReportInput, ReporterContact,
};

/// Text fields together may not exceed this.
pub const FORM_TEXT_LIMIT: usize = 64 * 1024;
/// The whole multipart body: five full files and the text, with headroom.
pub const FORM_BODY_LIMIT: usize = MAX_FILES * MAX_FILE_BYTES + FORM_TEXT_LIMIT + 64 * 1024;

/// The typed fields, kept to show the form again after an error.
#[derive(Debug, Default, Clone)]
pub struct FormValues {
    pub category: String,
    pub urls: String,
    pub handles: String,
    pub contacts: String,
    pub rooms: String,
    pub platform: String,
    pub occurred_at: String,
    pub description: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub good_faith: bool,
}

pub struct FormError {
    pub code: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "report_form.html")]
struct FormPage {
    page: Page,
    csrf: String,
    categories: Vec<(String, String)>,
    form: FormValues,
    error: Option<FormError>,
    had_files: bool,
}

#[derive(Template)]
#[template(path = "report_done.html")]
struct DonePage {
    page: Page,
    code: String,
}

/// The CSRF nonce of this browser, or a new one with its Set-Cookie value.
fn nonce(state: &AppState, headers: &HeaderMap) -> (String, Option<String>) {
    nonce_for(state, headers, "/report")
}

/// [`nonce`] for a form under `path` (the cookie's Path).
pub(crate) fn nonce_for(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
) -> (String, Option<String>) {
    let existing = csrf::cookie(headers, csrf::COOKIE)
        .filter(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()));
    match existing {
        Some(n) => (n.to_owned(), None),
        None => {
            let n = csrf::new_nonce();
            let secure = if state.config.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{}={n}; Path={path}; HttpOnly; SameSite=Strict{secure}",
                csrf::COOKIE
            );
            (n, Some(cookie))
        }
    }
}

fn form_page(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    status: StatusCode,
    form: FormValues,
    error: Option<FormError>,
    had_files: bool,
) -> Response {
    let (nonce, set_cookie) = nonce(state, headers);
    let lang = chosen.lang.code();
    let page = Page::new(chosen);
    let categories = state
        .taxonomy
        .categories()
        .iter()
        .map(|c| (c.id.clone(), c.name(lang).to_owned()))
        .collect();
    let template = FormPage {
        page,
        csrf: csrf::token(&state.secret, &nonce),
        categories,
        form,
        error,
        had_files,
    };
    let mut response = render(status, &template);
    if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

pub async fn form(State(state): State<AppState>, chosen: Chosen, headers: HeaderMap) -> Response {
    form_page(
        &state,
        chosen,
        &headers,
        StatusCode::OK,
        FormValues::default(),
        None,
        false,
    )
}

/// A file as received, checked but not yet stored.
pub(crate) struct Upload {
    name: Option<String>,
    media_type: &'static str,
    bytes: Vec<u8>,
}

struct Received {
    values: FormValues,
    csrf: String,
    honeypot: String,
    uploads: Vec<Upload>,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::body_too_large(limit)
}

pub(crate) fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(FORM_BODY_LIMIT)
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_form",
            format!("the form could not be read: {}", e.body_text()),
        )
    }
}

/// Reads a field's bytes, failing as soon as they pass `cap`.
pub(crate) async fn read_capped(
    field: &mut Field<'_>,
    cap: usize,
    over: impl Fn() -> ApiError,
) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if out.len() + chunk.len() > cap {
            return Err(over());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Reads one file field into `uploads`: capped, its type decided from its
/// bytes, at most [`MAX_FILES`]; an empty file input is skipped.
pub(crate) async fn read_upload(
    field: &mut Field<'_>,
    uploads: &mut Vec<Upload>,
) -> Result<(), ApiError> {
    let file_name = field.file_name().map(str::to_owned).unwrap_or_default();
    let shown = file_name.clone();
    let bytes = read_capped(field, MAX_FILE_BYTES, || {
        ApiError::from(harrier_core::evidence::EvidenceError::TooLarge {
            name: shown.clone(),
            max: MAX_FILE_BYTES,
        })
    })
    .await?;
    // A file input left empty still sends a part with no name and no bytes.
    if bytes.is_empty() && file_name.is_empty() {
        return Ok(());
    }
    if uploads.len() == MAX_FILES {
        return Err(harrier_core::intake::IntakeError::TooManyFiles.into());
    }
    let media_type = sniff(&file_name, &bytes, MAX_FILE_BYTES)?;
    uploads.push(Upload {
        name: clean_file_name(&file_name),
        media_type,
        bytes,
    });
    Ok(())
}

/// Reads a text field within what is left of the form's text budget
/// (`limit` in all, named in the error), as UTF-8.
pub(crate) async fn read_text(
    field: &mut Field<'_>,
    name: &str,
    budget: &mut usize,
    limit: usize,
) -> Result<String, ApiError> {
    let bytes = read_capped(field, *budget, || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "form_too_large",
            format!("the text of the form is longer than {} KiB", limit / 1024),
        )
    })
    .await?;
    *budget -= bytes.len();
    String::from_utf8(bytes).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_utf8",
            format!("the field {name:?} is not valid UTF-8 text"),
        )
    })
}

async fn receive(mut multipart: Multipart, received: &mut Received) -> Result<(), ApiError> {
    let mut text_budget = FORM_TEXT_LIMIT;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "evidence" {
            read_upload(&mut field, &mut received.uploads).await?;
            continue;
        }
        let text = read_text(&mut field, &name, &mut text_budget, FORM_TEXT_LIMIT).await?;
        let v = &mut received.values;
        match name.as_str() {
            "csrf" => received.csrf = text,
            "website" => received.honeypot = text,
            "category" => v.category = text,
            "urls" => v.urls = text,
            "handles" => v.handles = text,
            "contacts" => v.contacts = text,
            "rooms" => v.rooms = text,
            "platform" => v.platform = text,
            "occurred_at" => v.occurred_at = text,
            "description" => v.description = text,
            "contact_name" => v.contact_name = text,
            "contact_email" => v.contact_email = text,
            "contact_phone" => v.contact_phone = text,
            "good_faith" => v.good_faith = text == "yes",
            _ => {}
        }
    }
    Ok(())
}

fn lines(text: &str, kind: LocationKind, out: &mut Vec<Location>) {
    out.extend(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| Location {
                kind,
                value: l.to_owned(),
            }),
    );
}

fn input_of(values: &FormValues, files: Vec<EvidenceFile>) -> ReportInput {
    let mut locations = Vec::new();
    lines(&values.urls, LocationKind::Url, &mut locations);
    lines(&values.handles, LocationKind::Handle, &mut locations);
    lines(&values.contacts, LocationKind::Contact, &mut locations);
    lines(&values.rooms, LocationKind::Room, &mut locations);
    let some = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    ReportInput {
        category: values.category.clone(),
        locations,
        platform: some(&values.platform),
        occurred_on: some(&values.occurred_at),
        description: values.description.clone(),
        contact: ReporterContact {
            name: some(&values.contact_name),
            email: some(&values.contact_email),
            phone: some(&values.contact_phone),
        },
        good_faith: values.good_faith,
        files,
    }
}

/// The public forms' guard: the CSRF token against its cookie, and the
/// honeypot field left empty.
pub(crate) fn guard(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    honeypot: &str,
) -> Result<(), ApiError> {
    let csrf_ok = csrf::cookie(headers, csrf::COOKIE)
        .is_some_and(|nonce| csrf::verify(&state.secret, nonce, token));
    if !csrf_ok {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "the form has expired or your browser blocked its cookie: please send it again from this page",
        ));
    }
    if !honeypot.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "honeypot_filled",
            "the field marked 'leave this field empty' was filled in",
        ));
    }
    Ok(())
}

/// Checks everything that can be checked before anything is written.
fn precheck(state: &AppState, headers: &HeaderMap, received: &Received) -> Result<(), ApiError> {
    guard(state, headers, &received.csrf, &received.honeypot)?;
    // Validate once without files so a bad form writes no blob.
    let dry = input_of(&received.values, Vec::new());
    harrier_core::intake::validate(dry, Channel::Web, &state.taxonomy, state.clock.now())?;
    Ok(())
}

pub(crate) async fn store_uploads(
    state: &AppState,
    uploads: Vec<Upload>,
) -> Result<Vec<EvidenceFile>, ApiError> {
    let mut files = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let size = upload.bytes.len() as u64;
        let sha256 = state.blobs.put(upload.bytes).await?;
        files.push(EvidenceFile {
            sha256,
            media_type: upload.media_type.to_owned(),
            size,
            name: upload.name,
        });
    }
    Ok(files)
}

fn localised(chosen: &Chosen, e: &ApiError) -> FormError {
    let t = chosen.lang.messages();
    let key = format!("error.{}", e.code);
    let message = match t.s(&key) {
        found if found != key && chosen.lang == crate::i18n::Lang::Zh => {
            format!("{found}（{}）", e.message)
        }
        _ => e.message.clone(),
    };
    FormError {
        code: e.code,
        message,
    }
}

pub async fn post(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let mut received = Received {
        values: FormValues::default(),
        csrf: String::new(),
        honeypot: String::new(),
        uploads: Vec::new(),
    };
    let outcome = async {
        let multipart = multipart
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_form", e.body_text()))?;
        receive(multipart, &mut received).await?;
        precheck(&state, &headers, &received)?;
        let uploads = std::mem::take(&mut received.uploads);
        let files = store_uploads(&state, uploads).await?;
        submit(
            &state,
            input_of(&received.values, files),
            Channel::Web,
            None,
            None,
        )
        .await
    }
    .await;
    match outcome {
        Ok(stored) => render(
            StatusCode::OK,
            &DonePage {
                page: Page::new(chosen),
                code: stored.receipt.to_string(),
            },
        ),
        Err(e) => {
            let had_files = !received.uploads.is_empty() || e.field == Some("evidence");
            let status = e.status;
            let error = localised(&chosen, &e);
            form_page(
                &state,
                chosen,
                &headers,
                status,
                received.values,
                Some(error),
                had_files,
            )
        }
    }
}
