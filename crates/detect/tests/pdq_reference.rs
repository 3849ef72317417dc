//! The PDQ port against Meta's C++ reference.
//!
//! `testdata/pdq/expected.toml` was written by `scripts/pdq-reference.py`
//! from Meta's `pdq/cpp` in two ways: through the `pdqhash` Python binding
//! (`hash`), which computes luma in f64 and rounds it to f32, and through
//! a small C++ driver (`cpp_hash`), which lets Meta's `fillFloatLumaFromRGB`
//! compute it in f32 as `pdq_from_image_bytes` does. The luma can differ in
//! a pixel's last bit, which moves coefficients that sit at the median of a
//! flat image (2 bits on `gradient.png`), so each is compared with the luma
//! computed its way. Both start from Pillow's decoding; `rgb_sha256` says
//! whether our decoders gave the same pixels (PNG always; JPEG decoders may
//! round differently, zune-jpeg against libjpeg-turbo).
// Test helpers too may panic: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_detect::hash::{
    PDQ_MATCH_DISTANCE, PdqHash, Sha256Digest, pdq_from_image_bytes, pdq_from_luma, sha256,
};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    image: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    width: u32,
    height: u32,
    mode: String,
    hash: PdqHash,
    quality: u8,
    cpp_hash: PdqHash,
    cpp_quality: u8,
    rgb_sha256: Sha256Digest,
    copy_of: Option<String>,
    rotated_from: Option<String>,
}

const FILES: &[(&str, &[u8])] = &[
    (
        "gradient.png",
        include_bytes!("../testdata/pdq/gradient.png"),
    ),
    ("shapes.png", include_bytes!("../testdata/pdq/shapes.png")),
    ("noise.png", include_bytes!("../testdata/pdq/noise.png")),
    ("text.png", include_bytes!("../testdata/pdq/text.png")),
    (
        "shapes-resized.png",
        include_bytes!("../testdata/pdq/shapes-resized.png"),
    ),
    ("shapes.jpg", include_bytes!("../testdata/pdq/shapes.jpg")),
    (
        "shapes-low.jpg",
        include_bytes!("../testdata/pdq/shapes-low.jpg"),
    ),
    (
        "shapes-large.png",
        include_bytes!("../testdata/pdq/shapes-large.png"),
    ),
    (
        "text-large.png",
        include_bytes!("../testdata/pdq/text-large.png"),
    ),
    (
        "shapes-rotated.png",
        include_bytes!("../testdata/pdq/shapes-rotated.png"),
    ),
    (
        "gradient.jpg",
        include_bytes!("../testdata/pdq/gradient.jpg"),
    ),
];

fn cases() -> Vec<Case> {
    let expected: Expected = toml::from_str(include_str!("../testdata/pdq/expected.toml")).unwrap();
    let listed: Vec<&str> = expected.image.iter().map(|c| c.file.as_str()).collect();
    let embedded: Vec<&str> = FILES.iter().map(|(name, _)| *name).collect();
    assert_eq!(listed, embedded, "FILES must follow expected.toml");
    expected.image
}

fn bytes(file: &str) -> &'static [u8] {
    FILES.iter().find(|(name, _)| *name == file).unwrap().1
}

/// Our decoding of `file` as RGB, and whether it has the pixels Pillow had.
fn decoded(case: &Case) -> (image::RgbImage, bool) {
    let image = image::load_from_memory(bytes(&case.file)).unwrap();
    assert_eq!(image.color().has_color(), case.mode != "L", "{}", case.file);
    let rgb = image.to_rgb8();
    assert_eq!((rgb.width(), rgb.height()), (case.width, case.height));
    let same_pixels = sha256(rgb.as_raw()) == case.rgb_sha256;
    if case.file.ends_with(".png") {
        assert!(same_pixels, "{}: PNG decoding is lossless", case.file);
    }
    (rgb, same_pixels)
}

/// How far a JPEG's hash may move when our decoder's pixels differ from
/// Pillow's: a little for a good image, a lot for a flat one (quality under
/// the usual cut-off of 50, like `gradient.jpg` at 22), whose coefficients
/// crowd the median so that a level here and there moves many bits.
fn decoder_tolerance(reference_quality: u8) -> u32 {
    if reference_quality >= 50 { 4 } else { 32 }
}

/// Compares and prints; exact when the pixels are the same.
fn check(case: &Case, same_pixels: bool, got: (PdqHash, u8), want: (PdqHash, u8)) {
    let distance = got.0.hamming(&want.0);
    println!(
        "{}: {} bits from the reference, quality {} (reference {}){}",
        case.file,
        distance,
        got.1,
        want.1,
        if same_pixels {
            ""
        } else {
            ", decoded pixels differ"
        }
    );
    if same_pixels {
        assert_eq!(got, want, "{}", case.file);
    } else {
        let tolerance = decoder_tolerance(want.1);
        assert!(distance <= tolerance, "{}: {distance}", case.file);
        assert!(got.1.abs_diff(want.1) <= 2, "{}", case.file);
    }
}

#[test]
fn port_equals_the_binding_on_the_bindings_luma() {
    for case in cases() {
        let (rgb, same_pixels) = decoded(&case);
        // The binding: `(image[:, :, 0]*0.299 + ...).astype('float32')`.
        let luma: Vec<f32> = rgb
            .pixels()
            .map(|p| {
                let (r, g, b) = (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
                (r * 0.299 + g * 0.587 + b * 0.114) as f32
            })
            .collect();
        let got = pdq_from_luma(rgb.width() as usize, rgb.height() as usize, &luma).unwrap();
        check(&case, same_pixels, got, (case.hash, case.quality));
    }
}

#[test]
fn image_bytes_equal_meta_cpp() {
    for case in cases() {
        let (_, same_pixels) = decoded(&case);
        // For the grey `noise.png` we take grey as luma (Meta's
        // fillFloatLumaFromGrey) while the driver was given R=G=B; the
        // two agree on it.
        let got = pdq_from_image_bytes(bytes(&case.file)).unwrap();
        check(&case, same_pixels, got, (case.cpp_hash, case.cpp_quality));
    }
}

#[test]
fn copies_match_and_other_images_do_not() {
    let cases = cases();
    let ours = |file: &str| pdq_from_image_bytes(bytes(file)).unwrap().0;
    for case in &cases {
        if let Some(original) = &case.copy_of {
            let distance = ours(&case.file).hamming(&ours(original));
            assert!(distance <= PDQ_MATCH_DISTANCE, "{}: {distance}", case.file);
        }
        if let Some(original) = &case.rotated_from {
            // PDQ does not survive a turn of a few degrees.
            let distance = ours(&case.file).hamming(&ours(original));
            assert!(distance > PDQ_MATCH_DISTANCE, "{}: {distance}", case.file);
        }
    }
    let originals = ["gradient.png", "shapes.png", "noise.png", "text.png"];
    for (i, a) in originals.iter().enumerate() {
        for b in &originals[i + 1..] {
            let distance = ours(a).hamming(&ours(b));
            assert!(distance > 3 * PDQ_MATCH_DISTANCE, "{a} vs {b}: {distance}");
        }
    }
}
