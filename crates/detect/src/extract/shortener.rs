//! URL shorteners: hosts whose links hide where they lead.
//!
//! What: a fixed list of link-shortening services, Chinese and
//! international. A URL or domain on one of them gets the detail
//! `"shortener"`: the target is unknown, which is itself worth a look.
//!
//! What not: links are never expanded. Reported content is hostile and
//! Harrier never follows its links; expanding belongs to a sandboxed fetcher
//! if ever.

/// Shortener hosts, sorted (a unit test keeps them so), lowercase, without
/// `www.`.
const SHORTENERS: &[&str] = &[
    "0rz.tw",
    "985.so",
    "adf.ly",
    "bit.do",
    "bit.ly",
    "bitly.com",
    "buff.ly",
    "cli.gs",
    "cutt.ly",
    "dwz.cn",
    "dwz.date",
    "goo.gl",
    "is.gd",
    "j.mp",
    "kurl.cn",
    "lihi.cc",
    "lihi1.cc",
    "lnkd.in",
    "mrw.so",
    "ow.ly",
    "ppt.cc",
    "pse.is",
    "qr.net",
    "rb.gy",
    "rebrand.ly",
    "reurl.cc",
    "s.id",
    "shorturl.at",
    "sina.lt",
    "suo.im",
    "suo.nz",
    "surl.li",
    "t.cn",
    "t.co",
    "t.ly",
    "tiny.cc",
    "tinyurl.com",
    "tr.im",
    "u.nu",
    "u.to",
    "url.cn",
    "urlz.fr",
    "v.gd",
    "w.url.cn",
    "x.co",
    "xhslink.com",
    "y.gy",
];

/// Whether `host` (lowercase) is a known URL shortener.
pub(crate) fn is_shortener(host: &str) -> bool {
    let host = host.strip_prefix("www.").unwrap_or(host);
    SHORTENERS.binary_search(&host).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_unique() {
        assert!(SHORTENERS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn known_and_unknown() {
        assert!(is_shortener("t.cn"));
        assert!(is_shortener("www.bit.ly"));
        assert!(!is_shortener("example.com"));
        assert!(!is_shortener("t.me"));
    }
}
