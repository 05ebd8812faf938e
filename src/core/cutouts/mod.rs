//! Cutout stamps as pictures: a FITS stamp in, display-ready pixels out.
//!
//! ZTF alerts carry three 63×63 stamps (science, template, difference), each a
//! gzipped single-image FITS file; LSST alerts carry the same three as raw
//! FITS (30×30 or larger, then variance and PSF HDUs, which are not read).
//! [`decode_stamp`] tells them apart by the gzip magic bytes, inflates a
//! gzipped one with `flate2` (with a size cap, so a gzip bomb is an error, not
//! an out-of-memory crash), caps a raw one at the same size,
//! parses its primary image (`fits`), applies `BSCALE`/`BZERO`, and checks
//! the shape.
//! [`StampImage::to_rgba`] maps it to grey levels with a robust percentile
//! stretch, so that one hot pixel or a saturated star does not flatten the
//! rest of the image, and flips it so that north-up FITS rows (row 0 at the
//! bottom) appear the right way up on a canvas (row 0 at the top).

mod fits;

use std::io::Read;

use flate2::read::GzDecoder;
use parquet::file::reader::ChunkReader;
use thiserror::Error;

use crate::core::alert::Candid;
use crate::core::ingest::{read_stamps, IngestError, StampBytes};

/// Largest inflated stamp accepted: a ZTF stamp is about 20 KB.
pub const MAX_STAMP_BYTES: u64 = 4 * 1024 * 1024;
/// Largest side accepted, in pixels (ZTF stamps are 63).
pub const MAX_STAMP_SIDE: u64 = 1024;
/// Share of pixels clipped at each end by the stretch.
const CLIP_FRACTION: f64 = 0.005;
/// Colour of pixels with no value (NaN, infinities): a dark magenta that no
/// grey level can be mistaken for.
pub const NO_VALUE_RGBA: [u8; 4] = [96, 0, 72, 255];

/// Why a stamp could not be shown.
#[derive(Debug, Error, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum StampError {
    #[error("the file has no such stamp for this alert")]
    Missing,
    #[error("the stamp is not valid gzip ({detail})")]
    NotGzip { detail: String },
    #[error("the stamp inflates to more than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the stamp is not a readable FITS image ({detail})")]
    NotFits { detail: String },
    #[error("the stamp has {axes} axes, expected a 2-D image")]
    NotAnImage { axes: usize },
    #[error("the stamp is {width}×{height} pixels, larger than {limit} on a side")]
    TooWide { width: u64, height: u64, limit: u64 },
    #[error("the stamp holds {found} pixels, expected {expected}: it is cut short")]
    Truncated { found: usize, expected: usize },
}

/// A decoded stamp: `pixels[row * width + column]`, FITS row order (row 0 is
/// the bottom of the sky image). Values are physical (`BZERO + BSCALE·raw`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StampImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<f32>,
}

/// The first two bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Decodes one FITS stamp: gzipped (ZTF's `stampData`) or not (LSST's
/// cutouts), told by its first bytes.
pub fn decode_stamp(stored: &[u8]) -> Result<StampImage, StampError> {
    if stored.starts_with(&GZIP_MAGIC) {
        decode_fits(inflate(stored)?)
    } else if stored.len() as u64 > MAX_STAMP_BYTES {
        Err(StampError::TooLarge {
            limit: MAX_STAMP_BYTES,
        })
    } else {
        decode_fits(stored.to_vec())
    }
}

fn inflate(gzipped: &[u8]) -> Result<Vec<u8>, StampError> {
    let mut fits_bytes = Vec::new();
    GzDecoder::new(gzipped)
        .take(MAX_STAMP_BYTES + 1)
        .read_to_end(&mut fits_bytes)
        .map_err(|error| StampError::NotGzip {
            detail: error.to_string(),
        })?;
    if fits_bytes.len() as u64 > MAX_STAMP_BYTES {
        return Err(StampError::TooLarge {
            limit: MAX_STAMP_BYTES,
        });
    }
    Ok(fits_bytes)
}

/// Parses the primary image of an inflated FITS file (what [`decode_stamp`]
/// does after gunzip; public so the fuzzer can reach the FITS parser directly).
pub fn decode_fits(fits_bytes: Vec<u8>) -> Result<StampImage, StampError> {
    fits::decode_primary_image(&fits_bytes)
}

/// One stamp of an alert as the card shows it: a title and the image, or why
/// it cannot be shown.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CardStamp {
    /// "Science", "Template" or "Difference".
    pub title: String,
    pub image: Result<StampImage, StampError>,
}

/// Decodes the three stamps of an alert, in display order; a stamp missing
/// from the file is [`StampError::Missing`], and one bad stamp does not hide
/// the others.
pub fn decode_card_stamps(stamps: &StampBytes) -> Vec<CardStamp> {
    const TITLES: [&str; 3] = ["Science", "Template", "Difference"];
    stamps
        .named()
        .into_iter()
        .zip(TITLES)
        .map(|((_, gzipped), title)| CardStamp {
            title: title.to_string(),
            image: gzipped.map_or(Err(StampError::Missing), decode_stamp),
        })
        .collect()
}

/// A card's stamps as the worker answers: decoded stamps, `None` when the
/// file has none for the alert, or why the file could not be read.
pub type CardStampsReply = Result<Option<Vec<CardStamp>>, IngestError>;

/// Reads the stamps of alert `candid` from the bytes of its file and decodes
/// them for the card. `Ok(None)` when the file has no stamps for it.
pub fn read_card_stamps(
    file: &str,
    bytes: impl Into<bytes::Bytes>,
    candid: Candid,
) -> CardStampsReply {
    read_card_stamps_from(file, bytes.into(), candid)
}

/// The same from any parquet chunk reader: the whole file, or only the
/// ranges the stamps need (`ingest::read_needed_for_stamps`, the worker's way).
pub fn read_card_stamps_from<R: ChunkReader + Clone + 'static>(
    file: &str,
    reader: R,
    candid: Candid,
) -> CardStampsReply {
    let stamps = read_stamps(file, reader, candid)?;
    Ok(stamps.as_ref().map(decode_card_stamps))
}

impl StampImage {
    /// The grey levels that the stretch maps to black and white: the 0.5th and
    /// 99.5th percentiles of the finite pixels. `None` when no pixel is finite.
    pub fn stretch_limits(&self) -> Option<(f32, f32)> {
        let mut finite: Vec<f32> = self
            .pixels
            .iter()
            .copied()
            .filter(|value| value.is_finite())
            .collect();
        if finite.is_empty() {
            return None;
        }
        finite.sort_by(f32::total_cmp);
        let at = |fraction: f64| {
            let index = (fraction * (finite.len() - 1) as f64).round() as usize;
            finite[index.min(finite.len() - 1)]
        };
        Some((at(CLIP_FRACTION), at(1.0 - CLIP_FRACTION)))
    }

    /// RGBA bytes (`width × height × 4`) for a canvas `ImageData`, top row
    /// first: a linear grey ramp between the stretch limits, values outside
    /// clipped, pixels with no value in [`NO_VALUE_RGBA`].
    pub fn to_rgba(&self) -> Vec<u8> {
        let (low, high) = self.stretch_limits().unwrap_or((0.0, 0.0));
        let span = high - low;
        let mut rgba = Vec::with_capacity(self.pixels.len() * 4);
        for row in self.pixels.chunks(self.width.max(1)).rev() {
            for &value in row {
                if !value.is_finite() {
                    rgba.extend_from_slice(&NO_VALUE_RGBA);
                    continue;
                }
                let level = if span > 0.0 {
                    ((value - low) / span).clamp(0.0, 1.0)
                } else {
                    0.5
                };
                let grey = (level * 255.0).round() as u8;
                rgba.extend_from_slice(&[grey, grey, grey, 255]);
            }
        }
        rgba
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal FITS file: the given header cards, END, padding, then data.
    fn fits_file(cards: &[&str], data: &[u8]) -> Vec<u8> {
        let mut header = String::new();
        for card in cards.iter().chain(["END"].iter()) {
            header.push_str(&format!("{card:<80}"));
        }
        let mut bytes = header.into_bytes();
        bytes.resize(bytes.len().div_ceil(2880) * 2880, b' ');
        bytes.extend_from_slice(data);
        bytes.resize(bytes.len().div_ceil(2880) * 2880, 0);
        bytes
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).expect("in memory");
        encoder.finish().expect("in memory")
    }

    fn float_image(width: usize, values: &[f32]) -> Vec<u8> {
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        let naxis1 = format!("NAXIS1  = {width:>20}");
        let naxis2 = format!("NAXIS2  = {:>20}", values.len() / width);
        gzip(&fits_file(
            &[
                "SIMPLE  =                    T",
                "BITPIX  =                  -32",
                "NAXIS   =                    2",
                &naxis1,
                &naxis2,
            ],
            &data,
        ))
    }

    #[test]
    fn a_float_stamp_decodes_row_by_row() {
        let image = decode_stamp(&float_image(3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).expect("ok");
        assert_eq!((image.width, image.height), (3, 2));
        assert_eq!(image.pixels, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn bscale_and_bzero_give_physical_values() {
        let data: Vec<u8> = [0i16, 10, -10, 100]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let stamp = gzip(&fits_file(
            &[
                "SIMPLE  =                    T",
                "BITPIX  =                   16",
                "NAXIS   =                    2",
                "NAXIS1  =                    2",
                "NAXIS2  =                    2",
                "BSCALE  =                  0.5",
                "BZERO   =                  100",
            ],
            &data,
        ));
        let image = decode_stamp(&stamp).expect("ok");
        assert_eq!(image.pixels, vec![100.0, 105.0, 95.0, 150.0]);
    }

    #[test]
    fn the_stretch_ignores_one_hot_pixel_and_flips_rows() {
        let mut values: Vec<f32> = (0..400).map(|i| (i % 20) as f32).collect();
        values[0] = 1e9;
        values[399] = f32::NAN;
        let image = decode_stamp(&float_image(20, &values)).expect("ok");
        let (low, high) = image.stretch_limits().expect("finite pixels");
        assert_eq!((low, high), (0.0, 19.0), "the hot pixel is clipped");
        let rgba = image.to_rgba();
        assert_eq!(rgba.len(), 400 * 4);
        // The last FITS row is drawn first: its last pixel is the NaN.
        assert_eq!(&rgba[19 * 4..20 * 4], &NO_VALUE_RGBA);
        // The first FITS row is drawn last; its pixel 1 (value 1) is dark grey.
        let bottom_row = 19 * 20 * 4;
        assert_eq!(rgba[bottom_row + 4], 13);
        assert_eq!(&rgba[bottom_row..bottom_row + 4], &[255, 255, 255, 255]);
    }

    #[test]
    fn broken_stamps_are_errors_not_panics() {
        assert!(matches!(
            decode_stamp(b"not FITS"),
            Err(StampError::NotFits { .. })
        ));
        assert!(matches!(
            decode_stamp(&[0x1f, 0x8b, 0x08, 0x00, 0x01]),
            Err(StampError::NotGzip { .. })
        ));
        assert!(matches!(
            decode_stamp(&gzip(b"SIMPLE nonsense")),
            Err(StampError::NotFits { .. })
        ));
        let full = float_image(4, &[1.0; 16]);
        let inflated = inflate(&full).expect("gzip");
        let cut = gzip(&inflated[..2880 + 20]);
        assert!(matches!(
            decode_stamp(&cut),
            Err(StampError::Truncated { .. }) | Err(StampError::NotFits { .. })
        ));
        let bomb = gzip(&vec![b' '; MAX_STAMP_BYTES as usize + 10]);
        assert_eq!(
            decode_stamp(&bomb),
            Err(StampError::TooLarge {
                limit: MAX_STAMP_BYTES
            })
        );
    }

    #[test]
    fn integer_pixel_types_blank_and_double_precision_scales_decode() {
        let data: Vec<u8> = [7i32, -3, 99, 0]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let stamp = gzip(&fits_file(
            &[
                "SIMPLE  =                    T / conforms",
                "BITPIX  =                   32",
                "NAXIS   =                    2",
                "NAXIS1  =                    2",
                "NAXIS2  =                    2",
                "BLANK   =                   99",
                "BSCALE  =              2.0D+00 / a D exponent",
                "BUNIT   = '/ not a comment'",
            ],
            &data,
        ));
        let image = decode_stamp(&stamp).expect("ok");
        assert_eq!(&image.pixels[..2], &[14.0, -6.0]);
        assert!(image.pixels[2].is_nan(), "BLANK has no value");
        let doubles: Vec<u8> = [1.5f64, -2.25]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let stamp = gzip(&fits_file(
            &[
                "SIMPLE  =                    T",
                "BITPIX  =                  -64",
                "NAXIS   =                    2",
                "NAXIS1  =                    2",
                "NAXIS2  =                    1",
            ],
            &doubles,
        ));
        assert_eq!(decode_stamp(&stamp).expect("ok").pixels, vec![1.5, -2.25]);
    }

    #[test]
    fn hostile_headers_are_refused_by_their_sizes_and_types() {
        let header = |cards: &[&str]| decode_stamp(&gzip(&fits_file(cards, &[])));
        let simple = "SIMPLE  =                    T";
        assert!(matches!(
            header(&[
                simple,
                "BITPIX  =                  -32",
                "NAXIS   =                    2",
                "NAXIS1  =           4000000000",
                "NAXIS2  =           4000000000"
            ]),
            Err(StampError::TooWide { .. })
        ));
        assert!(matches!(
            header(&[
                simple,
                "BITPIX  =                    7",
                "NAXIS   =                    2",
                "NAXIS1  =                    2",
                "NAXIS2  =                    2"
            ]),
            Err(StampError::NotFits { .. })
        ));
        assert!(matches!(
            header(&[simple, "BITPIX  = 'text'", "NAXIS   =                    2"]),
            Err(StampError::NotFits { .. })
        ));
        assert!(matches!(
            header(&["SIMPLE  =                    F"]),
            Err(StampError::NotFits { .. })
        ));
        assert!(matches!(
            decode_fits(vec![b' '; 2880 * 3]),
            Err(StampError::NotFits { .. })
        ));
    }

    #[test]
    fn a_cube_is_refused() {
        let stamp = gzip(&fits_file(
            &[
                "SIMPLE  =                    T",
                "BITPIX  =                    8",
                "NAXIS   =                    3",
                "NAXIS1  =                    2",
                "NAXIS2  =                    2",
                "NAXIS3  =                    2",
            ],
            &[0; 8],
        ));
        assert_eq!(
            decode_stamp(&stamp),
            Err(StampError::NotAnImage { axes: 3 })
        );
    }
}
