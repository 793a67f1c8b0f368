// Inner-product kernels for one query against consecutive rows, compiled for AVX2 + FMA and
// chosen at run time (`matchd_cpu_has_avx2_fma`), so one binary runs on any x86-64 and uses the
// wide units where the CPU has them. Swift cannot compile one function for a wider target than
// the rest of a module; C's `target` attribute can. Header-only: the module stays a system
// library, and Matcher (the only importer) inlines these where it calls them.
//
// Measured on 1M × 256 (one thread, same run): SSE (Swift SIMD8 at baseline x86-64) 141–166 ms,
// AVX2+FMA 106–119 ms, AVX2+FMA with a prefetch eight rows ahead 84–104 ms, AVX-512 95–99 ms;
// the machine's streaming read bound was about 92 ms. See Matcher/Kernels/DotKernel.swift.
#ifndef MATCHD_DOT_KERNELS_H
#define MATCHD_DOT_KERNELS_H

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

/// 1 when the CPU (and the OS, for the AVX state) supports AVX2 and FMA, else 0.
static inline int matchd_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/// ⟨a, b⟩ over d floats: four 8-wide FMA accumulators, an 8-wide step, a scalar tail.
__attribute__((target("avx2,fma")))
static inline float matchd_dot_avx2(const float *a, const float *b, long d) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    long j = 0;
    for (; j + 32 <= d; j += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(b + j + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 16), _mm256_loadu_ps(b + j + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 24), _mm256_loadu_ps(b + j + 24), s3);
    }
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

/// out[i] = ⟨query, rows[i]⟩ for i < n (rows row-major, d floats each), prefetching the rows
/// `MATCHD_PREFETCH_ROWS` ahead into L1 (the hardware prefetcher stops at page boundaries).
#define MATCHD_PREFETCH_ROWS 8
__attribute__((target("avx2,fma")))
static inline void matchd_scores_avx2(const float *query, const float *rows, long n, long d, float *out) {
    for (long i = 0; i < n; i++) {
        const float *row = rows + i * d;
        if (i + MATCHD_PREFETCH_ROWS < n) {
            const char *ahead = (const char *)(row + MATCHD_PREFETCH_ROWS * d);
            for (long byte = 0; byte < d * 4; byte += 64) _mm_prefetch(ahead + byte, _MM_HINT_T0);
        }
        out[i] = matchd_dot_avx2(query, row, d);
    }
}
#else
static inline int matchd_cpu_has_avx2_fma(void) { return 0; }
#endif

#endif
