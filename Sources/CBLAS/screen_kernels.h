// The screening pass of exact batch search on CPUs with AMX (Intel's tile matrix units):
// every row is scored against every query in bfloat16 on the tile units, and a row becomes a
// candidate for a query when its score, widened by a proven error bound, could still reach that
// query's top k. Matcher then rescores the few candidates exactly in float and keeps the top k,
// so the results are those of a float scan (see Matcher/Kernels/ScreenedScan.swift for the
// bound and why it makes the screen exact).
//
// Layout. The row tile (MATCHD_SCREEN_ROWS rows) is converted to bf16 once, `dpad` = d rounded
// up to 32 columns, zero-padded; queries come pre-packed (`matchd_screen_pack_queries`) in the
// tile units' pair-interleaved layout: for each group of 16 queries and each 32-column step one
// 16 × 32 bf16 tile whose row p holds (q[2p], q[2p+1]) of all 16 queries. Per group pair and
// per 32 rows of the tile, four 16 × 16 float accumulators (tmm0–3) take two row tiles (tmm4–5)
// times two query tiles (tmm6–7): the 2 × 2 blocking that uses all eight tile registers.
//
// Measured on 1M × 256, one thread, screening only (2026-12-01, C harness, the same run): the
// 2 × 2 blocking over a converted tile of 256 rows 125 ms at Q = 32, 214 at Q = 64, 336 at
// Q = 256 and 2.4 s at Q = 4,096 (against OpenBLAS sgemm as SkylakeX 1.6 s at Q = 256); 32-row
// tiles with every query group per tile were as fast at Q = 256 but up to 2× slower at 4,096
// (the packed queries, 2 MB, no longer stay in L2), 1,024-row tiles no better.
//
// SwiftPM does not track a system library's headers: after editing this file, touch
// Sources/Matcher/Kernels/ScreenedScan.swift (or build clean) so that Matcher is rebuilt.
#ifndef MATCHD_SCREEN_KERNELS_H
#define MATCHD_SCREEN_KERNELS_H

#include <stdint.h>
#include <string.h>

/// Rows converted to bf16 at a time; divides the index's chunks and the search's claims.
#define MATCHD_SCREEN_ROWS 256

/// One call's inputs and the candidate lists it appends to (all owned by the caller).
typedef struct {
    const float *rows;         // `count` rows of `d` floats
    long count, d, first;      // `first`: the search's index of rows[0]
    const uint64_t *mask;      // bit i (from bit 0 of mask[0]) allows rows[i]; NULL allows all
    const int64_t *row_index;  // when set, rows[i] is the search's row row_index[i] (gathered rows)
    const uint16_t *queries;   // packed by matchd_screen_pack_queries
    long groups;               // query groups of 16 (padded queries have bound = +inf)
    const float *bound;        // per query: the lower bound on its k-th exact score
    const float *slack;        // per query: the error bound per unit of row norm
    float *cand_score;         // per query `cap` slots: the bf16 score
    int64_t *cand_row;         //   the row (first + i)
    float *cand_norm;          //   the row's norm
    int64_t *cand_count;       // per query: slots used
    long cap;                  // slots per query
    uint16_t *tile;            // scratch: MATCHD_SCREEN_ROWS × dpad bf16, 64-byte aligned
    float *scores;             // scratch: 32 × 32 floats, 64-byte aligned
    float *norms;              // scratch: MATCHD_SCREEN_ROWS floats
} matchd_screen_args;

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <cpuid.h>
#include <unistd.h>
#include <sys/syscall.h>

/// 1 when the CPU has AMX-BF16 tiles and AVX-512 with BF16 conversions, and Linux grants this
/// process the tile state (`ARCH_REQ_XCOMP_PERM`); else 0. Call once per process, before any
/// thread runs `matchd_screen_amx`.
static inline int matchd_screen_amx_enable(void) {
#if defined(__linux__)
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int amx = (d >> 22 & 1) && (d >> 24 & 1);  // AMX-BF16, AMX-TILE
    if (!amx || a < 1) return 0;
    unsigned a1, b1, c1, d1;
    __get_cpuid_count(7, 1, &a1, &b1, &c1, &d1);
    if (!(a1 >> 5 & 1)) return 0;  // AVX512_BF16
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) return 0;
    return syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) == 0;
#else
    return 0;
#endif
}

/// `d` rounded up to the 32 bf16 columns of a tile row.
static inline long matchd_screen_padded(long d) { return (d + 31) / 32 * 32; }

/// bf16 of `f`, rounded to nearest even (as VCVTNE2PS2BF16 rounds; inputs are finite).
static inline uint16_t matchd_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return (uint16_t)((u + 0x7fff + (u >> 16 & 1)) >> 16);
}

/// Packs `q` queries of `d` floats into `out` (groups × dpad/32 tiles of 512 bf16, zero beyond
/// the last query and column), the layout of the query tiles.
static inline void matchd_screen_pack_queries(const float *queries, long q, long d, uint16_t *out) {
    long groups = (q + 15) / 16, steps = matchd_screen_padded(d) / 32;
    for (long g = 0; g < groups; g++)
        for (long s = 0; s < steps; s++) {
            uint16_t *tile = out + (g * steps + s) * 512;
            for (long p = 0; p < 16; p++)
                for (long n = 0; n < 16; n++)
                    for (long j = 0; j < 2; j++) {
                        long query = g * 16 + n, column = s * 32 + 2 * p + j;
                        tile[p * 32 + n * 2 + j] =
                            query < q && column < d ? matchd_bf16(queries[query * d + column]) : 0;
                    }
        }
}

typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} matchd_tile_config;

/// Converts rows [0, n) of the tile (n ≤ MATCHD_SCREEN_ROWS) to bf16 and their norms; zeroes
/// the rest up to a multiple of 32 rows.
__attribute__((target("avx512f,avx512bw,avx512bf16")))
static inline void matchd_screen_convert(const float *rows, long n, long d, uint16_t *tile, float *norms) {
    long dpad = matchd_screen_padded(d), upto = (n + 31) / 32 * 32;
    for (long m = 0; m < upto; m++) {
        uint16_t *out = tile + m * dpad;
        if (m >= n) {
            memset(out, 0, (size_t)dpad * 2);
            norms[m] = 0;
            continue;
        }
        const float *row = rows + m * d;
        __m512 sq = _mm512_setzero_ps();
        for (long j = 0; j < dpad; j += 32) {
            long left = d - j;
            __mmask16 lo = left >= 16 ? 0xffff : left > 0 ? (__mmask16)((1u << left) - 1) : 0;
            __mmask16 hi = left >= 32 ? 0xffff : left > 16 ? (__mmask16)((1u << (left - 16)) - 1) : 0;
            __m512 a = _mm512_maskz_loadu_ps(lo, row + j), b = _mm512_maskz_loadu_ps(hi, row + j + 16);
            sq = _mm512_fmadd_ps(a, a, _mm512_fmadd_ps(b, b, sq));
            _mm512_storeu_si512((void *)(out + j), (__m512i)_mm512_cvtne2ps_pbh(b, a));
        }
        norms[m] = __builtin_sqrtf(_mm512_reduce_add_ps(sq));
    }
}

/// Appends the rows of one 32-row block (rows[i0 ...]) whose widened scores reach their query's
/// bound. `scores` is 32 rows × 32 queries (the second 16 only when `pair`); `allowed` has bit m
/// set for each row m of the block that may be a candidate.
__attribute__((target("avx512f,avx512bw")))
static inline int matchd_screen_collect(const matchd_screen_args *a, long g, int pair, long i0,
                                        const float *norms, uint32_t allowed) {
    int crowded = 0;
    for (int half = 0; half < 1 + pair; half++) {
        long q0 = (g + half) * 16;
        __m512 bound = _mm512_loadu_ps(a->bound + q0), slack = _mm512_loadu_ps(a->slack + q0);
        uint32_t left = allowed;
        while (left) {
            int m = __builtin_ctz(left);
            left &= left - 1;
            __m512 s = _mm512_load_ps(a->scores + m * 32 + half * 16);
            // Unordered counts as reaching: a NaN or overflowed score is rescored, never dropped.
            __mmask16 hit = _mm512_cmp_ps_mask(_mm512_fmadd_ps(slack, _mm512_set1_ps(norms[m]), s), bound,
                                               _CMP_NLT_UQ);
            while (hit) {
                int j = __builtin_ctz(hit);
                hit &= hit - 1;
                long q = q0 + j;
                int64_t slot = a->cand_count[q]++;
                a->cand_score[q * a->cap + slot] = a->scores[m * 32 + half * 16 + j];
                a->cand_row[q * a->cap + slot] = a->row_index ? a->row_index[i0 + m] : a->first + i0 + m;
                a->cand_norm[q * a->cap + slot] = norms[m];
                crowded |= slot + 1 > a->cap - MATCHD_SCREEN_ROWS;
            }
        }
    }
    return crowded;
}

/// Screens rows from the start of `a->rows` tile by tile, and returns how many it screened: all
/// `count`, or fewer (a multiple of MATCHD_SCREEN_ROWS) once some query has fewer than
/// MATCHD_SCREEN_ROWS free slots left, so that the caller can prune its list and call again.
/// - Precondition: every `cand_count` ≤ cap − MATCHD_SCREEN_ROWS; `matchd_screen_amx_enable`
///   returned 1 in this process.
__attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512bf16")))
static inline long matchd_screen_amx(const matchd_screen_args *a) {
    matchd_tile_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) {
        config.rows[t] = 16;
        config.colsb[t] = 64;
    }
    _tile_loadconfig(&config);
    long d = a->d, dpad = matchd_screen_padded(d), steps = dpad / 32, stride = dpad * 2;
    long done = 0;
    int crowded = 0;
    while (done < a->count && !crowded) {
        long n = a->count - done < MATCHD_SCREEN_ROWS ? a->count - done : MATCHD_SCREEN_ROWS;
        uint32_t allowed[MATCHD_SCREEN_ROWS / 32];
        uint32_t any = 0;
        for (long b = 0; b * 32 < n; b++) {
            long i = done + b * 32;
            uint32_t bits = a->mask ? (uint32_t)(a->mask[i >> 6] >> (i & 63)) : 0xffffffffu;
            if (n - b * 32 < 32) bits &= (1u << (n - b * 32)) - 1;
            allowed[b] = bits;
            any |= bits;
        }
        if (any) {
            matchd_screen_convert(a->rows + done * d, n, d, a->tile, a->norms);
            for (long g = 0; g < a->groups; g += 2) {
                int pair = g + 1 < a->groups;
                const uint16_t *q0 = a->queries + g * steps * 512, *q1 = q0 + steps * 512;
                for (long b = 0; b * 32 < n; b++) {
                    if (!allowed[b]) continue;
                    const uint16_t *r0 = a->tile + b * 32 * dpad, *r1 = r0 + 16 * dpad;
                    _tile_zero(0);
                    _tile_zero(2);
                    if (pair) {
                        _tile_zero(1);
                        _tile_zero(3);
                        for (long s = 0; s < steps; s++) {
                            _tile_loadd(4, r0 + s * 32, stride);
                            _tile_loadd(5, r1 + s * 32, stride);
                            _tile_loadd(6, q0 + s * 512, 64);
                            _tile_loadd(7, q1 + s * 512, 64);
                            _tile_dpbf16ps(0, 4, 6);
                            _tile_dpbf16ps(1, 4, 7);
                            _tile_dpbf16ps(2, 5, 6);
                            _tile_dpbf16ps(3, 5, 7);
                        }
                        _tile_stored(1, a->scores + 16, 128);
                        _tile_stored(3, a->scores + 16 * 32 + 16, 128);
                    } else {
                        for (long s = 0; s < steps; s++) {
                            _tile_loadd(4, r0 + s * 32, stride);
                            _tile_loadd(5, r1 + s * 32, stride);
                            _tile_loadd(6, q0 + s * 512, 64);
                            _tile_dpbf16ps(0, 4, 6);
                            _tile_dpbf16ps(2, 5, 6);
                        }
                    }
                    _tile_stored(0, a->scores, 128);
                    _tile_stored(2, a->scores + 16 * 32, 128);
                    crowded |= matchd_screen_collect(a, g, pair, done + b * 32, a->norms + b * 32, allowed[b]);
                }
            }
        }
        done += n;
    }
    _tile_release();
    return done;
}

#else
static inline int matchd_screen_amx_enable(void) { return 0; }
static inline long matchd_screen_padded(long d) { return (d + 31) / 32 * 32; }
static inline void matchd_screen_pack_queries(const float *queries, long q, long d, uint16_t *out) {}
static inline long matchd_screen_amx(const matchd_screen_args *a) { return 0; }
#endif

#endif
