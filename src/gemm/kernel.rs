//! The micro-kernels: one `MR × NR` tile of `C` from an `MR`-row sliver of packed `A` and an
//! `NR`-column sliver of packed `B`, kept in SIMD registers for the whole dot product.
//!
//! - wasm32 with `simd128`: 4 × 8 (eight `f32x4` accumulators; wasm has no FMA, so mul + add).
//! - x86-64: 6 × 16 (twelve `__m256` accumulators) with AVX2 + FMA when the CPU has them,
//!   found at run time; the portable kernel otherwise.
//! - elsewhere: the portable kernel, plain Rust the compiler vectorizes.
//!
//! The block sizes keep a packed `B` sliver (`KC·NR` values) in L1 and a packed `A` block
//! (`MC·KC`) in L2.

/// What to do with a finished tile before it is stored (see [`super::Epilogue`]).
#[derive(Clone, Copy)]
pub struct Tile<'a> {
    /// Add the tile to the values in `C`.
    pub accumulate: bool,
    /// `NR` values added to every row of the tile.
    pub bias: Option<&'a [f32]>,
    /// Apply `max(x, 0)` last.
    pub relu: bool,
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use simd128::{interleave_rows, run, MR, NR};

#[cfg(target_arch = "x86_64")]
pub use x86::{run, MR, NR};

#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
pub use portable::{run, MR, NR};

/// Packs `MR` rows of `kc` values for the kernel: `out[p·MR + r] = rows[r][p]`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub fn interleave_rows(rows: &[&[f32]; MR], kc: usize, out: &mut [f32]) {
    for (p, out) in out[..kc * MR].chunks_exact_mut(MR).enumerate() {
        for (value, row) in out.iter_mut().zip(rows) {
            *value = row[p];
        }
    }
}

/// Depth of a packed block: the `p` extent of one pass of the micro-kernel.
pub const KC: usize = 384;
/// Rows of `A` packed at once.
pub const MC: usize = 64 * MR;
/// Columns of `B` packed at once.
pub const NC: usize = 1024;

/// Checks the slices a kernel reads and writes, so that its loops may use unchecked pointers.
#[inline]
fn check_tile(
    kc: usize,
    a: &[f32],
    b: &[f32],
    c: &[f32],
    ldc: usize,
    tile: &Tile<'_>,
    [mr, nr]: [usize; 2],
) {
    assert!(a.len() >= kc * mr && b.len() >= kc * nr && ldc >= nr);
    assert!(c.len() >= (mr - 1) * ldc + nr);
    assert!(tile.bias.is_none_or(|bias| bias.len() >= nr));
}

/// The plain-Rust kernel: an `MR × NR` array of sums the compiler keeps in vector registers.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod portable {
    use super::{check_tile, Tile};

    #[cfg(not(target_arch = "x86_64"))]
    pub const MR: usize = 4;
    #[cfg(not(target_arch = "x86_64"))]
    pub const NR: usize = 8;
    #[cfg(target_arch = "x86_64")]
    pub use super::x86::{MR, NR};

    /// Computes the tile with scalar code (vectorized by the compiler where it can).
    pub fn run(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, tile: Tile<'_>) {
        check_tile(kc, a, b, c, ldc, &tile, [MR, NR]);
        let mut acc = [[0.0f32; NR]; MR];
        for (ap, bp) in a.chunks_exact(MR).zip(b.chunks_exact(NR)).take(kc) {
            for (row, &a) in acc.iter_mut().zip(ap) {
                for (sum, &b) in row.iter_mut().zip(bp) {
                    *sum += a * b;
                }
            }
        }
        for (r, row) in acc.iter().enumerate() {
            let out = &mut c[r * ldc..r * ldc + NR];
            for (j, (value, &sum)) in out.iter_mut().zip(row).enumerate() {
                let mut x = sum;
                if tile.accumulate {
                    x += *value;
                }
                if let Some(bias) = tile.bias {
                    x += bias[j];
                }
                *value = if tile.relu { x.max(0.0) } else { x };
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{check_tile, portable, Tile};

    /// Rows of a tile.
    pub const MR: usize = 6;
    /// Columns of a tile: two `__m256`.
    pub const NR: usize = 16;

    /// Computes the tile with AVX2 + FMA when the CPU has them, else with the portable kernel.
    #[inline]
    pub fn run(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, tile: Tile<'_>) {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            check_tile(kc, a, b, c, ldc, &tile, [MR, NR]);
            // SAFETY: the CPU has AVX2 and FMA, and `check_tile` bounds every access.
            unsafe { avx2(kc, a.as_ptr(), b.as_ptr(), c.as_mut_ptr(), ldc, tile) }
        } else {
            portable::run(kc, a, b, c, ldc, tile);
        }
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn avx2(
        kc: usize,
        a: *const f32,
        b: *const f32,
        c: *mut f32,
        ldc: usize,
        tile: Tile<'_>,
    ) {
        let mut acc = [[_mm256_setzero_ps(); 2]; MR];
        let (mut a, mut b) = (a, b);
        for _ in 0..kc {
            let b0 = _mm256_loadu_ps(b);
            let b1 = _mm256_loadu_ps(b.add(8));
            for (r, row) in acc.iter_mut().enumerate() {
                let ar = _mm256_broadcast_ss(&*a.add(r));
                row[0] = _mm256_fmadd_ps(ar, b0, row[0]);
                row[1] = _mm256_fmadd_ps(ar, b1, row[1]);
            }
            a = a.add(MR);
            b = b.add(NR);
        }
        let zero = _mm256_setzero_ps();
        for (r, row) in acc.iter().enumerate() {
            for (half, &sum) in row.iter().enumerate() {
                let out = c.add(r * ldc + 8 * half);
                let mut x = sum;
                if tile.accumulate {
                    x = _mm256_add_ps(x, _mm256_loadu_ps(out));
                }
                if let Some(bias) = tile.bias {
                    x = _mm256_add_ps(x, _mm256_loadu_ps(bias.as_ptr().add(8 * half)));
                }
                if tile.relu {
                    // max(x, 0) returns 0 for NaN, as f32::max does.
                    x = _mm256_max_ps(x, zero);
                }
                _mm256_storeu_ps(out, x);
            }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use core::arch::wasm32::*;

    use super::{check_tile, Tile};

    /// Rows of a tile: four `A` values per step, each splatted straight from memory.
    pub const MR: usize = 4;
    /// Columns of a tile: two `f32x4` of packed `B` per step.
    pub const NR: usize = 8;

    /// Packs `MR` rows of `kc` values for the kernel, `out[p·MR + r] = rows[r][p]`: 4 × 4
    /// blocks transposed by shuffles (packing is a large share of a product with few columns).
    pub fn interleave_rows(rows: &[&[f32]; MR], kc: usize, out: &mut [f32]) {
        assert!(rows.iter().all(|row| row.len() >= kc) && out.len() >= kc * MR);
        let quads = kc / 4;
        // SAFETY: the assertion bounds every load (4·quad + 4 ≤ kc) and store (< kc·MR).
        unsafe {
            for quad in 0..quads {
                for group in 0..MR / 4 {
                    let load = |i: usize| {
                        v128_load(rows[4 * group + i].as_ptr().add(4 * quad) as *const v128)
                    };
                    let (x0, x1, x2, x3) = (load(0), load(1), load(2), load(3));
                    let t0 = i32x4_shuffle::<0, 4, 1, 5>(x0, x1);
                    let t1 = i32x4_shuffle::<2, 6, 3, 7>(x0, x1);
                    let t2 = i32x4_shuffle::<0, 4, 1, 5>(x2, x3);
                    let t3 = i32x4_shuffle::<2, 6, 3, 7>(x2, x3);
                    let base = out.as_mut_ptr().add(4 * quad * MR + 4 * group);
                    v128_store(base as *mut v128, i32x4_shuffle::<0, 1, 4, 5>(t0, t2));
                    v128_store(
                        base.add(MR) as *mut v128,
                        i32x4_shuffle::<2, 3, 6, 7>(t0, t2),
                    );
                    v128_store(
                        base.add(2 * MR) as *mut v128,
                        i32x4_shuffle::<0, 1, 4, 5>(t1, t3),
                    );
                    v128_store(
                        base.add(3 * MR) as *mut v128,
                        i32x4_shuffle::<2, 3, 6, 7>(t1, t3),
                    );
                }
            }
        }
        for p in quads * 4..kc {
            for (r, row) in rows.iter().enumerate() {
                out[p * MR + r] = row[p];
            }
        }
    }

    /// Computes the tile with `simd128` (`f32x4` multiply, then add: wasm has no FMA). Each step
    /// loads two vectors of `B` and splats four values of `A` with `v128.load32_splat` (a
    /// broadcast from memory, which uses a load port instead of a shuffle port): 64 flops per six
    /// loads. Eight sums, two `B` vectors, a splat and a product fit in V8's x64 registers; an
    /// 8 × 8 tile (sixteen sums) does not, and V8 spills.
    #[inline]
    pub fn run(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, tile: Tile<'_>) {
        check_tile(kc, a, b, c, ldc, &tile, [MR, NR]);
        // SAFETY: `check_tile` bounds every access; wasm loads and stores need no alignment.
        unsafe {
            let mut acc = [[f32x4_splat(0.0); 2]; MR];
            let (mut pa, mut pb) = (a.as_ptr(), b.as_ptr());
            for _ in 0..kc {
                let b0 = v128_load(pb as *const v128);
                let b1 = v128_load(pb.add(4) as *const v128);
                for (r, row) in acc.iter_mut().enumerate() {
                    let ar = v128_load32_splat(pa.add(r) as *const u32);
                    row[0] = f32x4_add(row[0], f32x4_mul(ar, b0));
                    row[1] = f32x4_add(row[1], f32x4_mul(ar, b1));
                }
                pa = pa.add(MR);
                pb = pb.add(NR);
            }
            let zero = f32x4_splat(0.0);
            let c = c.as_mut_ptr();
            for (r, row) in acc.iter().enumerate() {
                for (half, &sum) in row.iter().enumerate() {
                    let out = c.add(r * ldc + 4 * half) as *mut v128;
                    let mut x = sum;
                    if tile.accumulate {
                        x = f32x4_add(x, v128_load(out));
                    }
                    if let Some(bias) = tile.bias {
                        x = f32x4_add(x, v128_load(bias.as_ptr().add(4 * half) as *const v128));
                    }
                    if tile.relu {
                        // pmax(0, x) = 0 < x ? x : 0, which keeps f32::max's 0 for NaN.
                        x = f32x4_pmax(zero, x);
                    }
                    v128_store(out, x);
                }
            }
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    /// The fallback for CPUs without AVX2 computes what the AVX2 kernel computes.
    #[test]
    fn portable_kernel_matches_the_avx2_kernel() {
        let kc = 37;
        let a: Vec<f32> = (0..kc * MR).map(|i| (i % 13) as f32 - 6.0).collect();
        let b: Vec<f32> = (0..kc * NR).map(|i| (i % 7) as f32 * 0.5 - 1.5).collect();
        let bias: Vec<f32> = (0..NR).map(|j| j as f32 - 8.0).collect();
        let ldc = NR + 3;
        let start: Vec<f32> = (0..MR * ldc).map(|i| (i % 5) as f32).collect();
        for tile in [
            Tile {
                accumulate: false,
                bias: None,
                relu: false,
            },
            Tile {
                accumulate: true,
                bias: Some(&bias),
                relu: true,
            },
        ] {
            let (mut simd, mut plain) = (start.clone(), start.clone());
            run(kc, &a, &b, &mut simd, ldc, tile);
            portable::run(kc, &a, &b, &mut plain, ldc, tile);
            // Small integers and halves: exact in f32 with or without FMA.
            assert_eq!(simd, plain);
        }
    }
}
