//! Float functions that give the same bits on every platform.
//!
//! `f64::ln` and friends call the platform's C library natively (glibc here)
//! and a Rust port of musl's in WebAssembly; the two can differ in the last
//! bit. Every number the lab computes outside the network (the sequence's
//! data, initial weights, sampled actions, the estimators) goes through these
//! wrappers of the `libm` crate instead, so the CLI, any browser and any
//! machine agree on them bit for bit.

/// Natural logarithm.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// e^x.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// Cosine.
#[inline]
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// Square root (IEEE 754 makes it exact everywhere; here for symmetry).
#[inline]
pub fn sqrt(x: f64) -> f64 {
    x.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(cos(0.0), 1.0);
        assert!((ln(8.0) - 2.0794415416798357).abs() < 1e-15);
        assert!((exp(1.0) - std::f64::consts::E).abs() < 1e-15);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
    }
}
