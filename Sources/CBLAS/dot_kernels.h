// Inner-product kernels for one query against consecutive rows, compiled for AVX2 + FMA and
// chosen at run time (`matchd_cpu_has_avx2_fma`), so one binary runs on any x86-64 and uses the
// wide units where the CPU has them. Swift cannot compile one function for a wider target than
// the rest of a module; C's `target` attribute can. Header-only: the module stays a system
// library, and Matcher (the only importer) inlines these where it calls them.
//
// Measured on 1M × 256 (one thread, same run): SSE (Swift SIMD8 at baseline x86-64) 141–166 ms,
// AVX2+FMA 106–119 ms, AVX2+FMA with a prefetch eight rows ahead 84–104 ms, AVX-512 95–99 ms;
// the machine's streaming read bound was about 92 ms. See Matcher/Kernels/DotKernel.swift.
// Prefetches are spread over a row's (or a block's) steps, never issued in one burst
// (`matchd_prefetch_spread`): a burst fills the line-fill buffers and stalls the arithmetic.
// SwiftPM does not track a system library's headers: after editing this file, touch
// Sources/Matcher/Kernels/DotKernel.swift (or build clean) so that Matcher is rebuilt.
#ifndef MATCHD_DOT_KERNELS_H
#define MATCHD_DOT_KERNELS_H

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

/// 1 when the CPU (and the OS, for the AVX state) supports AVX2 and FMA, else 0.
static inline int matchd_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/// Rows the kernels prefetch ahead into L1 (the hardware prefetcher stops at page boundaries).
#define MATCHD_PREFETCH_ROWS 8

/// Prefetches `count` rows of `d` floats, `MATCHD_PREFETCH_ROWS` rows after `row` (row `i` of
/// `n`), when they exist.
static inline void matchd_prefetch_ahead(const float *row, long i, long count, long n, long d) {
    if (i + count + MATCHD_PREFETCH_ROWS > n) return;
    const char *ahead = (const char *)(row + MATCHD_PREFETCH_ROWS * d);
    for (long byte = 0; byte < count * d * 4; byte += 64) _mm_prefetch(ahead + byte, _MM_HINT_T0);
}

/// The prefetch of a batch kernel's next rows, spread over its steps: the `count` rows
/// `MATCHD_PREFETCH_ROWS` after `row` (row `i` of `n`), `per_step` cache lines at a time over
/// `steps` steps (the block's query groups × its steps along d), so that no burst of prefetches
/// fills the line-fill buffers and stalls the arithmetic behind it. Measured on 1M × 256, one
/// thread, AVX-512 kernel, the same run (ms): Q = 16 burst 128–144, spread 94–97 (the read
/// bound about 95); Q = 32 burst 204–230, spread per query group 149–156; Q = 4 alike (one
/// group: a burst either way).
typedef struct {
    const char *next, *end;
    long per_step;
} matchd_prefetch_plan;

static inline matchd_prefetch_plan matchd_prefetch_spread(const float *row, long i, long count, long n, long d,
                                                          long steps) {
    matchd_prefetch_plan plan = {0, 0, 0};
    if (i + count + MATCHD_PREFETCH_ROWS > n || steps < 1) return plan;
    long lines = (count * d * 4 + 63) / 64;
    plan.next = (const char *)(row + MATCHD_PREFETCH_ROWS * d);
    plan.end = plan.next + 64 * lines;
    plan.per_step = (lines + steps - 1) / steps;
    return plan;
}

/// One step of a plan: its next `per_step` lines, if any are left.
static inline void matchd_prefetch_step(matchd_prefetch_plan *plan) {
    for (long p = 0; p < plan->per_step && plan->next < plan->end; p++, plan->next += 64) {
        _mm_prefetch(plan->next, _MM_HINT_T0);
    }
}

/// The end of `matchd_dot_avx2_prefetching` from float `j` (a multiple of 32) on, given its four
/// accumulators: an 8-wide step, the sum `(s0 + s1) + (s2 + s3)`, a scalar tail. Shared with the
/// two-row kernel, so that a row scores the same bits whichever kernel reads it.
__attribute__((target("avx2,fma")))
static inline float matchd_dot_avx2_finish(const float *a, const float *b, long d, long j, __m256 s0, __m256 s1,
                                           __m256 s2, __m256 s3) {
    for (; j + 8 <= d; j += 8) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), s0);
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    float r = _mm_cvtss_f32(h);
    {
        // Unfused, like the portable loop: short vectors then score exactly alike on both
        // kernels (a cosine row against itself scores 1, not 1 − ulp).
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
        for (; j < d; j++) r += a[j] * b[j];
    }
    return r;
}

/// ⟨a, b⟩ over d floats: four 8-wide FMA accumulators, then `matchd_dot_avx2_finish`; one step
/// of `plan` (when given) per 32 floats.
__attribute__((target("avx2,fma")))
static inline float matchd_dot_avx2_prefetching(const float *a, const float *b, long d, matchd_prefetch_plan *plan) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    long j = 0;
    for (; j + 32 <= d; j += 32) {
        if (plan) matchd_prefetch_step(plan);
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(b + j + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 16), _mm256_loadu_ps(b + j + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 24), _mm256_loadu_ps(b + j + 24), s3);
    }
    return matchd_dot_avx2_finish(a, b, d, j, s0, s1, s2, s3);
}

/// ⟨a, b⟩ over d floats (`matchd_dot_avx2_prefetching` without prefetching).
__attribute__((target("avx2,fma")))
static inline float matchd_dot_avx2(const float *a, const float *b, long d) {
    return matchd_dot_avx2_prefetching(a, b, d, 0);
}

/// out[i] = ⟨query, rows[i]⟩ for i < n (rows row-major, d floats each), two rows at a time: each
/// 32-float step loads four query vectors once for both rows (eight accumulators and four query
/// registers of the sixteen) and prefetches the same 128 bytes of the two rows
/// `MATCHD_PREFETCH_ROWS` ahead, in the order the loads will consume them. Each row keeps the
/// accumulators and the sum of `matchd_dot_avx2_prefetching` (`matchd_dot_avx2_finish`), so the
/// scores are bit for bit those of the one-row kernel; a row left over goes alone. Four rows
/// would need sixteen accumulators and spill.
///
/// In a C harness over 1M × 256 (2026-12-02, nine rounds, time ÷ a read pass timed just before;
/// median, p25–p75): one row at a time with the prefetch spread over the row's steps (before)
/// 1.242 (1.217–1.294) on one thread, 1.238 (1.190–1.283) on two; two rows 1.143 (1.111–1.251)
/// and 1.189 (1.107–1.239). (The one-row spread prefetch had beaten one burst per row: 71–73 ms
/// against 82–87 ms.)
__attribute__((target("avx2,fma")))
static inline void matchd_scores_avx2(const float *query, const float *rows, long n, long d, float *out) {
    long i = 0;
    for (; i + 2 <= n; i += 2) {
        const float *b0 = rows + i * d, *b1 = b0 + d;
        const char *ahead = i + 2 + MATCHD_PREFETCH_ROWS <= n ? (const char *)(b0 + MATCHD_PREFETCH_ROWS * d) : 0;
        const long rowBytes = d * 4;
        __m256 s00 = _mm256_setzero_ps(), s01 = _mm256_setzero_ps(), s02 = _mm256_setzero_ps(), s03 = _mm256_setzero_ps();
        __m256 s10 = _mm256_setzero_ps(), s11 = _mm256_setzero_ps(), s12 = _mm256_setzero_ps(), s13 = _mm256_setzero_ps();
        long j = 0;
        for (; j + 32 <= d; j += 32) {
            if (ahead) {
                _mm_prefetch(ahead + j * 4, _MM_HINT_T0);
                _mm_prefetch(ahead + j * 4 + 64, _MM_HINT_T0);
                _mm_prefetch(ahead + rowBytes + j * 4, _MM_HINT_T0);
                _mm_prefetch(ahead + rowBytes + j * 4 + 64, _MM_HINT_T0);
            }
            __m256 q0 = _mm256_loadu_ps(query + j), q1 = _mm256_loadu_ps(query + j + 8);
            __m256 q2 = _mm256_loadu_ps(query + j + 16), q3 = _mm256_loadu_ps(query + j + 24);
            s00 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(b0 + j), s00); s01 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(b0 + j + 8), s01);
            s02 = _mm256_fmadd_ps(q2, _mm256_loadu_ps(b0 + j + 16), s02); s03 = _mm256_fmadd_ps(q3, _mm256_loadu_ps(b0 + j + 24), s03);
            s10 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(b1 + j), s10); s11 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(b1 + j + 8), s11);
            s12 = _mm256_fmadd_ps(q2, _mm256_loadu_ps(b1 + j + 16), s12); s13 = _mm256_fmadd_ps(q3, _mm256_loadu_ps(b1 + j + 24), s13);
        }
        // The future rows' lines past the last whole step (d not a multiple of 32).
        if (ahead) {
            for (long byte = j * 4; byte < rowBytes; byte += 64) {
                _mm_prefetch(ahead + byte, _MM_HINT_T0);
                _mm_prefetch(ahead + rowBytes + byte, _MM_HINT_T0);
            }
        }
        out[i] = matchd_dot_avx2_finish(query, b0, d, j, s00, s01, s02, s03);
        out[i + 1] = matchd_dot_avx2_finish(query, b1, d, j, s10, s11, s12, s13);
    }
    for (; i < n; i++) {
        const float *row = rows + i * d;
        matchd_prefetch_plan plan = matchd_prefetch_spread(row, i, 1, n, d, d / 32);
        if (d < 32) matchd_prefetch_ahead(row, i, 1, n, d);
        out[i] = matchd_dot_avx2_prefetching(query, row, d, &plan);
    }
}

/// The sums of four 8-wide accumulators, as one 4-wide vector [Σa, Σb, Σc, Σd].
__attribute__((target("avx2,fma")))
static inline __m128 matchd_hsum4_avx2(__m256 a, __m256 b, __m256 c, __m256 d) {
    __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

/// out[r × q + j] = ⟨rows[r], queries[j]⟩ for r < n, j < q: a small batch of queries against
/// consecutive rows, each row read from memory once. Blocks of 2 rows × 4 queries keep eight
/// accumulators in registers (6 loads per 8 FMAs), the next rows' prefetch spread over the
/// block's steps (`matchd_prefetch_spread`); leftover rows, queries and a dimension that
/// is not a multiple of 8 fall back to `matchd_dot_avx2`. Meant for batches small enough that
/// the queries stay in L1 (q × d × 4 bytes; 16 × 256 is 16 KiB).
__attribute__((target("avx2,fma")))
static inline void matchd_scores_batch_avx2(const float *queries, long q, const float *rows, long n, long d,
                                            float *out) {
    long r = 0;
    if (d % 8 == 0) {
        for (; r + 2 <= n; r += 2) {
            const float *x0 = rows + r * d, *x1 = x0 + d;
            matchd_prefetch_plan plan = matchd_prefetch_spread(x0, r, 2, n, d, (q / 4) * (d / 8));
            if (q < 4) matchd_prefetch_ahead(x0, r, 2, n, d);
            long j = 0;
            for (; j + 4 <= q; j += 4) {
                const float *y0 = queries + j * d, *y1 = y0 + d, *y2 = y1 + d, *y3 = y2 + d;
                __m256 a00 = _mm256_setzero_ps(), a01 = _mm256_setzero_ps(), a02 = _mm256_setzero_ps(), a03 = _mm256_setzero_ps();
                __m256 a10 = _mm256_setzero_ps(), a11 = _mm256_setzero_ps(), a12 = _mm256_setzero_ps(), a13 = _mm256_setzero_ps();
                for (long k = 0; k < d; k += 8) {
                    matchd_prefetch_step(&plan);
                    __m256 r0 = _mm256_loadu_ps(x0 + k), r1 = _mm256_loadu_ps(x1 + k);
                    __m256 q0 = _mm256_loadu_ps(y0 + k);
                    a00 = _mm256_fmadd_ps(r0, q0, a00);
                    a10 = _mm256_fmadd_ps(r1, q0, a10);
                    __m256 q1 = _mm256_loadu_ps(y1 + k);
                    a01 = _mm256_fmadd_ps(r0, q1, a01);
                    a11 = _mm256_fmadd_ps(r1, q1, a11);
                    __m256 q2 = _mm256_loadu_ps(y2 + k);
                    a02 = _mm256_fmadd_ps(r0, q2, a02);
                    a12 = _mm256_fmadd_ps(r1, q2, a12);
                    __m256 q3 = _mm256_loadu_ps(y3 + k);
                    a03 = _mm256_fmadd_ps(r0, q3, a03);
                    a13 = _mm256_fmadd_ps(r1, q3, a13);
                }
                _mm_storeu_ps(out + r * q + j, matchd_hsum4_avx2(a00, a01, a02, a03));
                _mm_storeu_ps(out + (r + 1) * q + j, matchd_hsum4_avx2(a10, a11, a12, a13));
            }
            for (; j < q; j++) {
                out[r * q + j] = matchd_dot_avx2(queries + j * d, x0, d);
                out[(r + 1) * q + j] = matchd_dot_avx2(queries + j * d, x1, d);
            }
        }
    }
    for (; r < n; r++) {
        for (long j = 0; j < q; j++) out[r * q + j] = matchd_dot_avx2(queries + j * d, rows + r * d, d);
    }
}

/// 1 when the CPU (and the OS, for the ZMM state) supports AVX-512F, else 0.
static inline int matchd_cpu_has_avx512f(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && matchd_cpu_has_avx2_fma();
}

/// The sums of four 16-wide accumulators, as one 4-wide vector [Σa, Σb, Σc, Σd].
__attribute__((target("avx512f,avx2,fma")))
static inline __m128 matchd_hsum4_avx512(__m512 a, __m512 b, __m512 c, __m512 d) {
#define MATCHD_HALVES(v) _mm256_add_ps(_mm512_castps512_ps256(v), \
                                       _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)))
    return matchd_hsum4_avx2(MATCHD_HALVES(a), MATCHD_HALVES(b), MATCHD_HALVES(c), MATCHD_HALVES(d));
#undef MATCHD_HALVES
}

/// The end of `matchd_dot_avx512_prefetching` from float `j` (a multiple of 64) on, given its
/// four accumulators: a 16-wide step, the sum `(s0 + s1) + (s2 + s3)`, then the same unfused
/// scalar tail as `matchd_dot_avx2`. Shared with the four-row kernel, so that a row scores the
/// same bits whichever kernel reads it.
__attribute__((target("avx512f,avx2,fma")))
static inline float matchd_dot_avx512_finish(const float *a, const float *b, long d, long j, __m512 s0, __m512 s1,
                                             __m512 s2, __m512 s3) {
    for (; j + 16 <= d; j += 16) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j), s0);
    }
    float r = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
        for (; j < d; j++) r += a[j] * b[j];
    }
    return r;
}

/// ⟨a, b⟩ over d floats: four 16-wide FMA accumulators (one 256-byte step, one step of `plan`
/// when given), then `matchd_dot_avx512_finish`, so a dimension below 16 scores exactly as the
/// portable loop does.
__attribute__((target("avx512f,avx2,fma")))
static inline float matchd_dot_avx512_prefetching(const float *a, const float *b, long d, matchd_prefetch_plan *plan) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    long j = 0;
    for (; j + 64 <= d; j += 64) {
        if (plan) matchd_prefetch_step(plan);
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j + 16), _mm512_loadu_ps(b + j + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j + 32), _mm512_loadu_ps(b + j + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j + 48), _mm512_loadu_ps(b + j + 48), s3);
    }
    return matchd_dot_avx512_finish(a, b, d, j, s0, s1, s2, s3);
}

/// ⟨a, b⟩ over d floats (`matchd_dot_avx512_prefetching` without prefetching).
__attribute__((target("avx512f,avx2,fma")))
static inline float matchd_dot_avx512(const float *a, const float *b, long d) {
    return matchd_dot_avx512_prefetching(a, b, d, 0);
}

/// `matchd_scores_avx2` with 16-wide vectors, four rows at a time: each 256-byte step loads four
/// query vectors once for the four rows (sixteen accumulators in the 32 ZMM registers) and
/// prefetches the same 256 bytes of the four rows `MATCHD_PREFETCH_ROWS` ahead, so the prefetches
/// run in the order the loads will consume them. Every row keeps the accumulators and the sum of
/// `matchd_dot_avx512_prefetching` (`matchd_dot_avx512_finish`): the scores are bit for bit
/// those of the one-row kernel. Rows left over go one at a time.
///
/// Measured in a C harness over 1M × 256 (2026-12-02, nine rounds, each variant's time ÷ a read
/// pass with the four-accumulator read kernel timed just before it; median, p25–p75):
///
/// | kernel | 1 thread | 2 threads (claims of 32 Ki rows) |
/// |---|---|---|
/// | one row at a time, prefetch spread over the row's steps (before) | 1.134 (1.115–1.139) | 1.197 (1.160–1.212) |
/// | four rows, prefetching one future row per step | 1.074 (1.058–1.086) | 1.158 (1.148–1.167) |
/// | two rows, likewise | 1.074 (1.070–1.095) | 1.180 (1.170–1.193) |
/// | four rows, prefetch in load order, 8 rows ahead (chosen) | 0.995 (0.989–1.016) | 1.053 (1.038–1.062) |
/// | the same, 16 rows ahead | 0.987 (0.966–1.006) | 1.069 (1.060–1.071) |
///
/// The one-row kernel itself had replaced the AVX2 one (fifteen alternating rounds, best / mean
/// ms: 72.2 / 85.3 against 78.2 / 91.8 on Gaussian rows).
__attribute__((target("avx512f,avx2,fma")))
static inline void matchd_scores_avx512(const float *query, const float *rows, long n, long d, float *out) {
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        const float *b0 = rows + i * d, *b1 = b0 + d, *b2 = b1 + d, *b3 = b2 + d;
        // The same offset of rows i + 8 … i + 11, one step at a time (none past the last row).
        const char *ahead = i + 4 + MATCHD_PREFETCH_ROWS <= n ? (const char *)(b0 + MATCHD_PREFETCH_ROWS * d) : 0;
        const long rowBytes = d * 4;
        __m512 s00 = _mm512_setzero_ps(), s01 = _mm512_setzero_ps(), s02 = _mm512_setzero_ps(), s03 = _mm512_setzero_ps();
        __m512 s10 = _mm512_setzero_ps(), s11 = _mm512_setzero_ps(), s12 = _mm512_setzero_ps(), s13 = _mm512_setzero_ps();
        __m512 s20 = _mm512_setzero_ps(), s21 = _mm512_setzero_ps(), s22 = _mm512_setzero_ps(), s23 = _mm512_setzero_ps();
        __m512 s30 = _mm512_setzero_ps(), s31 = _mm512_setzero_ps(), s32 = _mm512_setzero_ps(), s33 = _mm512_setzero_ps();
        long j = 0;
        for (; j + 64 <= d; j += 64) {
            if (ahead) {
                for (long row = 0; row < 4; row++) {
                    const char *p = ahead + row * rowBytes + j * 4;
                    _mm_prefetch(p, _MM_HINT_T0);
                    _mm_prefetch(p + 64, _MM_HINT_T0);
                    _mm_prefetch(p + 128, _MM_HINT_T0);
                    _mm_prefetch(p + 192, _MM_HINT_T0);
                }
            }
            __m512 q0 = _mm512_loadu_ps(query + j), q1 = _mm512_loadu_ps(query + j + 16);
            __m512 q2 = _mm512_loadu_ps(query + j + 32), q3 = _mm512_loadu_ps(query + j + 48);
            s00 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b0 + j), s00); s01 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(b0 + j + 16), s01);
            s02 = _mm512_fmadd_ps(q2, _mm512_loadu_ps(b0 + j + 32), s02); s03 = _mm512_fmadd_ps(q3, _mm512_loadu_ps(b0 + j + 48), s03);
            s10 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b1 + j), s10); s11 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(b1 + j + 16), s11);
            s12 = _mm512_fmadd_ps(q2, _mm512_loadu_ps(b1 + j + 32), s12); s13 = _mm512_fmadd_ps(q3, _mm512_loadu_ps(b1 + j + 48), s13);
            s20 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b2 + j), s20); s21 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(b2 + j + 16), s21);
            s22 = _mm512_fmadd_ps(q2, _mm512_loadu_ps(b2 + j + 32), s22); s23 = _mm512_fmadd_ps(q3, _mm512_loadu_ps(b2 + j + 48), s23);
            s30 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b3 + j), s30); s31 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(b3 + j + 16), s31);
            s32 = _mm512_fmadd_ps(q2, _mm512_loadu_ps(b3 + j + 32), s32); s33 = _mm512_fmadd_ps(q3, _mm512_loadu_ps(b3 + j + 48), s33);
        }
        // The future rows' lines past the last whole step (d not a multiple of 64).
        if (ahead) {
            for (long row = 0; row < 4; row++) {
                for (long byte = j * 4; byte < rowBytes; byte += 64) _mm_prefetch(ahead + row * rowBytes + byte, _MM_HINT_T0);
            }
        }
        out[i] = matchd_dot_avx512_finish(query, b0, d, j, s00, s01, s02, s03);
        out[i + 1] = matchd_dot_avx512_finish(query, b1, d, j, s10, s11, s12, s13);
        out[i + 2] = matchd_dot_avx512_finish(query, b2, d, j, s20, s21, s22, s23);
        out[i + 3] = matchd_dot_avx512_finish(query, b3, d, j, s30, s31, s32, s33);
    }
    for (; i < n; i++) {
        const float *row = rows + i * d;
        matchd_prefetch_plan plan = matchd_prefetch_spread(row, i, 1, n, d, d / 64);
        if (d < 64) matchd_prefetch_ahead(row, i, 1, n, d);
        out[i] = matchd_dot_avx512_prefetching(query, row, d, &plan);
    }
}

/// `matchd_scores_batch_avx2` with 16-wide vectors: blocks of 4 rows × 4 queries keep sixteen
/// accumulators in the 32 ZMM registers (8 loads per 16 FMAs), the next rows' prefetch spread
/// over the block's steps (`matchd_prefetch_spread`).
/// Prefetching in load order instead, as the single-query kernel does, was slower here (a C
/// harness over 1M × 256, Q = 16, seven rounds, time ÷ a read pass timed just before, median,
/// 2026-12-02): spread 1.77× (one thread) and 2.19× (two); one line per step in load order 1.94×
/// and 2.33×; all four rows' lines during the first query group 2.22× and 2.69×. With sixteen
/// queries per row the block is closer to its arithmetic than to its reads. Rows left over, and a dimension
/// that is not a multiple of 16, go to the AVX2 kernel.
__attribute__((target("avx512f,avx2,fma")))
static inline void matchd_scores_batch_avx512(const float *queries, long q, const float *rows, long n, long d,
                                              float *out) {
    long r = 0;
    if (d % 16 == 0) {
        for (; r + 4 <= n; r += 4) {
            const float *x0 = rows + r * d, *x1 = x0 + d, *x2 = x1 + d, *x3 = x2 + d;
            matchd_prefetch_plan plan = matchd_prefetch_spread(x0, r, 4, n, d, (q / 4) * (d / 16));
            if (q < 4) matchd_prefetch_ahead(x0, r, 4, n, d);
            long j = 0;
            for (; j + 4 <= q; j += 4) {
                const float *y0 = queries + j * d, *y1 = y0 + d, *y2 = y1 + d, *y3 = y2 + d;
                __m512 a00 = _mm512_setzero_ps(), a01 = _mm512_setzero_ps(), a02 = _mm512_setzero_ps(), a03 = _mm512_setzero_ps();
                __m512 a10 = _mm512_setzero_ps(), a11 = _mm512_setzero_ps(), a12 = _mm512_setzero_ps(), a13 = _mm512_setzero_ps();
                __m512 a20 = _mm512_setzero_ps(), a21 = _mm512_setzero_ps(), a22 = _mm512_setzero_ps(), a23 = _mm512_setzero_ps();
                __m512 a30 = _mm512_setzero_ps(), a31 = _mm512_setzero_ps(), a32 = _mm512_setzero_ps(), a33 = _mm512_setzero_ps();
                for (long k = 0; k < d; k += 16) {
                    matchd_prefetch_step(&plan);
                    __m512 r0 = _mm512_loadu_ps(x0 + k), r1 = _mm512_loadu_ps(x1 + k);
                    __m512 r2 = _mm512_loadu_ps(x2 + k), r3 = _mm512_loadu_ps(x3 + k);
                    __m512 v = _mm512_loadu_ps(y0 + k);
                    a00 = _mm512_fmadd_ps(r0, v, a00); a10 = _mm512_fmadd_ps(r1, v, a10);
                    a20 = _mm512_fmadd_ps(r2, v, a20); a30 = _mm512_fmadd_ps(r3, v, a30);
                    v = _mm512_loadu_ps(y1 + k);
                    a01 = _mm512_fmadd_ps(r0, v, a01); a11 = _mm512_fmadd_ps(r1, v, a11);
                    a21 = _mm512_fmadd_ps(r2, v, a21); a31 = _mm512_fmadd_ps(r3, v, a31);
                    v = _mm512_loadu_ps(y2 + k);
                    a02 = _mm512_fmadd_ps(r0, v, a02); a12 = _mm512_fmadd_ps(r1, v, a12);
                    a22 = _mm512_fmadd_ps(r2, v, a22); a32 = _mm512_fmadd_ps(r3, v, a32);
                    v = _mm512_loadu_ps(y3 + k);
                    a03 = _mm512_fmadd_ps(r0, v, a03); a13 = _mm512_fmadd_ps(r1, v, a13);
                    a23 = _mm512_fmadd_ps(r2, v, a23); a33 = _mm512_fmadd_ps(r3, v, a33);
                }
                _mm_storeu_ps(out + r * q + j, matchd_hsum4_avx512(a00, a01, a02, a03));
                _mm_storeu_ps(out + (r + 1) * q + j, matchd_hsum4_avx512(a10, a11, a12, a13));
                _mm_storeu_ps(out + (r + 2) * q + j, matchd_hsum4_avx512(a20, a21, a22, a23));
                _mm_storeu_ps(out + (r + 3) * q + j, matchd_hsum4_avx512(a30, a31, a32, a33));
            }
            for (; j < q; j++) {
                const float *y = queries + j * d;
                out[r * q + j] = matchd_dot_avx2(y, x0, d);
                out[(r + 1) * q + j] = matchd_dot_avx2(y, x1, d);
                out[(r + 2) * q + j] = matchd_dot_avx2(y, x2, d);
                out[(r + 3) * q + j] = matchd_dot_avx2(y, x3, d);
            }
        }
    }
    if (r < n) matchd_scores_batch_avx2(queries, q, rows + r * d, n - r, d, out + r * q);
}
#else
static inline int matchd_cpu_has_avx2_fma(void) { return 0; }
static inline int matchd_cpu_has_avx512f(void) { return 0; }
#endif

#endif
