//! [`F32x4`], four `f32` lanes in one SIMD register, and [`Lanes`], what code that runs on four
//! lanes or on one value at a time is written against.
//!
//! LLVM does not vectorize element-wise code over small arrays reliably (Winograd's transforms
//! came out scalar in wasm), so this type says it: wasm `simd128`, SSE on x86-64 (always there),
//! plain arrays elsewhere.

use std::ops::{Add, Mul, Sub};

/// Values computed on element-wise: one `f32`, or four in an [`F32x4`].
pub(crate) trait Lanes:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<f32, Output = Self>
{
    /// How many `f32` one value holds.
    const LANES: usize;
    /// Every lane `0`.
    fn zero() -> Self;
    /// The first `LANES` values of `values`.
    fn load(values: &[f32]) -> Self;
    /// Writes the lanes to the first `LANES` values of `out`.
    fn store(self, out: &mut [f32]);
    /// `max(x, 0)` per lane, `0` for NaN (as `f32::max`).
    fn relu(self) -> Self;
}

impl Lanes for f32 {
    const LANES: usize = 1;

    fn zero() -> Self {
        0.0
    }

    fn load(values: &[f32]) -> Self {
        values[0]
    }

    fn store(self, out: &mut [f32]) {
        out[0] = self;
    }

    fn relu(self) -> Self {
        // Not `f32::max`: in wasm that is a call to `fmaxf`.
        if 0.0 < self {
            self
        } else {
            0.0
        }
    }
}

/// Four `f32` lanes.
#[derive(Clone, Copy)]
pub(crate) struct F32x4(imp::Vector);

impl Lanes for F32x4 {
    const LANES: usize = 4;

    fn zero() -> Self {
        F32x4(imp::splat(0.0))
    }

    fn load(values: &[f32]) -> Self {
        F32x4(imp::load(values[..4].try_into().expect("4 values")))
    }

    fn store(self, out: &mut [f32]) {
        imp::store(self.0, (&mut out[..4]).try_into().expect("4 values"));
    }

    fn relu(self) -> Self {
        F32x4(imp::relu(self.0))
    }
}

impl Add for F32x4 {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        F32x4(imp::add(self.0, other.0))
    }
}

impl Sub for F32x4 {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        F32x4(imp::sub(self.0, other.0))
    }
}

impl Mul<f32> for F32x4 {
    type Output = Self;
    fn mul(self, factor: f32) -> Self {
        F32x4(imp::mul(self.0, imp::splat(factor)))
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use std::arch::wasm32::*;

    pub type Vector = v128;

    pub fn splat(x: f32) -> v128 {
        f32x4_splat(x)
    }

    pub fn load(values: &[f32; 4]) -> v128 {
        // SAFETY: four readable values; wasm loads need no alignment.
        unsafe { v128_load(values.as_ptr() as *const v128) }
    }

    pub fn store(x: v128, out: &mut [f32; 4]) {
        // SAFETY: four writable values; wasm stores need no alignment.
        unsafe { v128_store(out.as_mut_ptr() as *mut v128, x) }
    }

    pub fn add(a: v128, b: v128) -> v128 {
        f32x4_add(a, b)
    }

    pub fn sub(a: v128, b: v128) -> v128 {
        f32x4_sub(a, b)
    }

    pub fn mul(a: v128, b: v128) -> v128 {
        f32x4_mul(a, b)
    }

    pub fn relu(x: v128) -> v128 {
        // pmax(0, x) = 0 < x ? x : 0.
        f32x4_pmax(f32x4_splat(0.0), x)
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use std::arch::x86_64::*;

    pub type Vector = __m128;

    // SAFETY (every function): SSE is part of x86-64; loads and stores are unaligned ones of
    // four values the references guarantee.

    pub fn splat(x: f32) -> __m128 {
        unsafe { _mm_set1_ps(x) }
    }

    pub fn load(values: &[f32; 4]) -> __m128 {
        unsafe { _mm_loadu_ps(values.as_ptr()) }
    }

    pub fn store(x: __m128, out: &mut [f32; 4]) {
        unsafe { _mm_storeu_ps(out.as_mut_ptr(), x) }
    }

    pub fn add(a: __m128, b: __m128) -> __m128 {
        unsafe { _mm_add_ps(a, b) }
    }

    pub fn sub(a: __m128, b: __m128) -> __m128 {
        unsafe { _mm_sub_ps(a, b) }
    }

    pub fn mul(a: __m128, b: __m128) -> __m128 {
        unsafe { _mm_mul_ps(a, b) }
    }

    pub fn relu(x: __m128) -> __m128 {
        // maxps returns its second operand for NaN: 0.
        unsafe { _mm_max_ps(x, _mm_setzero_ps()) }
    }
}

#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
mod imp {
    use super::Lanes;

    pub type Vector = [f32; 4];

    pub fn splat(x: f32) -> [f32; 4] {
        [x; 4]
    }

    pub fn load(values: &[f32; 4]) -> [f32; 4] {
        *values
    }

    pub fn store(x: [f32; 4], out: &mut [f32; 4]) {
        *out = x;
    }

    pub fn add(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
        std::array::from_fn(|l| a[l] + b[l])
    }

    pub fn sub(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
        std::array::from_fn(|l| a[l] - b[l])
    }

    pub fn mul(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
        std::array::from_fn(|l| a[l] * b[l])
    }

    pub fn relu(x: [f32; 4]) -> [f32; 4] {
        x.map(Lanes::relu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_lanes_compute_what_one_does() {
        let (a, b) = ([1.5, -2.0, 0.25, f32::NAN], [0.5, 3.0, -4.0, 1.0]);
        let mut out = [0.0; 4];
        ((F32x4::load(&a) + F32x4::load(&b)) * 0.5 - F32x4::load(&b))
            .relu()
            .store(&mut out);
        for l in 0..4 {
            assert_eq!(out[l], ((a[l] + b[l]) * 0.5 - b[l]).relu(), "lane {l}");
        }
        F32x4::zero().store(&mut out);
        assert_eq!(out, [0.0; 4]);
    }
}
