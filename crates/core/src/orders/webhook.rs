//! Webhook signatures and the retry schedule of order deliveries.
//!
//! Signatures follow Standard Webhooks (standardwebhooks.com): three
//! headers, `webhook-id` (the delivery id, the same on every retry),
//! `webhook-timestamp` (unix seconds of this attempt) and
//! `webhook-signature`, a space-separated list of `v1,<base64 of
//! HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`, one per secret in use:
//! during a rotation the current and the previous secret both sign, so a
//! receiver holding either accepts. Secrets are written `whsec_<base64>`
//! (ours are 32 random bytes). A receiver accepts when any listed `v1`
//! signature matches (compared in constant time) and the timestamp is
//! within five minutes of its clock either way.
//!
//! Retries: exponential backoff with full jitter (a uniform delay between
//! one second and `min(cap, base * 2^(n-1))` after the n-th failure), never
//! past the give-up time; an attempt that fails at or after `give_up_after`
//! from the first attempt makes the delivery dead (a dead letter, shown in
//! the console, redelivered by hand). Everything here is pure: callers pass
//! the time and the random source.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::{Rng, RngCore};
use time::{Duration, OffsetDateTime};

/// The header names.
pub const HEADER_ID: &str = "webhook-id";
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// How secrets are written.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a new secret.
pub const SECRET_BYTES: usize = 32;
/// The largest secret accepted when parsed.
pub const MAX_SECRET_BYTES: usize = 64;
/// How far a timestamp may be from the receiver's clock, either way.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;
/// Signatures looked at in one header, at most.
const MAX_SIGNATURES: usize = 8;

/// Why a signed request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("webhook-timestamp is not a number of seconds")]
    BadTimestamp,
    #[error("webhook-timestamp is more than five minutes old")]
    TooOld,
    #[error("webhook-timestamp is more than five minutes ahead")]
    InFuture,
    #[error("no signature matches")]
    NoMatch,
}

/// A secret that is not `whsec_` and base64 of 1 to 64 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a webhook secret is whsec_ followed by base64")]
pub struct BadSecret;

/// A signing secret (the raw bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// A new secret of [`SECRET_BYTES`] random bytes.
    pub fn generate(rng: &mut (impl RngCore + ?Sized)) -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// `whsec_...`, as shown to the provider once.
    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// Reads `whsec_<base64>` (the prefix may be left out, as Standard
    /// Webhooks libraries allow).
    pub fn parse(text: &str) -> Result<Self, BadSecret> {
        let text = text.trim();
        let encoded = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        if encoded.len() > MAX_SECRET_BYTES * 2 {
            return Err(BadSecret);
        }
        let bytes = STANDARD.decode(encoded).map_err(|_| BadSecret)?;
        if bytes.is_empty() || bytes.len() > MAX_SECRET_BYTES {
            return Err(BadSecret);
        }
        Ok(Self(bytes))
    }

    /// `v1,<base64 signature>` of one message under this secret.
    pub fn signature(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", STANDARD.encode(self.mac(id, timestamp, body)))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> [u8; 32] {
        let timestamp = timestamp.to_string();
        crate::seal::hmac(
            &self.0,
            &[id.as_bytes(), b".", timestamp.as_bytes(), b".", body],
        )
    }
}

/// The `webhook-signature` header: one signature per secret, space-separated.
pub fn sign(secrets: &[WebhookSecret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|s| s.signature(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The secrets that sign now: the current one, and the previous one while
/// `now` is before `previous_until`.
pub fn signing_secrets(
    current: WebhookSecret,
    previous: Option<(WebhookSecret, OffsetDateTime)>,
    now: OffsetDateTime,
) -> Vec<WebhookSecret> {
    let mut secrets = vec![current];
    if let Some((previous, until)) = previous
        && now < until
    {
        secrets.push(previous);
    }
    secrets
}

/// Checks a received request: the timestamp within [`TOLERANCE_SECONDS`] of
/// `now`, and any `v1` signature of the header made by any of `secrets`
/// (a receiver in the middle of a rotation may hold two).
pub fn verify(
    secrets: &[WebhookSecret],
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), VerifyError> {
    let timestamp: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    let now = now.unix_timestamp();
    if now.saturating_sub(timestamp) > TOLERANCE_SECONDS {
        return Err(VerifyError::TooOld);
    }
    if timestamp.saturating_sub(now) > TOLERANCE_SECONDS {
        return Err(VerifyError::InFuture);
    }
    let expected: Vec<[u8; 32]> = secrets.iter().map(|s| s.mac(id, timestamp, body)).collect();
    let mut matched = false;
    for candidate in signatures.split(' ').take(MAX_SIGNATURES) {
        let Some(("v1", encoded)) = candidate.split_once(',') else {
            continue;
        };
        let Ok(given) = STANDARD.decode(encoded) else {
            continue;
        };
        for mac in &expected {
            // Every pair is compared: no early exit on a match.
            matched |= crate::seal::constant_eq(mac, &given);
        }
    }
    if matched {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

/// Why a webhook address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadUrl {
    #[error("the webhook address is not a URL")]
    NotUrl,
    #[error("the webhook address must be https:// (http:// only to a loopback address)")]
    NotHttps,
    #[error("the webhook address must not carry a user name or password")]
    Credentials,
}

/// Checks a webhook address: `https://`, or `http://` to a loopback
/// address (127.0.0.0/8, ::1, localhost) when `allow_http_loopback`.
pub fn check_url(text: &str, allow_http_loopback: bool) -> Result<url::Url, BadUrl> {
    let url = url::Url::parse(text).map_err(|_| BadUrl::NotUrl)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BadUrl::Credentials);
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => return Err(BadUrl::NotUrl),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_http_loopback && loopback => Ok(url),
        _ => Err(BadUrl::NotHttps),
    }
}

/// How failed deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The ceiling of the first delay; it doubles per failure.
    pub base: Duration,
    /// The largest ceiling.
    pub cap: Duration,
    /// From the first attempt: an attempt failing after this gives up.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::seconds(30),
            cap: Duration::hours(1),
            give_up_after: Duration::hours(24),
        }
    }
}

/// What follows a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    At(OffsetDateTime),
    /// Dead letter.
    GiveUp,
}

impl RetryPolicy {
    /// After the `failures`-th failed attempt (1 for the first), at `now`,
    /// of a delivery first attempted at `first_attempt`.
    pub fn after_failure(
        &self,
        failures: u32,
        first_attempt: OffsetDateTime,
        now: OffsetDateTime,
        rng: &mut (impl Rng + ?Sized),
    ) -> Retry {
        let give_up_at = first_attempt + self.give_up_after;
        if now >= give_up_at {
            return Retry::GiveUp;
        }
        let doublings = failures.saturating_sub(1).min(40);
        let base = self.base.whole_milliseconds().max(1000);
        let cap = self.cap.whole_milliseconds().max(base);
        let ceiling = base.saturating_mul(1i128 << doublings).min(cap);
        let delay_ms = rng.random_range(1000..=ceiling.max(1000));
        let delay = Duration::milliseconds(i64::try_from(delay_ms).unwrap_or(i64::MAX));
        Retry::At((now + delay).min(give_up_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use time::macros::datetime;

    /// The Standard Webhooks reference libraries' test vector.
    const VECTOR_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const VECTOR_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const VECTOR_TS: i64 = 1_649_367_553;
    const VECTOR_BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const VECTOR_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    #[test]
    fn signatures_match_the_standard_webhooks_vector() {
        let secret = WebhookSecret::parse(VECTOR_SECRET).unwrap();
        assert_eq!(
            secret.signature(VECTOR_ID, VECTOR_TS, VECTOR_BODY),
            VECTOR_SIGNATURE
        );
        assert_eq!(secret.to_text(), VECTOR_SECRET);
        let ts = VECTOR_TS.to_string();
        let now = at(VECTOR_TS + 10);
        assert_eq!(
            verify(
                &[secret],
                VECTOR_ID,
                &ts,
                VECTOR_SIGNATURE,
                VECTOR_BODY,
                now
            ),
            Ok(())
        );
    }

    #[test]
    fn tampering_a_wrong_secret_and_old_or_future_times_are_refused() {
        let mut rng = StdRng::seed_from_u64(1);
        let secret = WebhookSecret::generate(&mut rng);
        let other = WebhookSecret::generate(&mut rng);
        let (id, body, ts) = ("msg_1", br#"{"order":1}"#.as_slice(), 1_800_000_000);
        let header = sign(std::slice::from_ref(&secret), id, ts, body);
        let ok = |secrets: &[WebhookSecret], id: &str, body: &[u8], now: i64| {
            verify(secrets, id, &ts.to_string(), &header, body, at(now))
        };
        assert_eq!(ok(std::slice::from_ref(&secret), id, body, ts), Ok(()));
        assert_eq!(
            ok(std::slice::from_ref(&secret), id, br#"{"order":2}"#, ts),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            ok(std::slice::from_ref(&secret), "msg_2", body, ts),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            ok(std::slice::from_ref(&other), id, body, ts),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            ok(std::slice::from_ref(&secret), id, body, ts + 300),
            Ok(())
        );
        assert_eq!(
            ok(std::slice::from_ref(&secret), id, body, ts - 300),
            Ok(())
        );
        assert_eq!(
            ok(std::slice::from_ref(&secret), id, body, ts + 301),
            Err(VerifyError::TooOld)
        );
        assert_eq!(
            ok(std::slice::from_ref(&secret), id, body, ts - 301),
            Err(VerifyError::InFuture)
        );
        assert_eq!(
            verify(
                std::slice::from_ref(&secret),
                id,
                "soon",
                &header,
                body,
                at(ts)
            ),
            Err(VerifyError::BadTimestamp)
        );
        // A signature of another version, or garbage, is not a match.
        let v2 = header.replace("v1,", "v2,");
        assert_eq!(
            verify(&[secret], id, &ts.to_string(), &v2, body, at(ts)),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn during_a_rotation_both_secrets_sign_and_either_verifies() {
        let mut rng = StdRng::seed_from_u64(2);
        let (new, old) = (
            WebhookSecret::generate(&mut rng),
            WebhookSecret::generate(&mut rng),
        );
        let until = datetime!(2027-01-02 00:00 UTC);
        let during = signing_secrets(
            new.clone(),
            Some((old.clone(), until)),
            until - Duration::SECOND,
        );
        assert_eq!(during, vec![new.clone(), old.clone()]);
        let after = signing_secrets(new.clone(), Some((old.clone(), until)), until);
        assert_eq!(after, vec![new.clone()]);

        let now = until - Duration::MINUTE;
        let ts = now.unix_timestamp();
        let header = sign(&during, "msg_9", ts, b"{}");
        assert_eq!(header.split(' ').count(), 2);
        for receiver in [&new, &old] {
            assert_eq!(
                verify(
                    std::slice::from_ref(receiver),
                    "msg_9",
                    &ts.to_string(),
                    &header,
                    b"{}",
                    now
                ),
                Ok(())
            );
        }
        // A receiver holding both accepts a header signed by the new alone.
        let new_only = sign(&after, "msg_9", ts, b"{}");
        assert_eq!(
            verify(&[old, new], "msg_9", &ts.to_string(), &new_only, b"{}", now),
            Ok(())
        );
    }

    #[test]
    fn secrets_are_whsec_base64() {
        let mut rng = StdRng::seed_from_u64(3);
        let secret = WebhookSecret::generate(&mut rng);
        let text = secret.to_text();
        assert!(text.starts_with("whsec_"));
        assert_eq!(secret.bytes().len(), SECRET_BYTES);
        assert_eq!(WebhookSecret::parse(&text).unwrap(), secret);
        assert_eq!(WebhookSecret::parse("whsec_!!"), Err(BadSecret));
        assert_eq!(WebhookSecret::parse("whsec_"), Err(BadSecret));
        assert_eq!(format!("{secret:?}"), "WebhookSecret(..)");
    }

    #[test]
    fn webhook_addresses_are_https_or_loopback_http() {
        assert!(check_url("https://acme.example/hook", false).is_ok());
        for loopback in [
            "http://127.0.0.1:9000/webhook",
            "http://127.8.0.1/x",
            "http://[::1]:80/",
            "http://localhost:1/",
        ] {
            assert!(check_url(loopback, true).is_ok(), "{loopback}");
            assert_eq!(check_url(loopback, false), Err(BadUrl::NotHttps));
        }
        for refused in [
            "http://10.0.0.1/",
            "http://acme.example/",
            "http://127.0.0.1.acme.example/",
            "ftp://127.0.0.1/",
        ] {
            assert_eq!(check_url(refused, true), Err(BadUrl::NotHttps), "{refused}");
        }
        assert_eq!(check_url("not a url", true), Err(BadUrl::NotUrl));
        assert_eq!(
            check_url("https://u:p@acme.example/", true),
            Err(BadUrl::Credentials)
        );
    }

    #[test]
    fn backoff_doubles_with_full_jitter_and_gives_up_after_a_day() {
        let policy = RetryPolicy::default();
        let first = datetime!(2027-01-01 00:00 UTC);
        let mut rng = StdRng::seed_from_u64(4);
        for failures in 1..=12u32 {
            let ceiling = (30i64 << (failures - 1)).min(3600);
            let mut seen_low = false;
            let mut seen_high = false;
            for _ in 0..400 {
                let now = first + Duration::minutes(5);
                let Retry::At(next) = policy.after_failure(failures, first, now, &mut rng) else {
                    panic!("gave up too early");
                };
                let delay = (next - now).whole_seconds();
                assert!((1..=ceiling).contains(&delay), "{failures}: {delay}");
                seen_low |= delay <= ceiling / 4 + 1;
                seen_high |= delay >= ceiling * 3 / 4;
            }
            assert!(
                seen_low && seen_high,
                "jitter spans the range at {failures}"
            );
        }
        // Never past the give-up time, and at it: dead.
        let late = first + Duration::hours(24) - Duration::SECOND * 2;
        match policy.after_failure(30, first, late, &mut rng) {
            Retry::At(next) => assert!(next <= first + Duration::hours(24)),
            Retry::GiveUp => panic!("not yet"),
        }
        assert_eq!(
            policy.after_failure(30, first, first + Duration::hours(24), &mut rng),
            Retry::GiveUp
        );
    }
}
