//! What an upload is (read from its first bytes, never from its name or Content-Type) and the
//! sizes stored for it. Re-encoding drops every metadata block (EXIF with GPS, XMP, comments);
//! the EXIF orientation is applied first so the picture stays upright.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::error::{text, Error, Kind, Result};

pub const DISPLAY_PX: u32 = 1600;
pub const THUMB_PX: u32 = 320;
/// A 15 MiB JPEG is far below this; the limit stops decompression bombs.
const MAX_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format {
    Jpeg,
    Png,
    Heic,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Heic => "image/heic",
        }
    }
}

/// HEIF brands of HEIC pictures (ISO/IEC 23008-12); `mif1`/`msf1` alone may be AVIF.
const HEIC_BRANDS: &[&[u8; 4]] = &[b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"];

fn is_heic(b: &[u8]) -> bool {
    if b.len() < 16 || &b[4..8] != b"ftyp" {
        return false;
    }
    let box_len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let end = box_len.min(b.len());
    if end < 16 {
        return false;
    }
    // Major brand, then the compatible brands after the minor version.
    std::iter::once(&b[8..12])
        .chain(b[16..end].chunks_exact(4))
        .any(|brand| HEIC_BRANDS.iter().any(|h| brand == h.as_slice()))
}

pub fn sniff(b: &[u8]) -> Option<Format> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if is_heic(b) {
        Some(Format::Heic)
    } else {
        None
    }
}

pub fn unsupported() -> Error {
    Error::new(
        Kind::UnsupportedMediaType,
        "unsupported-image",
        text(
            "只接受 JPEG、PNG 或 HEIC 图片（按文件内容判断，而非文件名）",
            "Only JPEG, PNG or HEIC pictures are accepted (judged by the content, not the file name)",
        ),
    )
}

fn unreadable() -> Error {
    Error::field(
        "image",
        "图片已损坏或无法读取",
        "the picture is damaged or cannot be read",
    )
}

/// Whether the JPEG's last scan ends with its end-of-image marker. The decoder fills a file cut
/// short with grey and reports no error, so an upload broken off half-way would be kept as a
/// photo. Inside a scan a 0xFF byte is always followed by 0x00 or a restart marker, so the
/// markers found here are real ones; an embedded EXIF thumbnail comes before the main scan.
fn jpeg_complete(b: &[u8]) -> bool {
    let Some(scan) = b.windows(2).rposition(|w| w == [0xFF, 0xDA]) else {
        return false;
    };
    b[scan..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// The decoded picture, upright, with no metadata attached.
pub fn decode(bytes: &[u8], format: Format) -> Result<DynamicImage> {
    let fmt = match format {
        Format::Jpeg if !jpeg_complete(bytes) => return Err(unreadable()),
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Heic => return Err(unreadable()),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), fmt);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| unreadable())?;
    let orientation = decoder.orientation().map_err(|_| unreadable())?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| unreadable())?;
    img.apply_orientation(orientation);
    Ok(img)
}

pub fn jpeg(img: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    img.to_rgb8()
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
        .expect("JPEG encoding into memory cannot fail");
    out
}

pub fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .expect("PNG encoding into memory cannot fail");
    out.into_inner()
}

/// The files stored for one photo.
pub struct Sizes {
    pub original: Vec<u8>,
    /// Display (at most 1600 px) and thumbnail (at most 320 px), both JPEG; none for HEIC.
    pub previews: Option<(Vec<u8>, Vec<u8>)>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

pub fn sizes(bytes: &[u8], format: Format) -> Result<Sizes> {
    if format == Format::Heic {
        // No lean HEIC decoder exists in Rust: kept as uploaded (see docs/decisions.md).
        return Ok(Sizes {
            original: bytes.to_vec(),
            previews: None,
            width: None,
            height: None,
        });
    }
    let img = decode(bytes, format)?;
    let original = match format {
        Format::Png => png(&img),
        _ => jpeg(&img, 92),
    };
    let display = if img.width().max(img.height()) > DISPLAY_PX {
        img.resize(
            DISPLAY_PX,
            DISPLAY_PX,
            image::imageops::FilterType::Triangle,
        )
    } else {
        img.clone()
    };
    let thumb = display.thumbnail(THUMB_PX, THUMB_PX);
    Ok(Sizes {
        original,
        previews: Some((jpeg(&display, 85), jpeg(&thumb, 80))),
        width: Some(img.width()),
        height: Some(img.height()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypmif1\0\0\0\0mif1heic");
        assert_eq!(sniff(&heic), Some(Format::Heic));
        let mut avif = vec![0, 0, 0, 24];
        avif.extend_from_slice(b"ftypavif\0\0\0\0mif1avif");
        assert_eq!(sniff(&avif), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"hello, this is text"), None);
    }

    #[test]
    fn a_jpeg_cut_short_is_unreadable() {
        let whole = jpeg(&DynamicImage::new_rgb8(64, 48), 90);
        assert!(decode(&whole, Format::Jpeg).is_ok());
        let scan = whole.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
        for cut in [whole.len() - 2, scan + 20, 600.min(scan)] {
            assert!(decode(&whole[..cut], Format::Jpeg).is_err(), "cut at {cut}");
        }
        // Bytes after the end marker (some cameras append data) are not a reason to refuse.
        let mut trailer = whole.clone();
        trailer.extend_from_slice(b"trailing data");
        assert!(decode(&trailer, Format::Jpeg).is_ok());
    }

    #[test]
    fn previews_fit_their_box_and_keep_the_aspect() {
        let img = DynamicImage::new_rgb8(2000, 1000);
        let s = sizes(&jpeg(&img, 90), Format::Jpeg).unwrap();
        let (display, thumb) = s.previews.unwrap();
        let d = image::load_from_memory(&display).unwrap();
        let t = image::load_from_memory(&thumb).unwrap();
        assert_eq!((d.width(), d.height()), (1600, 800));
        assert_eq!((t.width(), t.height()), (320, 160));
        assert_eq!((s.width, s.height), (Some(2000), Some(1000)));
    }
}
