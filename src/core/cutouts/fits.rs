//! The primary image of a FITS file, as ZTF stamps use it: 80-character header
//! cards up to `END`, padded to 2880-byte blocks, then big-endian pixels.
//!
//! Only what a stamp needs is read (`SIMPLE`, `BITPIX`, `NAXIS`, `NAXIS1`,
//! `NAXIS2`, `BSCALE`, `BZERO`, `BLANK`); other cards are skipped unparsed.
//! Written here, not taken from `fitsrs`, because fuzzing found `fitsrs`
//! 0.4.1 panicking on a malformed string card (`bench/FUZZ.md`), and a stamp
//! needs a few dozen lines of the standard. Every size is checked before it is
//! used, so a hostile header is an error, never a panic or a huge allocation.

use super::{StampError, StampImage, MAX_STAMP_SIDE};

const CARD: usize = 80;
const BLOCK: usize = 2880;

fn not_fits(detail: impl Into<String>) -> StampError {
    StampError::NotFits {
        detail: detail.into(),
    }
}

/// The header's keywords that a stamp needs, first occurrence of each.
#[derive(Default)]
struct Header {
    bitpix: Option<i64>,
    naxis: Option<i64>,
    naxis1: Option<i64>,
    naxis2: Option<i64>,
    bscale: Option<f64>,
    bzero: Option<f64>,
    blank: Option<i64>,
}

/// The value of a `KEYWORD = value / comment` card as text, comment removed.
fn value_text(card: &[u8]) -> Option<&str> {
    if card.get(8..10) != Some(b"= ") {
        return None;
    }
    let text = std::str::from_utf8(&card[10..]).ok()?;
    Some(text.split('/').next().unwrap_or("").trim())
}

fn integer(card: &[u8]) -> Result<i64, StampError> {
    let text = value_text(card).unwrap_or("");
    text.parse()
        .map_err(|_| not_fits(format!("`{text}` is not a whole number")))
}

fn real(card: &[u8]) -> Result<f64, StampError> {
    let text = value_text(card).unwrap_or("");
    // FITS allows a `D` exponent (double precision).
    text.replace(['D', 'd'], "E")
        .parse()
        .map_err(|_| not_fits(format!("`{text}` is not a number")))
}

/// Reads the header; returns it with the offset where the data starts.
fn read_header(bytes: &[u8]) -> Result<(Header, usize), StampError> {
    let mut header = Header::default();
    for (index, card) in bytes.chunks_exact(CARD).enumerate() {
        let keyword = std::str::from_utf8(&card[..8])
            .map_err(|_| not_fits("a header keyword is not text"))?
            .trim_end();
        if index == 0 && (keyword != "SIMPLE" || value_text(card) != Some("T")) {
            return Err(not_fits("it does not start with SIMPLE = T"));
        }
        let set_integer = |slot: &mut Option<i64>| -> Result<(), StampError> {
            if slot.is_none() {
                *slot = Some(integer(card)?);
            }
            Ok(())
        };
        let set_real = |slot: &mut Option<f64>| -> Result<(), StampError> {
            if slot.is_none() {
                *slot = Some(real(card)?);
            }
            Ok(())
        };
        match keyword {
            "END" => {
                let header_bytes = (index + 1) * CARD;
                return Ok((header, header_bytes.div_ceil(BLOCK) * BLOCK));
            }
            "BITPIX" => set_integer(&mut header.bitpix)?,
            "NAXIS" => set_integer(&mut header.naxis)?,
            "NAXIS1" => set_integer(&mut header.naxis1)?,
            "NAXIS2" => set_integer(&mut header.naxis2)?,
            "BLANK" => set_integer(&mut header.blank)?,
            "BSCALE" => set_real(&mut header.bscale)?,
            "BZERO" => set_real(&mut header.bzero)?,
            _ => {}
        }
    }
    Err(not_fits("the header has no END card"))
}

/// Decodes the primary image of an (inflated) FITS file.
pub(super) fn decode_primary_image(bytes: &[u8]) -> Result<StampImage, StampError> {
    let (header, data_start) = read_header(bytes)?;
    let axes = header.naxis.ok_or_else(|| not_fits("no NAXIS card"))?;
    if axes != 2 {
        return Err(StampError::NotAnImage {
            axes: usize::try_from(axes).unwrap_or(0),
        });
    }
    let (width, height) = match (header.naxis1, header.naxis2) {
        (Some(width), Some(height)) => (width, height),
        _ => return Err(not_fits("no NAXIS1 or NAXIS2 card")),
    };
    let limit = MAX_STAMP_SIDE as i64;
    if !(1..=limit).contains(&width) || !(1..=limit).contains(&height) {
        return Err(StampError::TooWide {
            width: width.max(0) as u64,
            height: height.max(0) as u64,
            limit: MAX_STAMP_SIDE,
        });
    }
    let (width, height) = (width as usize, height as usize);
    let bitpix = header.bitpix.ok_or_else(|| not_fits("no BITPIX card"))?;
    let pixel_bytes = match bitpix {
        8 => 1,
        16 => 2,
        32 | -32 => 4,
        64 | -64 => 8,
        other => return Err(not_fits(format!("BITPIX {other} is not a FITS pixel type"))),
    };
    let expected = width * height;
    let data = bytes.get(data_start..).unwrap_or(&[]);
    let found = data.len() / pixel_bytes;
    if found < expected {
        return Err(StampError::Truncated { found, expected });
    }
    let scale = header.bscale.unwrap_or(1.0);
    let zero = header.bzero.unwrap_or(0.0);
    // Integer pixels equal to BLANK have no value.
    let integral = |raw: i64| {
        if header.blank == Some(raw) {
            f32::NAN
        } else {
            (zero + scale * raw as f64) as f32
        }
    };
    let floating = |raw: f64| (zero + scale * raw) as f32;
    let pixels = data[..expected * pixel_bytes]
        .chunks_exact(pixel_bytes)
        .map(|raw| match (bitpix, raw) {
            (8, [b]) => integral(i64::from(*b)),
            (16, &[a, b]) => integral(i64::from(i16::from_be_bytes([a, b]))),
            (32, &[a, b, c, d]) => integral(i64::from(i32::from_be_bytes([a, b, c, d]))),
            (64, raw) => integral(raw.try_into().map_or(0, i64::from_be_bytes)),
            (-32, &[a, b, c, d]) => floating(f64::from(f32::from_be_bytes([a, b, c, d]))),
            (_, raw) => floating(raw.try_into().map_or(f64::NAN, f64::from_be_bytes)),
        })
        .collect();
    Ok(StampImage {
        width,
        height,
        pixels,
    })
}
