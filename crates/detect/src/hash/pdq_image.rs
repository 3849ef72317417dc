//! Untrusted image bytes to PDQ, under caps.
//!
//! What: [`pdq_from_image_bytes`] decodes PNG, JPEG or WebP with the
//! `image` crate and hashes the luma with [`super::pdq`]. Why a module of
//! its own: the bytes come from strangers, so the size is checked from the
//! header before a single pixel is decoded; a "pixel flood" file (a tiny
//! PNG whose header claims 100000x100000) is refused at once instead of
//! asking for 30 GB.
//!
//! What not: no other formats, no animation (the first frame is hashed),
//! no EXIF rotation. Alpha is dropped, keeping the stored colour of
//! transparent pixels, as Pillow's `convert("RGB")` does before the Python
//! references hash. Memory: the decoded image plus two float buffers of 4
//! bytes a pixel, about 11 bytes a pixel for RGB: some 550 MB at the
//! default cap of 50 megapixels, so callers hashing in parallel should
//! bound how many run at once or lower the cap.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::HashError;
use super::pdq::{PdqHash, hash_luma, luma_from_rgb};

/// What an image may be before it is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageCaps {
    /// Width times height.
    pub max_pixels: u64,
    /// Longest side, either way.
    pub max_side: u32,
    /// Bytes the decoder may allocate for itself (passed to `image`).
    pub max_alloc: u64,
}

/// 50 megapixels, 32768 per side, 512 MiB for the decoder.
pub const DEFAULT_CAPS: ImageCaps = ImageCaps {
    max_pixels: 50_000_000,
    max_side: 32_768,
    max_alloc: 512 * 1024 * 1024,
};

/// PDQ hash and quality of a PNG, JPEG or WebP file, under [`DEFAULT_CAPS`].
pub fn pdq_from_image_bytes(bytes: &[u8]) -> Result<(PdqHash, u8), HashError> {
    pdq_from_image_bytes_with(bytes, &DEFAULT_CAPS)
}

/// [`pdq_from_image_bytes`] under the given caps.
pub fn pdq_from_image_bytes_with(
    bytes: &[u8],
    caps: &ImageCaps,
) -> Result<(PdqHash, u8), HashError> {
    let image = decode(bytes, caps)?;
    let (width, height) = (image.width() as usize, image.height() as usize);
    let luma = luma_of(image);
    Ok(hash_luma(width, height, luma))
}

/// Decodes after checking the header's size against `caps`.
fn decode(bytes: &[u8], caps: &ImageCaps) -> Result<DynamicImage, HashError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| HashError::UnknownFormat)?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)
    ) {
        return Err(HashError::UnknownFormat);
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(caps.max_alloc);
    reader.limits(limits);
    // Creating the decoder reads only the header (and, for PNG, the chunks
    // before the first IDAT); the pixel buffer is allocated by
    // `from_decoder`, after the check.
    let decoder = reader.into_decoder().map_err(HashError::Decode)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, caps)?;
    DynamicImage::from_decoder(decoder).map_err(HashError::Decode)
}

fn check_size(width: u32, height: u32, caps: &ImageCaps) -> Result<(), HashError> {
    let pixels = u64::from(width) * u64::from(height);
    if width > caps.max_side || height > caps.max_side || pixels > caps.max_pixels {
        return Err(HashError::TooLarge {
            width,
            height,
            max_pixels: caps.max_pixels,
            max_side: caps.max_side,
        });
    }
    Ok(())
}

/// Luma row by row: grey values as they are (`fillFloatLumaFromGrey`),
/// colour through the reference's coefficients. Consumes the image so its
/// buffer is freed before the hash allocates its scratch buffer.
fn luma_of(image: DynamicImage) -> Vec<f32> {
    let from_rgb = |raw: &[u8], channels: usize| -> Vec<f32> {
        raw.chunks_exact(channels)
            .map(|p| luma_from_rgb(p[0], p[1], p[2]))
            .collect()
    };
    match image {
        DynamicImage::ImageLuma8(grey) => grey.as_raw().iter().map(|&v| f32::from(v)).collect(),
        DynamicImage::ImageRgb8(rgb) => from_rgb(rgb.as_raw(), 3),
        DynamicImage::ImageRgba8(rgba) => from_rgb(rgba.as_raw(), 4),
        other if !other.color().has_color() => other
            .to_luma8()
            .as_raw()
            .iter()
            .map(|&v| f32::from(v))
            .collect(),
        other => from_rgb(other.to_rgb8().as_raw(), 3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;
    use image::codecs::png::PngEncoder;

    const SHAPES: &[u8] = include_bytes!("../../testdata/pdq/shapes.png");

    /// A PNG whose header claims `width` x `height`, with a one-byte IDAT.
    fn claimed_png(width: u32, height: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let crc = crc32(&out[start..]);
            out.extend_from_slice(&crc.to_be_bytes());
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(&mut png, b"IDAT", &[0x78, 0x9c, 0x03, 0x00]);
        chunk(&mut png, b"IEND", &[]);
        png
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn pixel_flood_png_is_refused_before_decoding() {
        // 100000x100000 RGB would be 30 GB: the allocation alone would
        // abort the test, so passing shows nothing was allocated.
        let refused = pdq_from_image_bytes(&claimed_png(100_000, 100_000));
        assert!(
            matches!(
                refused,
                Err(HashError::TooLarge {
                    width: 100_000,
                    height: 100_000,
                    ..
                })
            ),
            "{refused:?}"
        );
        // Under the side cap but over the pixel cap.
        let refused = pdq_from_image_bytes(&claimed_png(20_000, 20_000));
        assert!(
            matches!(refused, Err(HashError::TooLarge { .. })),
            "{refused:?}"
        );
    }

    #[test]
    fn caps_apply_to_real_images() {
        let caps = ImageCaps {
            max_pixels: 160 * 120 - 1,
            ..DEFAULT_CAPS
        };
        assert!(matches!(
            pdq_from_image_bytes_with(SHAPES, &caps),
            Err(HashError::TooLarge {
                width: 160,
                height: 120,
                ..
            })
        ));
        let caps = ImageCaps {
            max_pixels: 160 * 120,
            ..DEFAULT_CAPS
        };
        assert!(pdq_from_image_bytes_with(SHAPES, &caps).is_ok());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(matches!(
            pdq_from_image_bytes(b"hello"),
            Err(HashError::UnknownFormat)
        ));
        assert!(matches!(
            pdq_from_image_bytes(b"GIF89a\x01\x00"),
            Err(HashError::UnknownFormat)
        ));
        assert!(matches!(
            pdq_from_image_bytes(&SHAPES[..200]),
            Err(HashError::Decode(_))
        ));
        // A claimed size within the caps but no pixel data behind it.
        assert!(matches!(
            pdq_from_image_bytes(&claimed_png(100, 100)),
            Err(HashError::Decode(_))
        ));
    }

    #[test]
    fn alpha_is_dropped() {
        let rgb = image::load_from_memory(SHAPES).unwrap().to_rgb8();
        let mut rgba = image::RgbaImage::new(rgb.width(), rgb.height());
        for (x, y, p) in rgb.enumerate_pixels() {
            let alpha = ((x + y) % 256) as u8;
            rgba.put_pixel(x, y, image::Rgba([p[0], p[1], p[2], alpha]));
        }
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(
                rgba.as_raw(),
                rgba.width(),
                rgba.height(),
                image::ExtendedColorType::Rgba8,
            )
            .unwrap();
        assert_eq!(
            pdq_from_image_bytes(&png).unwrap(),
            pdq_from_image_bytes(SHAPES).unwrap()
        );
    }

    #[test]
    fn lossless_webp_hashes_like_the_png() {
        let rgb = image::load_from_memory(SHAPES).unwrap().to_rgb8();
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(
                rgb.as_raw(),
                rgb.width(),
                rgb.height(),
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        assert_eq!(
            pdq_from_image_bytes(&webp).unwrap(),
            pdq_from_image_bytes(SHAPES).unwrap()
        );
    }
}
