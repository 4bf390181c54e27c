/* Text mode's hot loops in C (see thresher.segment.text, thresher.classify.text_rules and text_model,
 * thresher.metadata.language).
 *
 * Every array comes in through the buffer protocol (no numpy headers), its item type and size
 * checked here; every index read from an array is bounds-checked before it is used, so no input
 * can make these functions read or write out of bounds. None of them releases the GIL: the scratch
 * arrays they are handed are never used by two calls at once.
 */
#include "_speedups.h"
#include <structmember.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- language identification (thresher.metadata.language) -------------------------------------
 *
 * lang_visits(data, nextmove, row, out_feat, slot, idx, counts, depth) -> m
 *   data: bytes (the UTF-8 text); nextmove: uint32 ('I'), the automaton's transition rows of 256
 *   moves; row: uint16 ('H'), each state's row; out_feat: int32 ('i'), each state's feature (< 0:
 *   none); slot: int32 scratch, one per feature, all 0 on entry and on return; idx: intp ('n' of 8
 *   bytes, or 'l'/'q') out, counts: float32 ('f') out, both at least len(data) long; depth: the
 *   depth of the automaton's trie (0: unknown).
 * Walks py3langid's automaton from the start state one byte at a time; writes the features met, in
 * order of first occurrence, to idx[:m] and how often each was met to counts[:m]. Exactly
 * py3langid's visit counts (and the numpy scanner's).
 *
 * The transition table is tens of megabytes: each step is a memory fetch that depends on the one
 * before. The state after a byte depends only on the last ``depth`` bytes (see language.py), so the
 * text is cut into LANES stretches walked side by side — each starts from the start state ``depth``
 * - 1 bytes before its stretch — and their fetches overlap; the features are then counted in text
 * order.
 */
#define LANES 8

/* The feature of the state after each byte of data[:n] (out_feat's value: < 0 for none) into
 * feat_at[:n], the automaton walked in LANES stretches side by side (see above). Returns 0, or -1 when
 * the automaton leads out of its tables. */
static int lang_walk(const unsigned char *data, Py_ssize_t n, const uint32_t *nextmove, Py_ssize_t n_moves,
                     const uint16_t *row, Py_ssize_t n_states, const int32_t *out_feat, Py_ssize_t depth,
                     int32_t *feat_at) {
    int lanes = (depth >= 1 && depth <= 64 && n >= 64 * LANES) ? LANES : 1;
    Py_ssize_t stretch = (n + lanes - 1) / lanes;
    uint32_t st[LANES];
    Py_ssize_t pos[LANES], end[LANES], warm[LANES];
    for (int l = 0; l < lanes; l++) {
        st[l] = 0;
        pos[l] = l * stretch < n ? l * stretch : n;
        end[l] = pos[l] + stretch < n ? pos[l] + stretch : n;
        warm[l] = l == 0 ? 0 : (pos[l] - (depth - 1) > 0 ? pos[l] - (depth - 1) : 0);
    }
    int bad = 0;
#define STEP(l, byte)                                                      \
    do {                                                                   \
        Py_ssize_t at_ = ((Py_ssize_t)row[st[l]] << 8) + (byte);           \
        if (at_ >= n_moves || nextmove[at_] >= (uint32_t)n_states) {       \
            bad = 1;                                                       \
        } else {                                                           \
            st[l] = nextmove[at_];                                         \
        }                                                                  \
    } while (0)
    /* each lane (but the first) from the start state over the depth - 1 bytes before its stretch */
    for (Py_ssize_t j = 0; j + 1 < depth && lanes > 1 && !bad; j++) {
        for (int l = 1; l < lanes; l++) {
            if (warm[l] + j < pos[l]) {
                STEP(l, data[warm[l] + j]);
            }
        }
    }
    for (Py_ssize_t k = 0; k < stretch && !bad; k++) {
        for (int l = 0; l < lanes; l++) {
            Py_ssize_t p = pos[l] + k;
            if (p < end[l]) {
                STEP(l, data[p]);
                feat_at[p] = out_feat[st[l]];
            }
        }
    }
#undef STEP
    return bad ? -1 : 0;
}

static PyObject *lang_visits(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[7];
    Py_ssize_t depth;
    if (!PyArg_ParseTuple(args, "OOOOOOOn", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6], &depth)) {
        return NULL;
    }
    Arr b[7];
    memset(b, 0, sizeof(b));
    if (PyObject_GetBuffer(objs[0], &b[0].view, PyBUF_C_CONTIGUOUS) < 0) {
        return NULL;
    }
    b[0].held = 1;
    if (get_array(objs[1], &b[1], 'I', 4, 0, "nextmove") < 0 || get_array(objs[2], &b[2], 'H', 2, 0, "row") < 0 ||
        get_array(objs[3], &b[3], 'i', 4, 0, "out_feat") < 0 || get_array(objs[4], &b[4], 'i', 4, 1, "slot") < 0 ||
        get_array(objs[6], &b[6], 'f', 4, 1, "counts") < 0) {
        release_arrays(b, 7);
        return NULL;
    }
    if (PyObject_GetBuffer(objs[5], &b[5].view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) {
        release_arrays(b, 7);
        return NULL;
    }
    b[5].held = 1;
    {
        const char *f = b[5].view.format ? b[5].view.format : "B";
        if (f[0] == '=' || f[0] == '<' || f[0] == '@') {
            f++;
        }
        if (b[5].view.itemsize != (Py_ssize_t)sizeof(Py_ssize_t) || f[1] != '\0' ||
            !(f[0] == 'n' || f[0] == 'l' || f[0] == 'q')) {
            release_arrays(b, 7);
            PyErr_SetString(PyExc_TypeError, "idx: expected a contiguous array of intp items");
            return NULL;
        }
    }
    const unsigned char *data = (const unsigned char *)b[0].view.buf;
    Py_ssize_t n = b[0].view.len;
    const uint32_t *nextmove = (const uint32_t *)b[1].view.buf;
    Py_ssize_t n_moves = b[1].view.len / 4;
    const uint16_t *row = (const uint16_t *)b[2].view.buf;
    Py_ssize_t n_states = b[2].view.len / 2;
    const int32_t *out_feat = (const int32_t *)b[3].view.buf;
    int32_t *slot = (int32_t *)b[4].view.buf;
    Py_ssize_t n_feat = b[4].view.len / 4;
    Py_ssize_t *idx = (Py_ssize_t *)b[5].view.buf;
    float *counts = (float *)b[6].view.buf;
    if (b[3].view.len / 4 != n_states || b[5].view.len / (Py_ssize_t)sizeof(Py_ssize_t) < n ||
        b[6].view.len / 4 < n || n_states == 0) {
        release_arrays(b, 7);
        PyErr_SetString(PyExc_ValueError, "lang_visits: array sizes do not match");
        return NULL;
    }
    int32_t *feat_at = PyMem_Malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    if (feat_at == NULL) {
        release_arrays(b, 7);
        return PyErr_NoMemory();
    }
    int bad = lang_walk(data, n, nextmove, n_moves, row, n_states, out_feat, depth, feat_at) < 0;
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n && !bad; i++) {
        int32_t f = feat_at[i];
        if (f < 0) {
            continue;
        }
        if (f >= n_feat) {
            bad = 1;
            break;
        }
        int32_t s = slot[f];
        if (s == 0) {
            idx[m] = f;
            counts[m] = 1.0f;
            m++;
            slot[f] = (int32_t)m;
        } else {
            counts[s - 1] += 1.0f;
        }
    }
    for (Py_ssize_t k = 0; k < m; k++) {
        slot[idx[k]] = 0;
    }
    PyMem_Free(feat_at);
    release_arrays(b, 7);
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "lang_visits: the automaton leads out of its tables");
        return NULL;
    }
    return PyLong_FromSsize_t(m);
}

/* float16 bits -> float32, exactly as numpy casts (normals, subnormals, zeros, inf, NaN payloads):
 * the half's exponent and mantissa moved into a float32's place and scaled by 2^112 (exact for normals
 * and subnormals), inf/NaN given the all-ones exponent; branch-free, so the loop vectorises. */
static void halves_to_floats(const uint16_t *restrict src, float *restrict dst, Py_ssize_t n) {
    union {
        float f;
        uint32_t u;
    } v;
    for (Py_ssize_t j = 0; j < n; j++) {
        uint32_t h = src[j];
        uint32_t u = (h & 0x7fffu) << 13;
        v.u = u;
        v.f *= 0x1p112f;
        uint32_t special = 0u - (uint32_t)((h & 0x7c00u) == 0x7c00u); /* all ones for inf/NaN */
        v.u = (v.u & ~special) | ((u | 0x7f800000u) & special);
        v.u |= (h & 0x8000u) << 16;
        dst[j] = v.f;
    }
}

#ifndef PREFETCH_ROWS
#define PREFETCH_ROWS 24 /* rows asked for ahead of the one summed (8: about 6 % slower on dev texts) */
#endif

/* prefetch_row asks for every cache line of a row into all cache levels; prefetch_row_l2 into the
 * second-level cache (rows asked for long before they are read). One body: __builtin_prefetch needs
 * its locality as a constant. */
#if defined(__GNUC__) || defined(__clang__)
#define DEFINE_PREFETCH(name, locality)                                  \
    static inline void name(const char *p, Py_ssize_t n) {               \
        for (Py_ssize_t off = 0; off < n; off += 64) {                   \
            __builtin_prefetch(p + off, 0, locality);                    \
        }                                                                \
        __builtin_prefetch(p + n - 1, 0, locality);                      \
    }
#else
#define DEFINE_PREFETCH(name, locality)                                  \
    static inline void name(const char *p, Py_ssize_t n) {               \
        (void)p;                                                         \
        (void)n;                                                         \
    }
#endif
DEFINE_PREFETCH(prefetch_row, 0)
DEFINE_PREFETCH(prefetch_row_l2, 2)

/* acc[j] += w * src[j], in double (the product of a float32 and a float16's value is exact). */
static void add_scaled(double *restrict acc, const float *restrict src, double w, Py_ssize_t n) {
    for (Py_ssize_t j = 0; j < n; j++) {
        acc[j] += w * (double)src[j];
    }
}

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_F16C_ROWS 1
/* The eight float16 at half[0 .. count) (count <= 8; the rest read as 0) as two vectors of four
 * doubles, without reading past half + count. */
__attribute__((target("avx2,f16c,fma"))) static inline void load_halves(const uint16_t *half, Py_ssize_t count,
                                                                       __m256d *lo, __m256d *hi) {
    __m128i raw;
    if (count >= 8) {
        raw = _mm_loadu_si128((const __m128i *)half);
    } else {
        uint16_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        memcpy(buf, half, (size_t)count * 2);
        raw = _mm_loadu_si128((const __m128i *)buf);
    }
    __m256 f = _mm256_cvtph_ps(raw);
    *lo = _mm256_cvtps_pd(_mm256_castps256_ps128(f));
    *hi = _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1));
}

/* sums[c] = sum over k < m, in order, of weights[counts[k]] * ptc[feat[k], c] (from 0.0), for every
 * class c < width, with the x86 instructions that convert eight float16 at once (F16C) and
 * multiply-add four doubles (AVX2, FMA), where the processor has them: the same numbers as
 * halves_to_floats then add_scaled row after row (the conversions are exact, and a fused
 * multiply-add rounds what the product and the sum round, the product being exact). A stretch of 32
 * classes at a time, its sums held in registers over all the rows instead of loaded and stored for
 * every row: each class still adds the same products in the same order. */
#define SUM_STRETCH 32
__attribute__((target("avx2,f16c,fma"))) static void sum_rows_f16c(double *restrict sums,
                                                                  const uint16_t *restrict ptc, Py_ssize_t width,
                                                                  const int32_t *restrict feat,
                                                                  const int32_t *restrict counts,
                                                                  const float *restrict weights, Py_ssize_t m) {
    for (Py_ssize_t c0 = 0; c0 < width; c0 += SUM_STRETCH) {
        Py_ssize_t left = width - c0;
        __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        if (left >= SUM_STRETCH) { /* a whole stretch: four groups of eight classes straight from the rows */
            for (Py_ssize_t k = 0; k < m; k++) {
                if (k + PREFETCH_ROWS < m) {
                    prefetch_row((const char *)(ptc + (Py_ssize_t)feat[k + PREFETCH_ROWS] * width + c0),
                                 SUM_STRETCH * 2);
                }
                const uint16_t *half = ptc + (Py_ssize_t)feat[k] * width + c0;
                const __m256d w = _mm256_set1_pd((double)weights[counts[k]]);
                __m256 f0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)half));
                __m256 f1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(half + 8)));
                __m256 f2 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(half + 16)));
                __m256 f3 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(half + 24)));
                a0 = _mm256_fmadd_pd(w, _mm256_cvtps_pd(_mm256_castps256_ps128(f0)), a0);
                a1 = _mm256_fmadd_pd(w, _mm256_cvtps_pd(_mm256_extractf128_ps(f0, 1)), a1);
                a2 = _mm256_fmadd_pd(w, _mm256_cvtps_pd(_mm256_castps256_ps128(f1)), a2);
                a3 = _mm256_fmadd_pd(w, _mm256_cvtps_pd(_mm256_extractf128_ps(f1, 1)), a3);
                a4 = _mm256_fmadd_pd(w, _mm256_cvtps_pd(_mm256_castps256_ps128(f2)), a4);
                a5 = _mm256_fmadd_pd(w, _mm256_cvtps_pd(_mm256_extractf128_ps(f2, 1)), a5);
                a6 = _mm256_fmadd_pd(w, _mm256_cvtps_pd(_mm256_castps256_ps128(f3)), a6);
                a7 = _mm256_fmadd_pd(w, _mm256_cvtps_pd(_mm256_extractf128_ps(f3, 1)), a7);
            }
        } else { /* the last, shorter stretch: groups past its end read as 0 and are not stored */
            for (Py_ssize_t k = 0; k < m; k++) {
                if (k + PREFETCH_ROWS < m) {
                    prefetch_row((const char *)(ptc + (Py_ssize_t)feat[k + PREFETCH_ROWS] * width + c0), left * 2);
                }
                const uint16_t *half = ptc + (Py_ssize_t)feat[k] * width + c0;
                const __m256d w = _mm256_set1_pd((double)weights[counts[k]]);
                __m256d lo, hi;
                load_halves(half, left, &lo, &hi);
                a0 = _mm256_fmadd_pd(w, lo, a0);
                a1 = _mm256_fmadd_pd(w, hi, a1);
                if (left > 8) {
                    load_halves(half + 8, left - 8, &lo, &hi);
                    a2 = _mm256_fmadd_pd(w, lo, a2);
                    a3 = _mm256_fmadd_pd(w, hi, a3);
                }
                if (left > 16) {
                    load_halves(half + 16, left - 16, &lo, &hi);
                    a4 = _mm256_fmadd_pd(w, lo, a4);
                    a5 = _mm256_fmadd_pd(w, hi, a5);
                }
                if (left > 24) {
                    load_halves(half + 24, left - 24, &lo, &hi);
                    a6 = _mm256_fmadd_pd(w, lo, a6);
                    a7 = _mm256_fmadd_pd(w, hi, a7);
                }
            }
        }
        double out[SUM_STRETCH];
        _mm256_storeu_pd(out, a0);
        _mm256_storeu_pd(out + 4, a1);
        _mm256_storeu_pd(out + 8, a2);
        _mm256_storeu_pd(out + 12, a3);
        _mm256_storeu_pd(out + 16, a4);
        _mm256_storeu_pd(out + 20, a5);
        _mm256_storeu_pd(out + 24, a6);
        _mm256_storeu_pd(out + 28, a7);
        memcpy(sums + c0, out, sizeof(double) * (size_t)(left < SUM_STRETCH ? left : SUM_STRETCH));
    }
}

/* sum_rows_f16c with AVX-512 (where the processor has AVX512F, BW, VL and DQ): the rows read in one
 * pass of up to STRETCH_512 classes (eighteen accumulators of eight doubles, all in registers) instead
 * of one pass per 32 classes, so each row's bytes are fetched once, sixteen float16 converted at a
 * time. Each class still adds the same products (fused multiply-adds of exact products) in the same
 * order: the same numbers to the last bit. */
#define GROUPS_512 9
#define STRETCH_512 (16 * GROUPS_512)
#ifndef PREFETCH_ROWS_512
#define PREFETCH_ROWS_512 6 /* rows asked for ahead (12: about 10 % slower, 24: 50 % slower on dev texts) */
#endif
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,f16c,fma"))) static void sum_rows_avx512(
    double *restrict sums, const uint16_t *restrict ptc, Py_ssize_t width, const int32_t *restrict feat,
    const int32_t *restrict counts, const float *restrict weights, Py_ssize_t m) {
    for (Py_ssize_t c0 = 0; c0 < width; c0 += STRETCH_512) {
        Py_ssize_t left = width - c0 < STRETCH_512 ? width - c0 : STRETCH_512;
        __mmask16 mask[GROUPS_512];
        for (int g = 0; g < GROUPS_512; g++) {
            Py_ssize_t cnt = left - 16 * g;
            cnt = cnt < 0 ? 0 : (cnt > 16 ? 16 : cnt);
            mask[g] = (__mmask16)((1u << cnt) - 1u);
        }
        __m512d acc[2 * GROUPS_512];
        for (int g = 0; g < 2 * GROUPS_512; g++) {
            acc[g] = _mm512_setzero_pd();
        }
        const Py_ssize_t row_bytes = left * 2;
        for (Py_ssize_t k = 0; k < m && k < PREFETCH_ROWS_512; k++) {
            prefetch_row((const char *)(ptc + (Py_ssize_t)feat[k] * width + c0), row_bytes);
        }
        for (Py_ssize_t k = 0; k < m; k++) {
            if (k + PREFETCH_ROWS_512 < m) {
                prefetch_row((const char *)(ptc + (Py_ssize_t)feat[k + PREFETCH_ROWS_512] * width + c0), row_bytes);
            }
            const uint16_t *half = ptc + (Py_ssize_t)feat[k] * width + c0;
            const __m512d w = _mm512_set1_pd((double)weights[counts[k]]);
#pragma GCC unroll 9
            for (int g = 0; g < GROUPS_512; g++) {
                if (mask[g]) { /* a masked load reads nothing past the row's last class */
                    __m512 f = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask[g], half + 16 * g));
                    acc[2 * g] = _mm512_fmadd_pd(w, _mm512_cvtps_pd(_mm512_castps512_ps256(f)), acc[2 * g]);
                    acc[2 * g + 1] = _mm512_fmadd_pd(
                        w, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(f), 1))),
                        acc[2 * g + 1]);
                }
            }
        }
        double out[STRETCH_512];
        for (int g = 0; g < 2 * GROUPS_512; g++) {
            _mm512_storeu_pd(out + 8 * g, acc[g]);
        }
        memcpy(sums + c0, out, sizeof(double) * (size_t)left);
    }
}

static int has_avx512_rows(void) {
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    }
    return known;
}

static int has_f16c_rows(void) {
    static int known = -1;
    if (known < 0) {
        unsigned int a, b, c, d;
        int f16c = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
        __builtin_cpu_init();
        known = f16c && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return known;
}
#endif

/* lang_score(data, nextmove, row, out_feat, slot, depth, ptc, weights, sums[, level]) -> m
 *   data, nextmove, row, out_feat, slot, depth: as for lang_visits; ptc: float16 ('e'), the
 *   feature x class table, rows of len(sums) classes; weights: float32 ('f'), weights[k] the weight
 *   of a feature met k times (numpy's float32 log1p(k)), longer than data; sums: float64 ('d') out.
 * py3langid's per-class sums of a text, fused: the automaton walked as lang_visits walks it, the
 * features counted in order of first occurrence, then for each feature in that order
 *   sums[c] += (double)weights[count] * (double)ptc[feature, c]
 * (each product exact in double: a float32 times a float16). The sum runs feature after feature, the
 * order numpy's ``np.add.reduce(..., axis=0)`` adds the rows of a C-contiguous matrix in, so
 * language.py's numpy twin gets the same numbers to the last bit. m: the number of features met
 * (sums all 0 when none). ``level`` (optional, for tests): 0 (or False) the fastest loops the
 * processor has (AVX-512, else F16C and FMA, else portable); 1 (or True) the portable loops; 2 the
 * F16C and FMA loops even where the processor has AVX-512. */
static PyObject *lang_score(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[9];
    Py_ssize_t depth;
    int level = 0;
    if (!PyArg_ParseTuple(args, "OOOOOnOOO|i", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &depth, &objs[5],
                          &objs[6], &objs[7], &level)) {
        return NULL;
    }
    Arr b[8];
    memset(b, 0, sizeof(b));
    if (PyObject_GetBuffer(objs[0], &b[0].view, PyBUF_C_CONTIGUOUS) < 0) {
        return NULL;
    }
    b[0].held = 1;
    if (get_array(objs[1], &b[1], 'I', 4, 0, "nextmove") < 0 || get_array(objs[2], &b[2], 'H', 2, 0, "row") < 0 ||
        get_array(objs[3], &b[3], 'i', 4, 0, "out_feat") < 0 || get_array(objs[4], &b[4], 'i', 4, 1, "slot") < 0 ||
        get_array(objs[5], &b[5], 'e', 2, 0, "ptc") < 0 || get_array(objs[6], &b[6], 'f', 4, 0, "weights") < 0 ||
        get_array(objs[7], &b[7], 'd', 8, 1, "sums") < 0) {
        release_arrays(b, 8);
        return NULL;
    }
    const unsigned char *data = (const unsigned char *)b[0].view.buf;
    Py_ssize_t n = b[0].view.len;
    const uint32_t *nextmove = (const uint32_t *)b[1].view.buf;
    Py_ssize_t n_moves = b[1].view.len / 4;
    const uint16_t *row = (const uint16_t *)b[2].view.buf;
    Py_ssize_t n_states = b[2].view.len / 2;
    const int32_t *out_feat = (const int32_t *)b[3].view.buf;
    int32_t *slot = (int32_t *)b[4].view.buf;
    Py_ssize_t n_feat = b[4].view.len / 4;
    const uint16_t *ptc = (const uint16_t *)b[5].view.buf;
    const float *weights = (const float *)b[6].view.buf;
    Py_ssize_t n_weights = b[6].view.len / 4;
    double *sums = (double *)b[7].view.buf;
    Py_ssize_t width = b[7].view.len / 8;
    if (b[3].view.len / 4 != n_states || n_states == 0 || width <= 0 || b[5].view.len / 2 != n_feat * width ||
        n_weights <= n) {
        release_arrays(b, 8);
        PyErr_SetString(PyExc_ValueError, "lang_score: array sizes do not match");
        return NULL;
    }
    /* feat_at: each byte's feature; then, reused, the features met in order (its first m entries) */
    int32_t *feat_at = PyMem_Malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    int32_t *counts = PyMem_Malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    float *tmp = PyMem_Malloc(sizeof(float) * (size_t)width);
    if (feat_at == NULL || counts == NULL || tmp == NULL) {
        PyMem_Free(feat_at);
        PyMem_Free(counts);
        PyMem_Free(tmp);
        release_arrays(b, 8);
        return PyErr_NoMemory();
    }
    int bad = lang_walk(data, n, nextmove, n_moves, row, n_states, out_feat, depth, feat_at) < 0;
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n && !bad; i++) {
        int32_t f = feat_at[i];
        if (f < 0) {
            continue;
        }
        if (f >= n_feat) {
            bad = 1;
            break;
        }
        int32_t s = slot[f];
        if (s == 0) {
            /* the row asked for now, into the second-level cache: all rows' fetches overlap the
               rest of this loop and each other (about 8 % faster on dev texts) */
            prefetch_row_l2((const char *)(ptc + (Py_ssize_t)f * width), width * 2);
            feat_at[m] = f; /* m <= i: this entry was read already */
            counts[m] = 1;
            m++;
            slot[f] = (int32_t)m;
        } else {
            counts[s - 1] += 1;
        }
    }
    for (Py_ssize_t k = 0; k < m; k++) {
        slot[feat_at[k]] = 0;
    }
    for (Py_ssize_t c = 0; c < width; c++) {
        sums[c] = 0.0;
    }
    if (!bad) {
#ifdef HAVE_F16C_ROWS
        const int fast = has_f16c_rows() && level != 1;
        const int wide = fast && level == 0 && has_avx512_rows();
#else
        const int fast = 0, wide = 0;
#endif
        if (wide) {
#ifdef HAVE_F16C_ROWS
            sum_rows_avx512(sums, ptc, width, feat_at, counts, weights, m);
#endif
        } else if (fast) {
#ifdef HAVE_F16C_ROWS
            sum_rows_f16c(sums, ptc, width, feat_at, counts, weights, m);
#endif
        } else {
            const Py_ssize_t row_bytes = width * 2;
            for (Py_ssize_t k = 0; k < m && k < PREFETCH_ROWS; k++) {
                prefetch_row((const char *)(ptc + (Py_ssize_t)feat_at[k] * width), row_bytes);
            }
            for (Py_ssize_t k = 0; k < m; k++) {
                if (k + PREFETCH_ROWS < m) {
                    prefetch_row((const char *)(ptc + (Py_ssize_t)feat_at[k + PREFETCH_ROWS] * width), row_bytes);
                }
                const uint16_t *half = ptc + (Py_ssize_t)feat_at[k] * width;
                const double w = (double)weights[counts[k]]; /* counts[k] <= n < n_weights */
                halves_to_floats(half, tmp, width);
                add_scaled(sums, tmp, w, width);
            }
        }
    }
    PyMem_Free(feat_at);
    PyMem_Free(counts);
    PyMem_Free(tmp);
    release_arrays(b, 8);
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "lang_score: the automaton leads out of its tables");
        return NULL;
    }
    return PyLong_FromSsize_t(m);
}


/* ---- block features (thresher.segment.text) ---------------------------------------------------
 *
 * The class bits of a character (thresher.segment.text's _SPACE ... _NEWLINE) come from ``table``,
 * one byte per code point of the Basic Multilingual Plane; characters beyond it from ``astral``, a
 * dict {code point: bits} of the ones the text holds (None when it holds none: meeting one then
 * makes the function return None, and the caller builds the dict and calls again).
 */
enum { C_SPACE = 1, C_LETTER = 2, C_UPPER = 4, C_LOWER = 8, C_DIGIT = 16, C_CJK = 32, C_WORD = 64 };

/* the class bits of code point ``ch``; -1 with an exception set, -2 for an astral character that
 * ``astral`` (maybe NULL) does not know */
static inline int class_of(Py_UCS4 ch, const unsigned char *table, PyObject *astral) {
    if (ch < 0x10000) {
        return table[ch];
    }
    if (astral == NULL) {
        return -2;
    }
    PyObject *key = PyLong_FromLong((long)ch);
    if (key == NULL) {
        return -1;
    }
    PyObject *v = PyDict_GetItemWithError(astral, key);
    Py_DECREF(key);
    if (v == NULL) {
        return PyErr_Occurred() ? -1 : -2;
    }
    long bits = PyLong_AsLong(v);
    if (bits == -1 && PyErr_Occurred()) {
        return -1;
    }
    return (int)(bits & 0xff);
}

static int get_table(PyObject *o_table, Arr *b) {
    if (get_array(o_table, b, 'B', 1, 0, "table") < 0) {
        return -1;
    }
    if (b->view.len != 0x10000) {
        PyErr_SetString(PyExc_ValueError, "table: expected 65536 class bytes");
        return -1;
    }
    return 0;
}

/* text_counts(doc, table, astral, out) -> True, or None (an astral character ``astral`` lacks)
 *   doc: the blocks joined by "\n"; out: int64 ('q' or 'l'), one row of 6 per block: token starts
 *   (a non-space after a space or the block start), capitalised and lower-case word starts (a
 *   letter after a non-letter), ASCII digits, CJK characters, commas (, ， 、 ،). */
static PyObject *text_counts(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *doc, *o_table, *astral, *o_out;
    if (!PyArg_ParseTuple(args, "UOOO", &doc, &o_table, &astral, &o_out)) {
        return NULL;
    }
    if (astral != Py_None && !PyDict_Check(astral)) {
        PyErr_SetString(PyExc_TypeError, "astral: expected a dict or None");
        return NULL;
    }
    Arr b[2];
    memset(b, 0, sizeof(b));
    if (get_table(o_table, &b[0]) < 0) {
        release_arrays(b, 2);
        return NULL;
    }
    if (PyObject_GetBuffer(o_out, &b[1].view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) {
        release_arrays(b, 2);
        return NULL;
    }
    b[1].held = 1;
    if (b[1].view.itemsize != 8 || !b[1].view.format ||
        strchr("ql", b[1].view.format[strspn(b[1].view.format, "=<@")]) == NULL) {
        release_arrays(b, 2);
        PyErr_SetString(PyExc_TypeError, "out: expected a contiguous int64 array");
        return NULL;
    }
    const unsigned char *table = (const unsigned char *)b[0].view.buf;
    int64_t *out = (int64_t *)b[1].view.buf;
    Py_ssize_t n_rows = b[1].view.len / 8 / 6;
    int kind = PyUnicode_KIND(doc);
    const void *data = PyUnicode_DATA(doc);
    Py_ssize_t n = PyUnicode_GET_LENGTH(doc);
    PyObject *amap = astral == Py_None ? NULL : astral;
    Py_ssize_t block = 0;
    int prev = C_SPACE;
    memset(out, 0, (size_t)n_rows * 6 * 8);
    for (Py_ssize_t p = 0; p < n; p++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, p);
        if (ch == '\n') {
            block++;
            prev = C_SPACE;
            continue;
        }
        if (block >= n_rows) {
            release_arrays(b, 2);
            PyErr_SetString(PyExc_ValueError, "text_counts: more blocks than rows");
            return NULL;
        }
        int c = class_of(ch, table, amap);
        if (c < 0) {
            release_arrays(b, 2);
            if (c == -1) {
                return NULL;
            }
            Py_RETURN_NONE;
        }
        int64_t *row = out + block * 6;
        if (!(c & C_SPACE) && (prev & C_SPACE)) {
            row[0]++;
        }
        if ((c & C_LETTER) && !(prev & C_LETTER)) {
            if (c & C_UPPER) {
                row[1]++;
            }
            if (c & C_LOWER) {
                row[2]++;
            }
        }
        if (c & C_DIGIT) {
            row[3]++;
        }
        if (c & C_CJK) {
            row[4]++;
        }
        if (ch == ',' || ch == 0xFF0C || ch == 0x3001 || ch == 0x060C) {
            row[5]++;
        }
        prev = c;
    }
    release_arrays(b, 2);
    Py_RETURN_TRUE;
}


/* ---- a word list in C (text_vocab) ------------------------------------------------------------
 *
 * text_vocab(stopwords, triggers) -> capsule: both sets of str in one open-addressing hash table
 * over code points, so that text_words_vocab looks a word up without making a str of it (it makes
 * one only for the words it keeps). A word is in a list exactly when it equals one of its strings,
 * code point by code point (what a set lookup of the str says).
 */
#define VOCAB_STOP 1
#define VOCAB_TRIGGER 2
#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

typedef struct {
    uint64_t key;  /* a word of up to 8 characters below 256: them, one byte each (inl); else its offset into pool */
    uint32_t len;  /* 0: an empty slot */
    uint8_t flags; /* the lists holding the word */
    uint8_t inl;
    uint16_t pad;
} VocabEntry; /* 16 bytes */

typedef struct {
    uint16_t *tags;      /* per slot: 16 bits of the word's hash (never 0), 0 for an empty slot */
    VocabEntry *entries; /* per slot */
    size_t mask;
    Py_UCS4 *pool;       /* the words that are not inline */
} Vocab;

static inline uint64_t fnv_step(uint64_t h, Py_UCS4 ch) {
    return (h ^ (uint64_t)ch) * FNV_PRIME;
}

static inline uint16_t vocab_tag(uint64_t h) {
    return (uint16_t)((h >> 48) | 1);
}

static void vocab_release(Vocab *v) {
    if (v != NULL) {
        PyMem_Free(v->tags);
        PyMem_Free(v->entries);
        PyMem_Free(v->pool);
        PyMem_Free(v);
    }
}

static void vocab_free(PyObject *capsule) {
    vocab_release(PyCapsule_GetPointer(capsule, "thresher.text_vocab"));
}

/* a Vocab of ``size`` slots (a power of two) and room for ``chars`` characters; NULL (MemoryError) */
static Vocab *vocab_new(size_t size, Py_ssize_t chars) {
    Vocab *v = PyMem_Calloc(1, sizeof(Vocab));
    if (v == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    v->tags = PyMem_Calloc(size, sizeof(uint16_t));
    v->entries = PyMem_Calloc(size, sizeof(VocabEntry));
    v->pool = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(chars ? chars : 1));
    v->mask = size - 1;
    if (v->tags == NULL || v->entries == NULL || v->pool == NULL) {
        vocab_release(v);
        PyErr_NoMemory();
        return NULL;
    }
    return v;
}

/* the entry of the word (kind, data)[a:b] with hash h, or NULL. The probe reads 2-byte tags (a
 * table small enough to stay in cache: most words in no list end there); an entry is read only
 * when its tag matches, and a short word is compared with the entry itself (no third fetch). */
static inline VocabEntry *vocab_find(const Vocab *v, uint64_t h, int kind, const void *data, Py_ssize_t a,
                                     Py_ssize_t b) {
    size_t at = (size_t)h & v->mask;
    uint16_t tag = vocab_tag(h);
    Py_ssize_t len = b - a;
    for (;;) {
        uint16_t t = v->tags[at];
        if (t == 0) {
            return NULL;
        }
        if (t == tag) {
            VocabEntry *e = v->entries + at;
            if ((Py_ssize_t)e->len == len) {
                if (e->inl) {
                    uint64_t key = 0;
                    Py_ssize_t k = 0;
                    for (; k < len; k++) {
                        Py_UCS4 ch = PyUnicode_READ(kind, data, a + k);
                        if (ch >= 256) {
                            break;
                        }
                        key |= (uint64_t)ch << (8 * k);
                    }
                    if (k == len && key == e->key) {
                        return e;
                    }
                } else {
                    const Py_UCS4 *w = v->pool + e->key;
                    Py_ssize_t k = 0;
                    while (k < len && w[k] == PyUnicode_READ(kind, data, a + k)) {
                        k++;
                    }
                    if (k == len) {
                        return e;
                    }
                }
            }
        }
        at = (at + 1) & v->mask;
    }
}

static int vocab_add_set(Vocab *v, PyObject *set, int flag, Py_ssize_t *pool_at) {
    PyObject *it = PyObject_GetIter(set);
    if (it == NULL) {
        return -1;
    }
    PyObject *key;
    while ((key = PyIter_Next(it)) != NULL) {
        Py_DECREF(key); /* the set holds it */
        if (!PyUnicode_Check(key)) {
            Py_DECREF(it);
            PyErr_SetString(PyExc_TypeError, "text_vocab: the word lists must hold str only");
            return -1;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        if (len == 0) {
            continue; /* no word is empty */
        }
        int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        uint64_t h = FNV_OFFSET;
        for (Py_ssize_t k = 0; k < len; k++) {
            h = fnv_step(h, PyUnicode_READ(kind, data, k));
        }
        VocabEntry *e = vocab_find(v, h, kind, data, 0, len);
        if (e != NULL) {
            e->flags |= flag;
            continue;
        }
        if (len > 0xffffffffLL) {
            Py_DECREF(it);
            PyErr_SetString(PyExc_ValueError, "text_vocab: a word is too long");
            return -1;
        }
        size_t at = (size_t)h & v->mask;
        while (v->tags[at] != 0) {
            at = (at + 1) & v->mask;
        }
        e = v->entries + at;
        v->tags[at] = vocab_tag(h);
        e->len = (uint32_t)len;
        e->flags = (uint8_t)flag;
        e->inl = len <= 8 && PyUnicode_MAX_CHAR_VALUE(key) < 256;
        if (e->inl) {
            uint64_t packed = 0;
            for (Py_ssize_t k = 0; k < len; k++) {
                packed |= (uint64_t)PyUnicode_READ(kind, data, k) << (8 * k);
            }
            e->key = packed;
        } else {
            e->key = (uint64_t)*pool_at;
            for (Py_ssize_t k = 0; k < len; k++) {
                v->pool[*pool_at + k] = PyUnicode_READ(kind, data, k);
            }
            *pool_at += len;
        }
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *text_vocab(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *stop, *triggers;
    if (!PyArg_ParseTuple(args, "OO", &stop, &triggers)) {
        return NULL;
    }
    if (!PyAnySet_Check(stop) || !PyAnySet_Check(triggers)) {
        PyErr_SetString(PyExc_TypeError, "text_vocab: the word lists must be sets");
        return NULL;
    }
    Py_ssize_t n = PySet_GET_SIZE(stop) + PySet_GET_SIZE(triggers);
    Py_ssize_t chars = 0;
    PyObject *sets[2] = {stop, triggers};
    for (int s = 0; s < 2; s++) {
        PyObject *it = PyObject_GetIter(sets[s]);
        if (it == NULL) {
            return NULL;
        }
        PyObject *key;
        while ((key = PyIter_Next(it)) != NULL) {
            int ok = PyUnicode_Check(key);
            if (ok) {
                chars += PyUnicode_GET_LENGTH(key);
            }
            Py_DECREF(key);
            if (!ok) {
                Py_DECREF(it);
                PyErr_SetString(PyExc_TypeError, "text_vocab: the word lists must hold str only");
                return NULL;
            }
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) {
            return NULL;
        }
    }
    if (n >= 0x7fffffff / 4) {
        PyErr_SetString(PyExc_ValueError, "text_vocab: too many words");
        return NULL;
    }
    size_t size = 16;
    while (size < (size_t)n * 2 + 2) { /* at most half full: short probes */
        size <<= 1;
    }
    Vocab *v = vocab_new(size, chars);
    if (v == NULL) {
        return NULL;
    }
    Py_ssize_t pool_at = 0;
    if (vocab_add_set(v, stop, VOCAB_STOP, &pool_at) < 0 || vocab_add_set(v, triggers, VOCAB_TRIGGER, &pool_at) < 0) {
        vocab_release(v);
        return NULL;
    }
    PyObject *capsule = PyCapsule_New(v, "thresher.text_vocab", vocab_free);
    if (capsule == NULL) {
        vocab_release(v);
    }
    return capsule;
}

/* low[a:b] as a new reference, with whether it is in ``stop`` and in ``triggers``; NULL on error */
static PyObject *word_of(PyObject *low, Py_ssize_t a, Py_ssize_t b, PyObject *stop, PyObject *triggers,
                         int *is_stop, int *is_trig) {
    PyObject *w = PyUnicode_Substring(low, a, b);
    if (w == NULL) {
        return NULL;
    }
    *is_stop = PySet_Contains(stop, w);
    *is_trig = *is_stop < 0 ? -1 : PySet_Contains(triggers, w);
    if (*is_trig < 0) {
        Py_DECREF(w);
        return NULL;
    }
    return w;
}

/* text_words(low, doc, table, astral, stopwords, triggers)
 *   -> (letter_words, stop_words, triggered, tokens, norms), or None (an astral character
 *   ``astral`` lacks)
 * ``low``: the blocks joined by "\n", lower-cased; ``doc``: the same not lower-cased — when both
 * have the same length the class bits are the ones of ``doc``'s characters (what the numpy code
 * does), otherwise those of ``low``'s. Per block (a line of ``low``): how many letter words (runs
 * of letters), how many of them are in ``stopwords``, whether one is in ``triggers``, the set of
 * letter words of 3+ characters not in ``stopwords``, and its word-character runs joined by single
 * spaces. */
static PyObject *words_of(PyObject *low, PyObject *doc, PyObject *o_table, PyObject *astral, PyObject *stop,
                          PyObject *triggers, const Vocab *vocab);

static PyObject *text_words(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *low, *doc, *o_table, *astral, *stop, *triggers;
    if (!PyArg_ParseTuple(args, "UUOOOO", &low, &doc, &o_table, &astral, &stop, &triggers)) {
        return NULL;
    }
    if ((astral != Py_None && !PyDict_Check(astral)) || !PyAnySet_Check(stop) || !PyAnySet_Check(triggers)) {
        PyErr_SetString(PyExc_TypeError, "text_words: astral must be a dict or None, the word lists sets");
        return NULL;
    }
    return words_of(low, doc, o_table, astral, stop, triggers, NULL);
}

/* text_words_vocab(low, doc, table, astral, vocab): text_words with the word lists of a text_vocab
 * capsule (the same answers as text_words with the sets the capsule was made from). */
static PyObject *text_words_vocab(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *low, *doc, *o_table, *astral, *capsule;
    if (!PyArg_ParseTuple(args, "UUOOO", &low, &doc, &o_table, &astral, &capsule)) {
        return NULL;
    }
    if (astral != Py_None && !PyDict_Check(astral)) {
        PyErr_SetString(PyExc_TypeError, "text_words_vocab: astral must be a dict or None");
        return NULL;
    }
    Vocab *vocab = PyCapsule_GetPointer(capsule, "thresher.text_vocab");
    if (vocab == NULL) {
        return NULL;
    }
    return words_of(low, doc, o_table, astral, NULL, NULL, vocab);
}

static PyObject *words_of(PyObject *low, PyObject *doc, PyObject *o_table, PyObject *astral, PyObject *stop,
                          PyObject *triggers, const Vocab *vocab) {
    Arr tb;
    memset(&tb, 0, sizeof(tb));
    if (get_table(o_table, &tb) < 0) {
        release_arrays(&tb, 1);
        return NULL;
    }
    const unsigned char *table = (const unsigned char *)tb.view.buf;
    PyObject *amap = astral == Py_None ? NULL : astral;
    int kind = PyUnicode_KIND(low);
    const void *data = PyUnicode_DATA(low);
    Py_ssize_t n = PyUnicode_GET_LENGTH(low);
    int same = PyUnicode_GET_LENGTH(doc) == n;
    int ckind = same ? PyUnicode_KIND(doc) : kind;
    const void *cdata = same ? PyUnicode_DATA(doc) : data;
    PyObject *letters = PyList_New(0), *stops = PyList_New(0), *trig = PyList_New(0);
    PyObject *tokens = PyList_New(0), *norms = PyList_New(0);
    PyObject *toks = NULL;
    Py_UCS4 *buf = NULL;
    PyObject *result = NULL;
    int astral_missing = 0;
    if (!letters || !stops || !trig || !tokens || !norms) {
        goto done;
    }
    buf = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(n + 1));
    if (buf == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t start = 0;
    while (start <= n) {
        Py_ssize_t end = start;
        while (end < n && PyUnicode_READ(kind, data, end) != '\n') {
            end++;
        }
        /* one block: low[start:end] */
        long n_letter = 0, n_stop = 0;
        int hit = 0;
        Py_ssize_t nb = 0; /* the norm string being built in buf */
        toks = PySet_New(NULL);
        if (toks == NULL) {
            goto done;
        }
        Py_ssize_t w0 = -1, r0 = -1; /* start of the letter run / word-character run */
        uint64_t wh = FNV_OFFSET;     /* hash of the letter run so far (vocab lookups) */
        for (Py_ssize_t p = start; p <= end; p++) {
            int c = 0;
            if (p < end) {
                c = class_of(PyUnicode_READ(ckind, cdata, p), table, amap);
                if (c < 0) {
                    if (c == -2) {
                        astral_missing = 1;
                    }
                    goto done;
                }
            }
            if (c & C_WORD) {
                if (r0 < 0) {
                    r0 = p;
                    if (nb) {
                        buf[nb++] = ' ';
                    }
                }
                buf[nb++] = PyUnicode_READ(kind, data, p);
            } else {
                r0 = -1;
            }
            if (c & C_LETTER) {
                if (w0 < 0) {
                    w0 = p;
                    wh = FNV_OFFSET;
                }
                if (vocab != NULL) {
                    wh = fnv_step(wh, PyUnicode_READ(kind, data, p));
                }
                continue;
            }
            if (w0 < 0) {
                continue;
            }
            /* a letter word ends at p */
            int is_stop, is_trig;
            if (vocab != NULL) {
                const VocabEntry *e = vocab_find(vocab, wh, kind, data, w0, p);
                int flags = e != NULL ? e->flags : 0;
                is_stop = (flags & VOCAB_STOP) != 0;
                is_trig = (flags & VOCAB_TRIGGER) != 0;
                if (!is_stop && p - w0 > 2) {
                    PyObject *w = PyUnicode_Substring(low, w0, p);
                    if (w == NULL) {
                        goto done;
                    }
                    int bad = PySet_Add(toks, w) < 0;
                    Py_DECREF(w);
                    if (bad) {
                        goto done;
                    }
                }
            } else {
                PyObject *w = word_of(low, w0, p, stop, triggers, &is_stop, &is_trig);
                if (w == NULL) {
                    goto done;
                }
                if (!is_stop && p - w0 > 2 && PySet_Add(toks, w) < 0) {
                    Py_DECREF(w);
                    goto done;
                }
                Py_DECREF(w);
            }
            n_letter++;
            n_stop += is_stop;
            hit |= is_trig;
            w0 = -1;
        }
        PyObject *norm = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, nb);
        if (norm == NULL) {
            goto done;
        }
        PyObject *v1 = PyLong_FromLong(n_letter), *v2 = PyLong_FromLong(n_stop);
        int bad = v1 == NULL || v2 == NULL || PyList_Append(letters, v1) < 0 || PyList_Append(stops, v2) < 0 ||
                  PyList_Append(trig, hit ? Py_True : Py_False) < 0 || PyList_Append(tokens, toks) < 0 ||
                  PyList_Append(norms, norm) < 0;
        Py_XDECREF(v1);
        Py_XDECREF(v2);
        Py_DECREF(norm);
        Py_CLEAR(toks);
        if (bad) {
            goto done;
        }
        start = end + 1;
    }
    result = PyTuple_Pack(5, letters, stops, trig, tokens, norms);
done:
    Py_XDECREF(toks);
    Py_XDECREF(letters);
    Py_XDECREF(stops);
    Py_XDECREF(trig);
    Py_XDECREF(tokens);
    Py_XDECREF(norms);
    PyMem_Free(buf);
    release_arrays(&tb, 1);
    if (astral_missing && result == NULL && !PyErr_Occurred()) {
        Py_RETURN_NONE;
    }
    return result;
}

/* ---- the text model's feature matrix (thresher.classify.text_model.feature_matrix) -------------
 *
 * text_matrix(values, base_cols, nb_cols, layout, kind_at, label_at, reason_at, kept, log_chars,
 *             log_words, out)
 *   values: float64 ('d'), the blocks' feature table (n rows); base_cols: int32, the table columns
 *   of the model's base features; nb_cols: int32, the base columns (indices into base_cols) its
 *   neighbour features read; layout: int32, [table column of the paragraph, base column of n_chars,
 *   n_words, terminal, listy, topic_fit, repeated, stop_ratio, matrix column of the first kind,
 *   of rule_kept, of the first rule label, of the first rule reason]; kind_at, label_at,
 *   reason_at: int32 per block (-1: none); kept, log_chars, log_words: float64 per block (the
 *   logarithms numpy's log1p: this file computes no transcendental function numpy also computes);
 *   out: float32 (n rows of the matrix width), all zero on entry.
 * Every number is computed in float64 as the numpy code computes it (same operations, sums in the
 * same order; the sums numpy may reorder are sums of whole numbers, exact in any order) and
 * rounded to float32 once, so the matrix is the numpy one to the bit.
 */
#define N_NB_MAX 32
#define N_WINDOW_FEATURES 8

static Py_ssize_t search_left(const Py_ssize_t *a, Py_ssize_t len, Py_ssize_t v) {
    Py_ssize_t lo = 0, hi = len;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (a[mid] < v) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static PyObject *text_matrix(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *o[11];
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7], &o[8],
                          &o[9], &o[10])) {
        return NULL;
    }
    Arr b[11];
    memset(b, 0, sizeof(b));
    static const char fmt[11] = {'d', 'i', 'i', 'i', 'i', 'i', 'i', 'd', 'd', 'd', 'f'};
    static const char *names[11] = {"values", "base_cols", "nb_cols", "layout", "kind_at", "label_at",
                                    "reason_at", "kept", "log_chars", "log_words", "out"};
    for (int k = 0; k < 11; k++) {
        if (get_array(o[k], &b[k], fmt[k], fmt[k] == 'd' ? 8 : 4, k == 10, names[k]) < 0) {
            release_arrays(b, 11);
            return NULL;
        }
    }
    const double *values = b[0].view.buf;
    const int32_t *base_cols = b[1].view.buf, *nb_cols = b[2].view.buf, *layout = b[3].view.buf;
    const int32_t *kind_at = b[4].view.buf, *label_at = b[5].view.buf, *reason_at = b[6].view.buf;
    const double *kept = b[7].view.buf, *log_chars = b[8].view.buf, *log_words = b[9].view.buf;
    float *out = b[10].view.buf;
    Py_ssize_t n = b[7].view.len / 8, n_base = b[1].view.len / 4, n_nb = b[2].view.len / 4;
    Py_ssize_t n_cols = n ? b[0].view.len / 8 / n : 0;
    Py_ssize_t width = n ? b[10].view.len / 4 / n : 0;
    int ok = b[3].view.len / 4 == 12 && n_nb <= N_NB_MAX && b[4].view.len / 4 == n && b[5].view.len / 4 == n &&
             b[6].view.len / 4 == n && b[8].view.len / 8 == n && b[9].view.len / 8 == n &&
             (n == 0 || (b[0].view.len / 8 == n * n_cols && b[10].view.len / 4 == n * width));
    for (Py_ssize_t k = 0; ok && k < n_base; k++) {
        ok = base_cols[k] >= 0 && base_cols[k] < n_cols;
    }
    for (Py_ssize_t k = 0; ok && k < n_nb; k++) {
        ok = nb_cols[k] >= 0 && nb_cols[k] < n_base;
    }
    for (int k = 1; ok && k < 8; k++) {
        ok = layout[k] >= 0 && layout[k] < n_base;
    }
    ok = ok && layout[0] >= 0 && layout[0] < (n_cols ? n_cols : 1);
    for (int k = 8; ok && k < 12; k++) {
        ok = layout[k] >= 0 && layout[k] < width;
    }
    /* the columns after the reasons: neighbours, 8 document/context columns, 2 windows, 7 more */
    Py_ssize_t j0 = 0;
    if (ok) {
        Py_ssize_t n_reasons = width - layout[11] - (4 * (n_nb + 1) + 8 + 2 * N_WINDOW_FEATURES + 7);
        j0 = layout[11] + n_reasons;
        ok = n_reasons >= 0 && n_base <= layout[8] && layout[8] >= n_base + 1;
        for (Py_ssize_t i = 0; ok && i < n; i++) {
            ok = kind_at[i] < layout[9] - layout[8] && label_at[i] < layout[11] - layout[10] &&
                 reason_at[i] < n_reasons;
        }
    }
    if (!ok) {
        release_arrays(b, 11);
        PyErr_SetString(PyExc_ValueError, "text_matrix: array sizes or columns do not match");
        return NULL;
    }
    if (n == 0) {
        release_arrays(b, 11);
        Py_RETURN_NONE;
    }
    const int para_col = layout[0], B_CHARS = layout[1], B_WORDS = layout[2], B_TERMINAL = layout[3],
              B_LISTY = layout[4], B_FIT = layout[5], B_REPEATED = layout[6], B_STOP = layout[7];
    const int C_KINDS = layout[8], C_KEPT = layout[9], C_LABELS = layout[10], C_REASONS = layout[11];
    /* scratch: cumulative kept, kept positions, prose positions, window sums, paragraph runs */
    size_t nn = (size_t)n + 1;
    double *cum = PyMem_Malloc(sizeof(double) * nn * (2 + N_WINDOW_FEATURES) + sizeof(Py_ssize_t) * nn * 3);
    if (cum == NULL) {
        release_arrays(b, 11);
        return PyErr_NoMemory();
    }
    double *pchars = cum + nn;
    double *csum = pchars + nn; /* (n + 1) x N_WINDOW_FEATURES */
    Py_ssize_t *kept_at = (Py_ssize_t *)(csum + nn * N_WINDOW_FEATURES);
    Py_ssize_t *prose_at = kept_at + nn;
    Py_ssize_t *run = prose_at + nn;
#define BASE(i, k) values[(i) * n_cols + base_cols[k]]
#define OUT(i, c) out[(i) * width + (c)]
    double total = 0.0, kept_chars = 0.0, max_chars = 0.0;
    Py_ssize_t n_kept = 0, n_prose = 0;
    cum[0] = 0.0;
    for (Py_ssize_t k = 0; k < N_WINDOW_FEATURES; k++) {
        csum[k] = 0.0;
    }
    double pc = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        for (Py_ssize_t k = 0; k < n_base; k++) {
            OUT(i, k) = (float)BASE(i, k);
        }
        double chars = BASE(i, B_CHARS);
        OUT(i, n_base) = (float)log_chars[i];
        if (kind_at[i] >= 0) {
            OUT(i, C_KINDS + kind_at[i]) = 1.0f;
        }
        if (label_at[i] >= 0) {
            OUT(i, C_LABELS + label_at[i]) = 1.0f;
        }
        if (reason_at[i] >= 0) {
            OUT(i, C_REASONS + reason_at[i]) = 1.0f;
        }
        OUT(i, C_KEPT) = (float)kept[i];
        total += chars;
        kept_chars += chars * kept[i];
        if (i == 0 || chars > max_chars) {
            max_chars = chars;
        }
        int prose = BASE(i, B_TERMINAL) > 0 && BASE(i, B_WORDS) >= 12;
        n_prose += prose;
        if (prose) {
            prose_at[n_prose - 1] = i;
        }
        if (kept[i] != 0.0) {
            kept_at[n_kept++] = i;
        }
        cum[i + 1] = cum[i] + kept[i];
        pc += chars * (double)prose;
        pchars[i] = pc;
        double row[N_WINDOW_FEATURES] = {BASE(i, B_TERMINAL), log_words[i], BASE(i, B_LISTY), BASE(i, B_FIT),
                                         kept[i], BASE(i, B_REPEATED) > 0, (double)prose, BASE(i, B_STOP)};
        for (Py_ssize_t k = 0; k < N_WINDOW_FEATURES; k++) {
            csum[(i + 1) * N_WINDOW_FEATURES + k] = csum[i * N_WINDOW_FEATURES + k] + row[k];
        }
        run[i] = (i > 0 && values[i * n_cols + para_col] == values[(i - 1) * n_cols + para_col]) ? run[i - 1]
                                                                                                : i;
    }
    if (total == 0.0) {
        total = 1.0;
    }
    double log_total = log1p(total), log_max = log1p(max_chars);
    /* paragraph means of kept: blocks of one paragraph are consecutive (run[i]: its first block) */
    Py_ssize_t j = j0;
    for (Py_ssize_t i = 0; i < n; i++) {
        for (int s = 0; s < 4; s++) {
            static const int offs[4] = {-2, -1, 1, 2};
            Py_ssize_t at = i + offs[s];
            Py_ssize_t c = j + s * (n_nb + 1);
            for (Py_ssize_t k = 0; k < n_nb; k++) {
                OUT(i, c + k) = (at >= 0 && at < n) ? (float)BASE(at, nb_cols[k]) : -1.0f;
            }
            OUT(i, c + n_nb) = (at >= 0 && at < n) ? (float)kept[at] : -1.0f;
        }
    }
    j += 4 * (n_nb + 1);
    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t e = i;
        double sum = 0.0;
        while (e < n && run[e] == i) {
            sum += kept[e];
            e++;
        }
        double mean = sum / (double)(e - i);
        for (Py_ssize_t k = i; k < e; k++) {
            OUT(k, j + 7) = (float)mean;
        }
        i = e;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t lo = i - 5 > 0 ? i - 5 : 0, hi = i + 6 < n ? i + 6 : n;
        OUT(i, j) = (float)n;
        OUT(i, j + 1) = (float)log_total;
        OUT(i, j + 2) = (float)(kept_chars / total);
        OUT(i, j + 3) = (float)((double)n_prose / (double)n);
        Py_ssize_t den = hi - lo - 1 > 1 ? hi - lo - 1 : 1;
        OUT(i, j + 4) = (float)((cum[hi] - cum[lo] - kept[i]) / (double)den);
        if (n_kept) {
            Py_ssize_t pos = search_left(kept_at, n_kept, i);
            Py_ssize_t left = pos > 0 ? i - kept_at[pos - 1] : n;
            Py_ssize_t right = pos < n_kept ? kept_at[pos] - i : n;
            Py_ssize_t d = left < right ? left : right;
            OUT(i, j + 5) = (float)(d < 50 ? d : 50);
            OUT(i, j + 6) = (float)(i >= kept_at[0] && i <= kept_at[n_kept - 1]);
        } else {
            OUT(i, j + 5) = 50.0f;
        }
    }
    j += 8;
    static const int windows[2] = {3, 10};
    for (int w = 0; w < 2; w++) {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t lo = i - windows[w] > 0 ? i - windows[w] : 0;
            Py_ssize_t hi = i + windows[w] + 1 < n ? i + windows[w] + 1 : n;
            for (Py_ssize_t k = 0; k < N_WINDOW_FEATURES; k++) {
                OUT(i, j + k) = (float)((csum[hi * N_WINDOW_FEATURES + k] - csum[lo * N_WINDOW_FEATURES + k]) /
                                        (double)(hi - lo));
            }
        }
        j += N_WINDOW_FEATURES;
    }
    double cchars = 0.0;
    double plast = pchars[n - 1] > 1.0 ? pchars[n - 1] : 1.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double chars = BASE(i, B_CHARS);
        int prose = BASE(i, B_TERMINAL) > 0 && BASE(i, B_WORDS) >= 12;
        if (n_prose) {
            Py_ssize_t pos = search_left(prose_at, n_prose, i);
            Py_ssize_t before = pos > 0 ? i - prose_at[pos - 1] : 60;
            OUT(i, j) = (float)(before < 60 ? before : 60);
            Py_ssize_t nxt = search_left(prose_at, n_prose, i + 1); /* searchsorted side="right" */
            Py_ssize_t after = nxt < n_prose ? prose_at[nxt] - i : 60;
            OUT(i, j + 1) = (float)(after < 60 ? after : 60);
            OUT(i, j + 2) = (float)((pchars[i] - chars * (double)prose) / plast);
        } else {
            OUT(i, j) = OUT(i, j + 1) = 60.0f;
            OUT(i, j + 2) = 0.5f;
        }
        cchars += chars;
        OUT(i, j + 3) = (float)((cchars - chars) / total);
        OUT(i, j + 4) = (float)(log_chars[i] - log_max);
        if (n_kept) {
            double dn = (double)(n > 1 ? n : 1);
            OUT(i, j + 5) = (float)((double)(i - kept_at[0]) / dn);
            OUT(i, j + 6) = (float)((double)(i - kept_at[n_kept - 1]) / dn);
        }
    }
#undef BASE
#undef OUT
    PyMem_Free(cum);
    release_arrays(b, 11);
    Py_RETURN_NONE;
}

/* ---- the text model's second-stage matrix (thresher.classify.text_model.stage2_matrix) ---------
 *
 * numpy sums a window (add.reduce over a row) from 0.0 with its pairwise summation: below 8
 * numbers one after the other, up to 128 in eight interleaved partial sums, above that halves
 * (a multiple of 8 first). pairwise_sum does the same, so the sums are numpy's to the bit.
 */
static double pairwise_sum(const double *a, Py_ssize_t n) {
    if (n < 8) {
        double res = 0.0;
        for (Py_ssize_t i = 0; i < n; i++) {
            res += a[i];
        }
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int k = 0; k < 8; k++) {
            r[k] = a[k];
        }
        Py_ssize_t i;
        for (i = 8; i < n - (n % 8); i += 8) {
            for (int k = 0; k < 8; k++) {
                r[k] += a[i + k];
            }
        }
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) {
            res += a[i];
        }
        return res;
    }
    Py_ssize_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* text_stage2(s, mean, para, kept, values, base_cols, out)
 *   s: float64 first-stage scores (n); mean: numpy's s.mean(); para: float64 paragraph of each
 *   block; kept: float64, 1 where the rules kept the block; values: float64 feature table (n rows);
 *   base_cols: int32, the table columns copied at the end; out: float32, n rows of
 *   1 + 6 + 9 + 9 + len(base_cols) columns (stage2_names()). */
static PyObject *text_stage2(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *o[7];
    double mean;
    if (!PyArg_ParseTuple(args, "OdOOOOO", &o[0], &mean, &o[1], &o[2], &o[3], &o[4], &o[5])) {
        return NULL;
    }
    Arr b[6];
    memset(b, 0, sizeof(b));
    static const char fmt[6] = {'d', 'd', 'd', 'd', 'i', 'f'};
    static const char *names[6] = {"s", "para", "kept", "values", "base_cols", "out"};
    for (int k = 0; k < 6; k++) {
        if (get_array(o[k], &b[k], fmt[k], fmt[k] == 'd' ? 8 : 4, k == 5, names[k]) < 0) {
            release_arrays(b, 6);
            return NULL;
        }
    }
    const double *s = b[0].view.buf, *para = b[1].view.buf, *kept = b[2].view.buf, *values = b[3].view.buf;
    const int32_t *base_cols = b[4].view.buf;
    float *out = b[5].view.buf;
    Py_ssize_t n = b[0].view.len / 8, n_bc = b[4].view.len / 4;
    Py_ssize_t width = 1 + 6 + 9 + 9 + n_bc;
    Py_ssize_t n_cols = n ? b[3].view.len / 8 / n : 0;
    int ok = b[1].view.len / 8 == n && b[2].view.len / 8 == n && b[5].view.len / 4 == n * width &&
             (n == 0 || b[3].view.len / 8 == n * n_cols);
    for (Py_ssize_t k = 0; ok && k < n_bc; k++) {
        ok = base_cols[k] >= 0 && base_cols[k] < n_cols;
    }
    if (!ok) {
        release_arrays(b, 6);
        PyErr_SetString(PyExc_ValueError, "text_stage2: array sizes or columns do not match");
        return NULL;
    }
    if (n == 0) {
        release_arrays(b, 6);
        Py_RETURN_NONE;
    }
    enum { PAD = 15 };
    double *padded = PyMem_Malloc(sizeof(double) * (size_t)(n + 2 * PAD));
    if (padded == NULL) {
        release_arrays(b, 6);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n + 2 * PAD; i++) {
        padded[i] = (i >= PAD && i < PAD + n) ? s[i - PAD] : 0.0;
    }
#define OUT(i, c) out[(i) * width + (c)]
    double smax = s[0];
    Py_ssize_t n_above = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        smax = s[i] > smax || s[i] != s[i] ? s[i] : smax;
        n_above += s[i] >= 0.5;
    }
    static const int offs[6] = {-3, -2, -1, 1, 2, 3};
    static const int windows[3] = {2, 5, 15};
    for (Py_ssize_t i = 0; i < n; i++) {
        OUT(i, 0) = (float)s[i];
        for (int k = 0; k < 6; k++) {
            Py_ssize_t at = i + offs[k];
            OUT(i, 1 + k) = (float)((at >= 0 && at < n) ? s[at] : -1.0);
        }
        for (int w = 0; w < 3; w++) {
            Py_ssize_t lo = i - windows[w], hi = i + windows[w] + 1; /* the window, cut at the ends */
            Py_ssize_t clo = lo > 0 ? lo : 0, chi = hi < n ? hi : n;
            double sum = 0.0 + pairwise_sum(padded + PAD + lo, hi - lo); /* zeros past the ends, as numpy */
            double mn = s[clo], mx = s[clo];
            for (Py_ssize_t k = clo + 1; k < chi; k++) {
                mn = s[k] < mn ? s[k] : mn;
                mx = s[k] > mx ? s[k] : mx;
            }
            OUT(i, 7 + 3 * w) = (float)(sum / (double)(chi - clo));
            OUT(i, 8 + 3 * w) = (float)mn;
            OUT(i, 9 + 3 * w) = (float)mx;
        }
        OUT(i, 16) = (float)mean;
        OUT(i, 17) = (float)((double)n_above / (double)n);
        OUT(i, 18) = (float)smax;
        OUT(i, 19) = (float)(s[i] - mean);
        OUT(i, 24) = (float)kept[i];
        for (Py_ssize_t k = 0; k < n_bc; k++) {
            OUT(i, 25 + k) = (float)values[i * n_cols + base_cols[k]];
        }
    }
    /* paragraphs (consecutive blocks of one paragraph), then runs on one side of 0.5 */
    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t e = i + 1;
        while (e < n && para[e] == para[e - 1]) {
            e++;
        }
        double sum = 0.0, mn = s[i], mx = s[i];
        for (Py_ssize_t k = i; k < e; k++) {
            sum += s[k];
            mn = s[k] < mn ? s[k] : mn;
            mx = s[k] > mx ? s[k] : mx;
        }
        for (Py_ssize_t k = i; k < e; k++) {
            OUT(k, 20) = (float)(sum / (double)(e - i));
            OUT(k, 21) = (float)mn;
            OUT(k, 22) = (float)mx;
        }
        i = e;
    }
    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t e = i + 1;
        while (e < n && (s[e] >= 0.5) == (s[e - 1] >= 0.5)) {
            e++;
        }
        double sum = 0.0;
        for (Py_ssize_t k = i; k < e; k++) {
            sum += s[k];
        }
        for (Py_ssize_t k = i; k < e; k++) {
            OUT(k, 23) = (float)(sum / (double)(e - i));
        }
        i = e;
    }
#undef OUT
    PyMem_Free(padded);
    release_arrays(b, 6);
    Py_RETURN_NONE;
}

/* ---- substrings of many lines at once (thresher.classify.text_rules) --------------------------
 *
 * line_masks(goto, found, data, n_lines) -> list of int
 *   goto: int32 ('i'), an Aho-Corasick automaton over bytes as a full table (state * 256 + byte ->
 *   state, state 0 the start); found: uint64 ('Q' or 'L' of 8 bytes), per state the bit set of the
 *   needles that end there (its suffix states' included); data: bytes, n_lines lines joined by
 *   b"\n" (the needles hold no line break), or a str (walked as its UTF-8 bytes, surrogates
 *   passed through). Returns the bit set of the needles each line holds.
 */
static PyObject *line_masks(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *o_goto, *o_found, *o_data;
    Py_ssize_t n_lines;
    if (!PyArg_ParseTuple(args, "OOOn", &o_goto, &o_found, &o_data, &n_lines)) {
        return NULL;
    }
    Arr b[3];
    memset(b, 0, sizeof(b));
    if (get_array(o_goto, &b[0], 'i', 4, 0, "goto") < 0) {
        release_arrays(b, 3);
        return NULL;
    }
    if (PyObject_GetBuffer(o_found, &b[1].view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        release_arrays(b, 3);
        return NULL;
    }
    b[1].held = 1;
    const char *f = b[1].view.format ? b[1].view.format : "B";
    f += strspn(f, "=<@");
    if (b[1].view.itemsize != 8 || !(f[0] == 'Q' || f[0] == 'L') || f[1] != '\0') {
        release_arrays(b, 3);
        PyErr_SetString(PyExc_TypeError, "found: expected a contiguous uint64 array");
        return NULL;
    }
    /* data: bytes, or a str walked as its UTF-8 bytes (surrogates as three bytes, as the
       "surrogatepass" error handler encodes them), without making the bytes */
    int is_str = PyUnicode_Check(o_data);
    int kind = 0;
    const void *udata = NULL;
    const unsigned char *data = NULL;
    Py_ssize_t n;
    if (is_str) {
        kind = PyUnicode_KIND(o_data);
        udata = PyUnicode_DATA(o_data);
        n = PyUnicode_GET_LENGTH(o_data);
    } else {
        if (PyObject_GetBuffer(o_data, &b[2].view, PyBUF_C_CONTIGUOUS) < 0) {
            release_arrays(b, 3);
            return NULL;
        }
        b[2].held = 1;
        data = b[2].view.buf;
        n = b[2].view.len;
    }
    const int32_t *go = b[0].view.buf;
    const uint64_t *found = b[1].view.buf;
    Py_ssize_t n_states = b[1].view.len / 8;
    if (n_states == 0 || b[0].view.len / 4 != n_states * 256 || n_lines < 1) {
        release_arrays(b, 3);
        PyErr_SetString(PyExc_ValueError, "line_masks: the automaton's tables do not match");
        return NULL;
    }
    PyObject *out = PyList_New(n_lines);
    if (out == NULL) {
        release_arrays(b, 3);
        return NULL;
    }
    Py_ssize_t line = 0;
    int32_t state = 0;
    uint64_t mask = 0;
    const char *error = NULL;
    for (Py_ssize_t i = 0; i <= n; i++) {
        Py_UCS4 ch = i == n ? 0 : (is_str ? PyUnicode_READ(kind, udata, i) : data[i]);
        if (i == n || ch == '\n') {
            if (line >= n_lines) {
                error = "line_masks: the text has more lines than n_lines";
                break;
            }
            PyObject *v = PyLong_FromUnsignedLongLong(mask);
            if (v == NULL) {
                Py_DECREF(out);
                release_arrays(b, 3);
                return NULL;
            }
            PyList_SET_ITEM(out, line, v);
            line++;
            mask = 0;
            state = 0;
            continue;
        }
        unsigned char utf8[4];
        int n_bytes;
        if (!is_str || ch < 0x80) {
            utf8[0] = (unsigned char)ch;
            n_bytes = 1;
        } else if (ch < 0x800) {
            utf8[0] = (unsigned char)(0xC0 | (ch >> 6));
            utf8[1] = (unsigned char)(0x80 | (ch & 0x3F));
            n_bytes = 2;
        } else if (ch < 0x10000) {
            utf8[0] = (unsigned char)(0xE0 | (ch >> 12));
            utf8[1] = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));
            utf8[2] = (unsigned char)(0x80 | (ch & 0x3F));
            n_bytes = 3;
        } else {
            utf8[0] = (unsigned char)(0xF0 | (ch >> 18));
            utf8[1] = (unsigned char)(0x80 | ((ch >> 12) & 0x3F));
            utf8[2] = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));
            utf8[3] = (unsigned char)(0x80 | (ch & 0x3F));
            n_bytes = 4;
        }
        for (int k = 0; k < n_bytes; k++) {
            state = go[(Py_ssize_t)state * 256 + utf8[k]];
            if (state < 0 || state >= n_states) { /* checked here rather than the whole table per call */
                error = "line_masks: the automaton leads out of its table";
                break;
            }
            mask |= found[state];
        }
        if (error != NULL) {
            break;
        }
    }
    if (error == NULL && line != n_lines) {
        error = "line_masks: the text has fewer lines than n_lines";
    }
    release_arrays(b, 3);
    if (error != NULL) {
        Py_DECREF(out); /* items not set are NULL: list_dealloc skips them */
        PyErr_SetString(PyExc_ValueError, error);
        return NULL;
    }
    return out;
}

/* line_masks_compact(goto, classes, found, data, n_lines[, words, max_words]) -> list of int
 *   line_masks over a compact automaton: classes: uint8 ('B'), 256 bytes, each byte's class (0:
 *   a byte no needle holds, which leads every state back to the start); goto: int16 ('h'), state *
 *   n_classes + class -> state. A table of a few kilobytes instead of a quarter megabyte: it stays
 *   in the caches the other stages leave. data: a str (walked as its UTF-8 bytes). */
static PyObject *line_masks_compact(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *o_goto, *o_classes, *o_found, *o_data, *words = Py_None;
    Py_ssize_t n_lines;
    double max_words = 0.0;
    if (!PyArg_ParseTuple(args, "OOOUn|Od", &o_goto, &o_classes, &o_found, &o_data, &n_lines, &words, &max_words)) {
        return NULL;
    }
    if (words != Py_None && (!PyList_Check(words) || PyList_GET_SIZE(words) != n_lines)) {
        PyErr_SetString(PyExc_ValueError, "line_masks_compact: words must be a list of one number per line");
        return NULL;
    }
    Arr b[3];
    memset(b, 0, sizeof(b));
    if (get_array(o_goto, &b[0], 'h', 2, 0, "goto") < 0 || get_array(o_classes, &b[2], 'B', 1, 0, "classes") < 0) {
        release_arrays(b, 3);
        return NULL;
    }
    if (PyObject_GetBuffer(o_found, &b[1].view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        release_arrays(b, 3);
        return NULL;
    }
    b[1].held = 1;
    const char *f = b[1].view.format ? b[1].view.format : "B";
    f += strspn(f, "=<@");
    if (b[1].view.itemsize != 8 || !(f[0] == 'Q' || f[0] == 'L') || f[1] != '\0') {
        release_arrays(b, 3);
        PyErr_SetString(PyExc_TypeError, "found: expected a contiguous uint64 array");
        return NULL;
    }
    const int16_t *go = b[0].view.buf;
    const unsigned char *classes = b[2].view.buf;
    const uint64_t *found = b[1].view.buf;
    Py_ssize_t n_states = b[1].view.len / 8;
    Py_ssize_t n_classes = n_states ? b[0].view.len / 2 / n_states : 0;
    int ok = n_states > 0 && n_classes > 0 && b[0].view.len / 2 == n_states * n_classes && b[2].view.len == 256 &&
             n_lines >= 1;
    for (int k = 0; k < 256 && ok; k++) {
        ok = classes[k] < n_classes;
    }
    /* the moves are checked as they are taken (each state read is in range before it is used),
       not all of them on every call: the table has tens of thousands */
    if (!ok) {
        release_arrays(b, 3);
        PyErr_SetString(PyExc_ValueError, "line_masks_compact: the automaton's tables do not match");
        return NULL;
    }
    PyObject *out = PyList_New(n_lines);
    if (out == NULL) {
        release_arrays(b, 3);
        return NULL;
    }
    int kind = PyUnicode_KIND(o_data);
    const void *udata = PyUnicode_DATA(o_data);
    Py_ssize_t n = PyUnicode_GET_LENGTH(o_data);
    Py_ssize_t line = 0;
    Py_ssize_t state = 0;
    uint64_t mask = 0;
    const char *error = NULL;
    Py_ssize_t i0 = 0;
    if (words != Py_None) { /* the first line over max_words: not walked */
        double w = PyFloat_AsDouble(PyList_GET_ITEM(words, 0));
        if (w == -1.0 && PyErr_Occurred()) {
            Py_DECREF(out);
            release_arrays(b, 3);
            return NULL;
        }
        if (w > max_words) {
            while (i0 < n && PyUnicode_READ(kind, udata, i0) != '\n') {
                i0++;
            }
        }
    }
    int bad_move = 0;
#define STEP(byte)                                                          \
    do {                                                                    \
        Py_ssize_t next_ = go[state * n_classes + classes[(unsigned char)(byte)]]; \
        bad_move |= next_ < 0 || next_ >= n_states;                         \
        state = bad_move ? 0 : next_;                                       \
        mask |= found[state];                                               \
    } while (0)
    for (Py_ssize_t i = i0; i <= n && !bad_move; i++) {
        Py_UCS4 ch = i == n ? 0 : PyUnicode_READ(kind, udata, i);
        if (i == n || ch == '\n') {
            if (line >= n_lines) {
                error = "line_masks_compact: the text has more lines than n_lines";
                break;
            }
            PyObject *v = PyLong_FromUnsignedLongLong(mask);
            if (v == NULL) {
                Py_DECREF(out);
                release_arrays(b, 3);
                return NULL;
            }
            PyList_SET_ITEM(out, line, v);
            line++;
            mask = 0;
            state = 0;
            if (words != Py_None && line < n_lines) { /* a line over max_words: not walked, mask 0 */
                double w = PyFloat_AsDouble(PyList_GET_ITEM(words, line));
                if (w == -1.0 && PyErr_Occurred()) {
                    Py_DECREF(out);
                    release_arrays(b, 3);
                    return NULL;
                }
                if (w > max_words) {
                    while (i + 1 < n && PyUnicode_READ(kind, udata, i + 1) != '\n') {
                        i++;
                    }
                }
            }
            continue;
        }
        if (ch < 0x80) {
            STEP(ch);
        } else if (ch < 0x800) {
            STEP(0xC0 | (ch >> 6));
            STEP(0x80 | (ch & 0x3F));
        } else if (ch < 0x10000) {
            STEP(0xE0 | (ch >> 12));
            STEP(0x80 | ((ch >> 6) & 0x3F));
            STEP(0x80 | (ch & 0x3F));
        } else {
            STEP(0xF0 | (ch >> 18));
            STEP(0x80 | ((ch >> 12) & 0x3F));
            STEP(0x80 | ((ch >> 6) & 0x3F));
            STEP(0x80 | (ch & 0x3F));
        }
    }
#undef STEP
    if (bad_move) {
        error = "line_masks_compact: the automaton's tables do not match";
    } else if (error == NULL && line != n_lines) {
        error = "line_masks_compact: the text has fewer lines than n_lines";
    }
    release_arrays(b, 3);
    if (error != NULL) {
        Py_DECREF(out); /* items not set are NULL: list_dealloc skips them */
        PyErr_SetString(PyExc_ValueError, error);
        return NULL;
    }
    return out;
}

/* ---- the identifier's sample (thresher.metadata.language.identify) ----------------------------
 *
 * collapsed_prefix(text, limit) -> str
 *   ``" ".join(text.split())[:limit]`` (white space as str.split() sees it, Py_UNICODE_ISSPACE),
 *   reading only as much of ``text`` as that prefix needs.
 */
static PyObject *collapsed_prefix(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "Un", &text, &limit)) {
        return NULL;
    }
    if (limit < 0) {
        PyErr_SetString(PyExc_ValueError, "collapsed_prefix: limit must be >= 0");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t cap = limit < n ? limit : n;
    Py_UCS4 *buf = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(cap ? cap : 1));
    if (buf == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t m = 0;
    int gap = 0; /* white space seen since the last word character written */
    for (Py_ssize_t p = 0; p < n && m < cap; p++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, p);
        if (Py_UNICODE_ISSPACE(ch)) {
            gap = 1;
            continue;
        }
        if (gap && m) {
            buf[m++] = ' ';
            if (m == cap) {
                break;
            }
        }
        gap = 0;
        buf[m++] = ch;
    }
    PyObject *out = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, m);
    PyMem_Free(buf);
    return out;
}

/* ---- the assembled text (thresher.assemble.document.printable) --------------------------------
 *
 * has_unprintable(text) -> bool
 *   Whether ``text`` holds a character of assemble.document's _UNPRINTABLE: C0 controls but tab,
 *   line feed and carriage return, DEL and C1 controls, surrogates, U+FFFE and U+FFFF.
 */
#define SCAN_STRETCH 256 /* characters tested between two looks at the result */

static PyObject *has_unprintable(PyObject *Py_UNUSED(self), PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "has_unprintable: expected a str");
        return NULL;
    }
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    /* as has_chars_in: a stretch at a time, the test without branches */
#define SCAN_UNPRINTABLE(T)                                                                          \
    do {                                                                                             \
        const T *d = (const T *)data;                                                                \
        for (Py_ssize_t p = 0; p < n; p += SCAN_STRETCH) {                                           \
            Py_ssize_t e = n - p < SCAN_STRETCH ? n : p + SCAN_STRETCH;                              \
            uint32_t hit = 0;                                                                        \
            for (Py_ssize_t q = p; q < e; q++) {                                                     \
                uint32_t ch = d[q];                                                                  \
                hit |= (ch < 0x20) & (ch != '\t') & (ch != '\n') & (ch != '\r');                     \
                hit |= (uint32_t)(ch - 0x7f) <= 0x9f - 0x7f;                                         \
                hit |= (uint32_t)(ch - 0xd800) <= 0xdfff - 0xd800;                                   \
                hit |= (uint32_t)(ch - 0xfffe) <= 1;                                                 \
            }                                                                                        \
            if (hit) {                                                                               \
                Py_RETURN_TRUE;                                                                      \
            }                                                                                        \
        }                                                                                            \
    } while (0)
    if (kind == PyUnicode_1BYTE_KIND) {
        SCAN_UNPRINTABLE(Py_UCS1);
    } else if (kind == PyUnicode_2BYTE_KIND) {
        SCAN_UNPRINTABLE(Py_UCS2);
    } else {
        SCAN_UNPRINTABLE(Py_UCS4);
    }
#undef SCAN_UNPRINTABLE
    Py_RETURN_FALSE;
}


/* has_chars_in(text, ranges) -> bool
 *   ranges: a tuple of ints, pairs (lo, hi) of code points.
 * Whether some character of text lies in one of the ranges (lo and hi included): a regular
 * expression's character class search (``re.search("[a-bc-d]", text) is not None``) without the
 * regex engine's cost per character. A text whose kind cannot hold a range's characters (the
 * width str keeps it in) is answered without reading it. */
static PyObject *has_chars_in(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text, *ranges;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyTuple_Type, &ranges)) {
        return NULL;
    }
    Py_ssize_t n_pairs = PyTuple_GET_SIZE(ranges) / 2;
    if (PyTuple_GET_SIZE(ranges) % 2 || n_pairs > 8) {
        PyErr_SetString(PyExc_ValueError, "has_chars_in: expected up to 8 (lo, hi) pairs");
        return NULL;
    }
    Py_UCS4 lo[8], hi[8];
    Py_UCS4 top = PyUnicode_MAX_CHAR_VALUE(text);
    int reachable = 0;
    for (Py_ssize_t k = 0; k < n_pairs; k++) {
        long a = PyLong_AsLong(PyTuple_GET_ITEM(ranges, 2 * k));
        long b = PyLong_AsLong(PyTuple_GET_ITEM(ranges, 2 * k + 1));
        if ((a == -1 || b == -1) && PyErr_Occurred()) {
            return NULL;
        }
        if (a < 0 || b > 0x10ffff || a > b) {
            PyErr_SetString(PyExc_ValueError, "has_chars_in: a range out of the code points");
            return NULL;
        }
        lo[k] = (Py_UCS4)a;
        hi[k] = (Py_UCS4)b;
        reachable |= lo[k] <= top;
    }
    if (!reachable) {
        Py_RETURN_FALSE;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* a stretch of characters at a time, each range's test over it a loop without branches (the
       compiler makes it vector code), per character width */
#define SCAN_RANGES(T)                                                           \
    do {                                                                         \
        const T *d = (const T *)data;                                            \
        for (Py_ssize_t p = 0; p < n; p += SCAN_STRETCH) {                       \
            Py_ssize_t e = n - p < SCAN_STRETCH ? n : p + SCAN_STRETCH;          \
            uint32_t hit = 0;                                                    \
            for (Py_ssize_t k = 0; k < n_pairs; k++) {                           \
                const uint32_t a = lo[k], span = hi[k] - lo[k];                  \
                for (Py_ssize_t q = p; q < e; q++) {                             \
                    hit |= (uint32_t)((uint32_t)d[q] - a) <= span;               \
                }                                                                \
            }                                                                    \
            if (hit) {                                                           \
                Py_RETURN_TRUE;                                                  \
            }                                                                    \
        }                                                                        \
    } while (0)
    if (kind == PyUnicode_1BYTE_KIND) {
        SCAN_RANGES(Py_UCS1);
    } else if (kind == PyUnicode_2BYTE_KIND) {
        SCAN_RANGES(Py_UCS2);
    } else {
        SCAN_RANGES(Py_UCS4);
    }
#undef SCAN_RANGES
    Py_RETURN_FALSE;
}

/* lower(text) -> str or None
 * ``text.lower()`` for a str of one or two bytes a character: ASCII letters through a table, the
 * others through the Unicode database's lower case (Py_UNICODE_TOLOWER, the mapping str.lower()
 * uses for every character but two: U+0130, whose lower case is two characters, and the capital
 * sigma, whose lower case depends on its neighbours). None, for the caller to call str.lower(),
 * for a text holding one of those two or a character beyond the BMP. The result is a str of the
 * narrowest kind its characters fit, as str.lower() makes it. */
static PyObject *lower_text(PyObject *Py_UNUSED(self), PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "lower: expected a str");
        return NULL;
    }
    int kind = PyUnicode_KIND(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    if (kind == PyUnicode_4BYTE_KIND) {
        Py_RETURN_NONE;
    }
    const void *data = PyUnicode_DATA(arg);
    Py_UCS2 *buf = PyMem_Malloc(sizeof(Py_UCS2) * (size_t)(n ? n : 1));
    if (buf == NULL) {
        return PyErr_NoMemory();
    }
    Py_UCS4 top = 0;
    for (Py_ssize_t p = 0; p < n; p++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, p);
        Py_UCS4 low;
        if (ch < 0x80) {
            low = (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch;
        } else if (ch == 0x130 || ch == 0x3a3) {
            PyMem_Free(buf);
            Py_RETURN_NONE;
        } else {
            low = Py_UNICODE_TOLOWER(ch);
            if (low > 0xffff) {
                PyMem_Free(buf);
                Py_RETURN_NONE;
            }
        }
        buf[p] = (Py_UCS2)low;
        top = low > top ? low : top;
    }
    PyObject *out = PyUnicode_New(n, top);
    if (out != NULL) {
        int out_kind = PyUnicode_KIND(out);
        void *out_data = PyUnicode_DATA(out);
        for (Py_ssize_t p = 0; p < n; p++) {
            PyUnicode_WRITE(out_kind, out_data, p, buf[p]);
        }
    }
    PyMem_Free(buf);
    return out;
}

/* text_lines(text) -> (lines, sizes)
 * The paragraphs of a text: ``lines``, every line of ``text.splitlines()`` that is not empty once
 * stripped, stripped (``str.strip()``), in order; ``sizes``, how many of them each paragraph (a run
 * of such lines between lines that are empty once stripped) holds, in order. One pass, and a str
 * made only for the lines kept. */
/* Py_UNICODE_ISLINEBREAK (str.splitlines' breaks: \n \v \f \r \x1c \x1d \x1e \x85 \u2028 \u2029), without
 * its call into the Unicode database for every character */
static inline int is_linebreak(Py_UCS4 ch) {
    if (ch < 0x20) {
        return (ch >= 0x0A && ch <= 0x0D) || (ch >= 0x1C && ch <= 0x1E);
    }
    return ch == 0x85 || ch == 0x2028 || ch == 0x2029;
}

static PyObject *text_lines(PyObject *Py_UNUSED(self), PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "text_lines: expected a str");
        return NULL;
    }
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    PyObject *lines = PyList_New(0);
    PyObject *sizes = PyList_New(0);
    if (lines == NULL || sizes == NULL) {
        goto fail;
    }
    Py_ssize_t run = 0; /* lines in the paragraph being read */
    Py_ssize_t p = 0;
    while (p < n) {
        Py_ssize_t start = p;
        while (p < n && !is_linebreak(PyUnicode_READ(kind, data, p))) {
            p++;
        }
        Py_ssize_t end = p; /* the line is [start, end) */
        if (p < n) {        /* past its line break; \r\n is one */
            Py_UCS4 br = PyUnicode_READ(kind, data, p);
            p++;
            if (br == '\r' && p < n && PyUnicode_READ(kind, data, p) == '\n') {
                p++;
            }
        }
        while (start < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, start))) {
            start++;
        }
        while (end > start && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end - 1))) {
            end--;
        }
        if (start == end) {
            if (run) {
                PyObject *size = PyLong_FromSsize_t(run);
                if (size == NULL || PyList_Append(sizes, size) < 0) {
                    Py_XDECREF(size);
                    goto fail;
                }
                Py_DECREF(size);
                run = 0;
            }
            continue;
        }
        PyObject *line = PyUnicode_Substring(arg, start, end);
        if (line == NULL || PyList_Append(lines, line) < 0) {
            Py_XDECREF(line);
            goto fail;
        }
        Py_DECREF(line);
        run++;
    }
    if (run) {
        PyObject *size = PyLong_FromSsize_t(run);
        if (size == NULL || PyList_Append(sizes, size) < 0) {
            Py_XDECREF(size);
            goto fail;
        }
        Py_DECREF(size);
    }
    PyObject *out = PyTuple_Pack(2, lines, sizes);
    Py_DECREF(lines);
    Py_DECREF(sizes);
    return out;
fail:
    Py_XDECREF(lines);
    Py_XDECREF(sizes);
    return NULL;
}

/* ---- every feature of a document's blocks at once (thresher.segment.text._features) -----------
 *
 * text_features(doc, low, table, vocab, para_of, line_of, lines_in, out) -> list of int, or None
 *   doc: the blocks joined by "\n" (each block stripped and not empty); low: doc.lower(); table:
 *   the class bytes of the BMP; vocab: a text_vocab capsule (stop words, relative-time triggers);
 *   para_of, line_of, lines_in: lists of int, one per block; out: float64 ('d'), one row of
 *   TF_COLUMNS per block (segment.text's FEATURES, in that order).
 * Fills every column but relative_time, html_residue, n_urls and n_emails (left 0: the caller looks
 * for those rare patterns in the few blocks holding their marks) and returns the blocks holding a
 * relative-time trigger word (where the caller runs its patterns). Returns None, with ``out`` in
 * any state, for a document it leaves to the Python code: one with CJK characters (words without
 * spaces, counted apart) or characters beyond the BMP, or whose lower case has another length.
 * Everything else is the Python code's to the bit: the same counts, the same sets of words (as
 * strings, compared character by character), each ratio the division of the same two numbers in
 * double precision. */
enum {
    TF_CHARS, TF_WORDS, TF_CJK, TF_TERMINAL, TF_COLON, TF_TITLE, TF_DIGITS, TF_TIME, TF_RELATIVE, TF_BULLET,
    TF_RESIDUE, TF_URLS, TF_EMAILS, TF_LISTY, TF_REPEATED, TF_POSITION, TF_PARA, TF_PARA_LINES, TF_LINE_IN_PARA,
    TF_CONTENT, TF_RUN_LEN, TF_RUN_TIME, TF_FIT, TF_STOP, TF_COMMA, TF_COLUMNS
};
#define TF_LIST_MAX_CHARS 200 /* segment.text's _LIST_MAX_CHARS */
#define TF_TITLE_MAX_WORDS 60 /* _TITLE_MAX_WORDS */

static inline int tf_terminal_char(Py_UCS4 ch) { /* _TERMINAL_CHARS */
    return ch == '.' || ch == '!' || ch == '?' || ch == 0x2026 || ch == 0x3002 || ch == 0xFF01 || ch == 0xFF1F ||
           ch == 0x061F || ch == 0x0964 || ch == 0x0965 || ch == 0x06D4 || ch == 0x104B || ch == 0x17D4 ||
           ch == 0x17D5 || ch == 0x1362 || ch == 0x1367 || ch == 0x0589 || ch == 0x0F0D || ch == 0x0F0E ||
           ch == 0x1803;
}

#define TF_RUNNING_MIN_CHARS 120 /* segment.text's RUNNING_MIN_CHARS */

static inline int tf_unpunctuated(Py_UCS4 ch) { /* _unpunctuated: Thai, Lao letters and marks */
    return (ch >= 0x0E01 && ch <= 0x0E4F) || (ch >= 0x0E81 && ch <= 0x0EDF);
}

static inline int tf_closing_char(Py_UCS4 ch) { /* _CLOSING_CHARS */
    return ch == '"' || ch == '\'' || ch == 0x201D || ch == 0x2019 || ch == 0xBB || ch == ')' || ch == ']' ||
           ch == 0x300F || ch == 0x300D;
}

static inline int tf_bullet_mark(Py_UCS4 ch) { /* the marks of _BULLET_RE */
    return ch == '-' || ch == '*' || ch == 0x2022 || ch == 0xB7 || ch == 0x25AA || ch == 0x25BA || ch == 0x25B8 ||
           ch == 0xBB || ch == 0x2013 || ch == 0x2014;
}

static inline int tf_re_word(Py_UCS4 ch) { /* re's \w */
    return Py_UNICODE_ISALNUM(ch) || ch == '_';
}

/* is_terminal's pattern over the last 12 characters of (kind, data)[a:b] (stripped, not empty, its
 * last character a closing mark): a full stop followed by closing marks only */
static int tf_closed_stop(int kind, const void *data, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t lo = b - 12 > a ? b - 12 : a;
    Py_ssize_t j = b - 1;
    while (j >= lo && tf_closing_char(PyUnicode_READ(kind, data, j))) {
        j--;
    }
    return j >= lo && tf_terminal_char(PyUnicode_READ(kind, data, j));
}

/* the block (kind, data)[a:b] (stripped, not empty) ends like a sentence: segment.text's test
 * ``t[-1] in _TERMINAL_CHARS or (t[-1] in _CLOSING_CHARS and is_terminal(t))`` or a long line ending in
 * a Thai or Lao letter (ends_running_text); is_terminal's
 * pattern, over the last 12 characters, wants a full stop followed by closing marks only */
static int tf_terminal(int kind, const void *data, Py_ssize_t a, Py_ssize_t b) {
    Py_UCS4 last = PyUnicode_READ(kind, data, b - 1);
    if (tf_terminal_char(last)) {
        return 1;
    }
    if (!tf_closing_char(last)) {
        return b - a >= TF_RUNNING_MIN_CHARS && tf_unpunctuated(last); /* long running text, Thai or Lao */
    }
    return tf_closed_stop(kind, data, a, b);
}

/* _ends_sentence of the block (kind, data)[a:b] (stripped, not empty): tf_terminal without its long
 * running text */
static int tf_ends_sentence(int kind, const void *data, Py_ssize_t a, Py_ssize_t b) {
    Py_UCS4 last = PyUnicode_READ(kind, data, b - 1);
    return tf_terminal_char(last) || (tf_closing_char(last) && tf_closed_stop(kind, data, a, b));
}

/* _TIME_RE.match and _BULLET_RE.match of the block (kind, data)[a:b], which starts with no white
 * space (re's \d is a decimal digit, \s white space as str.isspace() sees it, \w alnum or "_") */
static void tf_marks(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, int *timed, int *bullet) {
#define AT(k) ((a) + (k) < (b) ? PyUnicode_READ(kind, data, (a) + (k)) : (Py_UCS4)0)
    Py_UCS4 c0 = AT(0);
    *timed = *bullet = 0;
    /* ^\s*\[?\d{1,2}:\d{2}\b */
    Py_ssize_t p = c0 == '[' ? 1 : 0;
    if (Py_UNICODE_ISDECIMAL(AT(p))) {
        Py_ssize_t q = Py_UNICODE_ISDECIMAL(AT(p + 1)) ? p + 2 : p + 1;
        if (AT(q) == ':' && Py_UNICODE_ISDECIMAL(AT(q + 1)) && Py_UNICODE_ISDECIMAL(AT(q + 2)) &&
            (a + q + 3 >= b || !tf_re_word(AT(q + 3)))) {
            *timed = 1;
        }
    }
    /* ^\s*(?:[-*•·▪►▸»–—]|\d{1,2}[.)])\s+ */
    if (tf_bullet_mark(c0)) {
        *bullet = a + 1 < b && Py_UNICODE_ISSPACE(AT(1));
    } else if (Py_UNICODE_ISDECIMAL(c0)) {
        Py_ssize_t q = Py_UNICODE_ISDECIMAL(AT(1)) ? 2 : 1;
        *bullet = (AT(q) == '.' || AT(q) == ')') && a + q + 1 < b && Py_UNICODE_ISSPACE(AT(q + 1));
    }
#undef AT
}

/* ---- paragraphs to blocks (thresher.segment.text.segment_text) ---------------------------------
 *
 * text_blocks(lines, sizes, paragraph, line) -> (texts, kinds, para_of, line_of, lines_in)
 *   lines: the stripped non-empty lines of a text, sizes: how many of them each paragraph holds
 *   (paragraph_lines' two lists); paragraph, line: the two kind names. A paragraph of one line, or
 *   of hard-wrapped prose (_is_wrapped_prose), is one block (its lines joined by spaces, kind
 *   ``paragraph``); any other paragraph is one block a line (kind ``line``). The lists are
 *   segment_text's, made without a Python loop over the paragraphs.
 */

/* _is_wrapped_prose of the n lines items[0:n] (str, stripped, not empty) */
static int wrapped_prose(PyObject *const *items, Py_ssize_t n) {
    Py_ssize_t longest = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t len = PyUnicode_GET_LENGTH(items[k]);
        longest = len > longest ? len : longest;
    }
    if (longest < 30) {
        return 0;
    }
    for (Py_ssize_t k = 0; k < n; k++) { /* a line with a leading time stamp or a bullet: no prose */
        int timed, bullet;
        tf_marks(PyUnicode_KIND(items[k]), PyUnicode_DATA(items[k]), 0, PyUnicode_GET_LENGTH(items[k]), &timed,
                 &bullet);
        if (timed || bullet) {
            return 0;
        }
    }
    const double need = 0.5 * (double)(n - 1), long_enough = 0.6 * (double)longest;
    Py_ssize_t breaks = 0, left = n - 1;
    for (Py_ssize_t k = 0; k + 1 < n; k++) {
        PyObject *line = items[k], *next = items[k + 1];
        int kind = PyUnicode_KIND(line);
        const void *data = PyUnicode_DATA(line);
        Py_ssize_t len = PyUnicode_GET_LENGTH(line);
        Py_UCS4 last = PyUnicode_READ(kind, data, len - 1);
        Py_UCS4 first = PyUnicode_READ_CHAR(next, 0);
        left--;
        if ((double)len >= long_enough && !tf_ends_sentence(kind, data, 0, len) && last != ':' && last != 0xFF1A &&
            (Py_UNICODE_ISLOWER(first) || last == ',' || last == ';' || last == '-' || last == 0x2013 ||
             last == 0x2014 || first == '(' || first == '"' || first == '\'' || first == 0x201C || first == 0x2018)) {
            breaks++;
            if ((double)breaks >= need) {
                return 1;
            }
        } else if ((double)(breaks + left) < need) { /* the breaks still possible cannot make it */
            return 0;
        }
    }
    return (double)breaks >= need;
}

static PyObject *text_blocks(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *lines, *sizes, *paragraph, *line_kind;
    if (!PyArg_ParseTuple(args, "O!O!UU", &PyList_Type, &lines, &PyList_Type, &sizes, &paragraph, &line_kind)) {
        return NULL;
    }
    Py_ssize_t n_lines = PyList_GET_SIZE(lines), n_paras = PyList_GET_SIZE(sizes), total = 0;
    for (Py_ssize_t p = 0; p < n_paras; p++) {
        Py_ssize_t size = PyLong_AsSsize_t(PyList_GET_ITEM(sizes, p));
        if (size == -1 && PyErr_Occurred()) {
            return NULL;
        }
        if (size < 1 || size > n_lines - total) {
            PyErr_SetString(PyExc_ValueError, "text_blocks: the sizes do not add up to the lines");
            return NULL;
        }
        total += size;
    }
    if (total != n_lines) {
        PyErr_SetString(PyExc_ValueError, "text_blocks: the sizes do not add up to the lines");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n_lines; k++) {
        PyObject *item = PyList_GET_ITEM(lines, k);
        if (!PyUnicode_Check(item) || PyUnicode_GET_LENGTH(item) == 0) {
            PyErr_SetString(PyExc_ValueError, "text_blocks: lines must be non-empty str");
            return NULL;
        }
    }
    PyObject *out[5] = {PyList_New(0), PyList_New(0), PyList_New(0), PyList_New(0), PyList_New(0)};
    PyObject *space = PyUnicode_FromOrdinal(' ');
    int ok = space != NULL;
    for (int k = 0; k < 5; k++) {
        ok &= out[k] != NULL;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t p = 0; p < n_paras && ok; p++) {
        Py_ssize_t size = PyLong_AsSsize_t(PyList_GET_ITEM(sizes, p));
        PyObject *const *items = &PyList_GET_ITEM(lines, at);
        PyObject *para_id = PyLong_FromSsize_t(p), *n_in = PyLong_FromSsize_t(size);
        ok = para_id != NULL && n_in != NULL;
        if (ok && (size == 1 || wrapped_prose(items, size))) {
            PyObject *slice = PyList_GetSlice(lines, at, at + size);
            PyObject *text = slice != NULL ? PyUnicode_Join(space, slice) : NULL;
            PyObject *zero = PyLong_FromLong(0);
            ok = text != NULL && zero != NULL && PyList_Append(out[0], text) == 0 &&
                 PyList_Append(out[1], paragraph) == 0 && PyList_Append(out[2], para_id) == 0 &&
                 PyList_Append(out[3], zero) == 0 && PyList_Append(out[4], n_in) == 0;
            Py_XDECREF(slice);
            Py_XDECREF(text);
            Py_XDECREF(zero);
        } else {
            for (Py_ssize_t i = 0; i < size && ok; i++) {
                PyObject *index = PyLong_FromSsize_t(i);
                ok = index != NULL && PyList_Append(out[0], items[i]) == 0 &&
                     PyList_Append(out[1], line_kind) == 0 && PyList_Append(out[2], para_id) == 0 &&
                     PyList_Append(out[3], index) == 0 && PyList_Append(out[4], n_in) == 0;
                Py_XDECREF(index);
            }
        }
        Py_XDECREF(para_id);
        Py_XDECREF(n_in);
        at += size;
    }
    Py_XDECREF(space);
    PyObject *result = ok ? PyTuple_Pack(5, out[0], out[1], out[2], out[3], out[4]) : NULL;
    for (int k = 0; k < 5; k++) {
        Py_XDECREF(out[k]);
    }
    return result;
}

/* Strings by content (a document's distinct words, its blocks' normal forms): entry e is
 * pool[off[e]:off[e] + len[e]]; each slot holds an entry index + 1 (0: empty). */
typedef struct {
    uint32_t *slots;
    uint64_t *hash;
    Py_ssize_t *off, *len;
    Py_UCS4 *pool;
    size_t mask;
    Py_ssize_t n, pool_at;
} StrTable;

/* room for ``capacity`` strings of ``chars`` characters in all; 0 or -1 (no memory) */
static int strtable_init(StrTable *t, Py_ssize_t capacity, Py_ssize_t chars) {
    size_t size = 16;
    while (size < (size_t)capacity * 2 + 2) {
        size <<= 1;
    }
    t->mask = size - 1;
    t->slots = PyMem_Calloc(size, sizeof(uint32_t));
    t->hash = PyMem_Malloc(sizeof(uint64_t) * (size_t)(capacity + 1));
    t->off = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(capacity + 1));
    t->len = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(capacity + 1));
    t->pool = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(chars + 1));
    return t->slots && t->hash && t->off && t->len && t->pool ? 0 : -1;
}

static void strtable_free(StrTable *t) {
    PyMem_Free(t->slots);
    PyMem_Free(t->hash);
    PyMem_Free(t->off);
    PyMem_Free(t->len);
    PyMem_Free(t->pool);
}

/* the entry equal to (kind, data)[a:a+len] (hash h), added (copied into the pool) when new; the
 * caller sizes the table for every string it adds */
static Py_ssize_t strtable_intern(StrTable *t, int kind, const void *data, Py_ssize_t a, Py_ssize_t len, uint64_t h) {
    size_t at = (size_t)h & t->mask;
    for (;;) {
        uint32_t slot = t->slots[at];
        if (slot == 0) {
            break;
        }
        Py_ssize_t e = (Py_ssize_t)slot - 1;
        if (t->hash[e] == h && t->len[e] == len) {
            const Py_UCS4 *w = t->pool + t->off[e];
            Py_ssize_t k = 0;
            while (k < len && w[k] == PyUnicode_READ(kind, data, a + k)) {
                k++;
            }
            if (k == len) {
                return e;
            }
        }
        at = (at + 1) & t->mask;
    }
    Py_ssize_t e = t->n++;
    t->hash[e] = h;
    t->off[e] = t->pool_at;
    t->len[e] = len;
    for (Py_ssize_t k = 0; k < len; k++) {
        t->pool[t->pool_at++] = PyUnicode_READ(kind, data, a + k);
    }
    t->slots[at] = (uint32_t)(e + 1);
    return e;
}

static int tf_ints(PyObject *list, Py_ssize_t n, double *out, int column, const char *name) {
    if (!PyList_Check(list) || PyList_GET_SIZE(list) != n) {
        PyErr_Format(PyExc_ValueError, "text_features: %s must be a list of one int per block", name);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        long v = PyLong_AsLong(PyList_GET_ITEM(list, i));
        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
        out[i * TF_COLUMNS + column] = (double)v;
    }
    return 0;
}

static PyObject *text_features(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *doc, *low, *o_table, *capsule, *o_para, *o_line, *o_lines, *o_out;
    if (!PyArg_ParseTuple(args, "UUOOOOOO", &doc, &low, &o_table, &capsule, &o_para, &o_line, &o_lines, &o_out)) {
        return NULL;
    }
    const Vocab *vocab = PyCapsule_GetPointer(capsule, "thresher.text_vocab");
    if (vocab == NULL) {
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(doc);
    if (PyUnicode_GET_LENGTH(low) != n || PyUnicode_MAX_CHAR_VALUE(doc) > 0xFFFF ||
        PyUnicode_MAX_CHAR_VALUE(low) > 0xFFFF) {
        Py_RETURN_NONE; /* the Python code's cases */
    }
    Arr b[2];
    memset(b, 0, sizeof(b));
    if (get_table(o_table, &b[0]) < 0 || get_array(o_out, &b[1], 'd', 8, 1, "out") < 0) {
        release_arrays(b, 2);
        return NULL;
    }
    const unsigned char *table = (const unsigned char *)b[0].view.buf;
    double *out = (double *)b[1].view.buf;
    /* both texts as UCS4 (one copy each): the loops below read one kind of array */
    Py_UCS4 *data = PyUnicode_AsUCS4Copy(doc), *ldata = data ? PyUnicode_AsUCS4Copy(low) : NULL;
    if (ldata == NULL) {
        PyMem_Free(data);
        release_arrays(b, 2);
        return NULL;
    }
    const int kind = PyUnicode_4BYTE_KIND, lkind = PyUnicode_4BYTE_KIND;
    Py_ssize_t n_blocks = 1;
    for (Py_ssize_t p = 0; p < n; p++) {
        n_blocks += data[p] == '\n';
    }
    if (b[1].view.len / 8 != n_blocks * TF_COLUMNS) {
        PyMem_Free(data);
        PyMem_Free(ldata);
        release_arrays(b, 2);
        PyErr_SetString(PyExc_ValueError, "text_features: out must have one row per block");
        return NULL;
    }
    PyObject *result = NULL;
    int fallback = 0;
    Py_ssize_t max_words = n / 4 + 2; /* a content word: 3+ letters and a character after it (or the end) */
    Py_ssize_t *tok_at = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n_blocks + 1)); /* the block's ids */
    Py_ssize_t *ids = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)max_words);         /* distinct per block */
    Py_ssize_t *last = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)max_words);        /* block that had it */
    unsigned char *hits = PyMem_Calloc((size_t)max_words, 1);                        /* body blocks, up to 2 */
    Py_ssize_t *key = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)n_blocks);          /* normal form, -1 none */
    Py_ssize_t *key_count = PyMem_Calloc((size_t)n_blocks, sizeof(Py_ssize_t));
    Py_UCS4 *norm = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(n + 1));
    char *body = PyMem_Calloc((size_t)n_blocks, 1);
    StrTable words, norms;
    memset(&words, 0, sizeof(words));
    memset(&norms, 0, sizeof(norms));
    if (!tok_at || !ids || !last || !hits || !key || !key_count || !norm || !body ||
        strtable_init(&words, max_words, n) < 0 || strtable_init(&norms, n_blocks, n) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    memset(out, 0, sizeof(double) * (size_t)(n_blocks * TF_COLUMNS));
    if (tf_ints(o_para, n_blocks, out, TF_PARA, "para_of") < 0 ||
        tf_ints(o_line, n_blocks, out, TF_LINE_IN_PARA, "line_of") < 0 ||
        tf_ints(o_lines, n_blocks, out, TF_PARA_LINES, "lines_in") < 0) {
        goto done;
    }
    for (Py_ssize_t k = 0; k < max_words; k++) {
        last[k] = -1;
    }
    PyObject *triggered = PyList_New(0);
    if (triggered == NULL) {
        goto done;
    }
    Py_ssize_t n_ids = 0;
    Py_ssize_t a = 0;
    for (Py_ssize_t i = 0; i < n_blocks && !fallback; i++) {
        Py_ssize_t e = a;
        while (e < n && data[e] != '\n') {
            e++;
        }
        if (e == a) {
            Py_DECREF(triggered);
            PyErr_SetString(PyExc_ValueError, "text_features: a block is empty");
            goto done;
        }
        double *row = out + i * TF_COLUMNS;
        long tokens = 0, upper = 0, lower = 0, digits = 0, commas = 0, n_letter = 0, n_stop = 0;
        int hit = 0, prev = C_SPACE, in_run = 0;
        Py_ssize_t w0 = -1, nb = 0;
        uint64_t wh = FNV_OFFSET, nh = FNV_OFFSET;
        int is_long = e - a > TF_LIST_MAX_CHARS; /* its text, not its normal form, is its key */
        tok_at[i] = n_ids;
        for (Py_ssize_t p = a; p <= e; p++) {
            int c = 0;
            Py_UCS4 lch = 0;
            if (p < e) {
                Py_UCS4 ch = data[p];
                lch = ldata[p];
                c = table[ch];
                if (c & C_CJK) {
                    fallback = 1;
                    break;
                }
                if (!(c & C_SPACE) && (prev & C_SPACE)) {
                    tokens++;
                }
                if ((c & C_LETTER) && !(prev & C_LETTER)) {
                    upper += (c & C_UPPER) != 0;
                    lower += (c & C_LOWER) != 0;
                }
                digits += (c & C_DIGIT) != 0;
                commas += ch == ',' || ch == 0xFF0C || ch == 0x3001 || ch == 0x060C;
                prev = c;
            }
            /* the normal form: the word-character runs of the lower case, one space between two */
            if (is_long) {
                /* no normal form */
            } else if (c & C_WORD) {
                if (!in_run && nb) {
                    norm[nb++] = ' ';
                    nh = fnv_step(nh, ' ');
                }
                in_run = 1;
                norm[nb++] = lch;
                nh = fnv_step(nh, lch);
            } else {
                in_run = 0;
            }
            /* letter words: stop words, triggers, content words (3+ letters, no stop word) */
            if (c & C_LETTER) {
                if (w0 < 0) {
                    w0 = p;
                    wh = FNV_OFFSET;
                }
                wh = fnv_step(wh, lch);
                continue;
            }
            if (w0 < 0) {
                continue;
            }
            const VocabEntry *ve = vocab_find(vocab, wh, lkind, ldata, w0, p);
            int flags = ve != NULL ? ve->flags : 0;
            n_letter++;
            n_stop += (flags & VOCAB_STOP) != 0;
            hit |= (flags & VOCAB_TRIGGER) != 0;
            if (!(flags & VOCAB_STOP) && p - w0 > 2) {
                Py_ssize_t id = strtable_intern(&words, lkind, ldata, w0, p - w0, wh);
                if (last[id] != i) {
                    last[id] = i;
                    ids[n_ids++] = id;
                }
            }
            w0 = -1;
        }
        if (fallback) {
            break;
        }
        Py_ssize_t len = e - a;
        double chars = (double)len; /* at least 1 */
        double words_f = (double)tokens;
        int terminal = tf_terminal(kind, data, a, e);
        int timed = 0, bullet = 0;
        Py_UCS4 first = data[a];
        if (first == '[' || tf_bullet_mark(first) || Py_UNICODE_ISDECIMAL(first)) {
            tf_marks(kind, data, a, e, &timed, &bullet);
        }
        Py_UCS4 lastc = data[e - 1];
        row[TF_CHARS] = chars;
        row[TF_WORDS] = words_f;
        row[TF_CJK] = 0.0 / chars;
        row[TF_TERMINAL] = terminal;
        row[TF_COLON] = lastc == ':' || lastc == 0xFF1A;
        row[TF_TITLE] = upper + lower > 0 && words_f <= TF_TITLE_MAX_WORDS ? (double)upper / (double)(upper + lower)
                                                                          : 0.0;
        row[TF_DIGITS] = (double)digits / chars;
        row[TF_TIME] = timed;
        row[TF_BULLET] = bullet;
        row[TF_LISTY] = timed || (!terminal && len <= TF_LIST_MAX_CHARS);
        row[TF_CONTENT] = (double)(n_ids - tok_at[i]);
        row[TF_STOP] = (double)n_stop / (n_letter >= 1 ? (double)n_letter : 1.0);
        row[TF_COMMA] = (double)commas / (words_f >= 1.0 ? words_f : 1.0);
        /* repetition: the normal form, or the text itself for a long block */
        if (is_long) { /* hashed by its length and ends (the table compares whole texts) */
            uint64_t h = fnv_step(FNV_OFFSET, (Py_UCS4)len);
            for (Py_ssize_t k = 0; k < 16; k++) {
                h = fnv_step(fnv_step(h, data[a + k]), data[e - 1 - k]);
            }
            key[i] = strtable_intern(&norms, kind, data, a, len, h);
        } else if (nb) {
            key[i] = strtable_intern(&norms, PyUnicode_4BYTE_KIND, norm, 0, nb, nh);
        } else {
            key[i] = -1;
        }
        if (key[i] >= 0) {
            key_count[key[i]]++;
        }
        if (hit) {
            PyObject *v = PyLong_FromSsize_t(i);
            if (v == NULL || PyList_Append(triggered, v) < 0) {
                Py_XDECREF(v);
                Py_DECREF(triggered);
                goto done;
            }
            Py_DECREF(v);
        }
        a = e + 1;
    }
    if (fallback) {
        Py_DECREF(triggered);
        goto done;
    }
    tok_at[n_blocks] = n_ids;
    /* repeated, position, runs of listy blocks */
    Py_ssize_t last_block = n_blocks - 1 > 1 ? n_blocks - 1 : 1;
    for (Py_ssize_t i = 0; i < n_blocks; i++) {
        double *row = out + i * TF_COLUMNS;
        row[TF_REPEATED] = key[i] >= 0 ? (double)(key_count[key[i]] - 1) : 0.0;
        row[TF_POSITION] = (double)i / (double)last_block;
    }
    for (Py_ssize_t i = 0; i < n_blocks;) {
        if (out[i * TF_COLUMNS + TF_LISTY] == 0.0) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        long timed = 0;
        while (j < n_blocks && out[j * TF_COLUMNS + TF_LISTY] != 0.0) {
            timed += out[j * TF_COLUMNS + TF_TIME] != 0.0;
            j++;
        }
        double size = (double)(j - i);
        for (Py_ssize_t k = i; k < j; k++) {
            out[k * TF_COLUMNS + TF_RUN_LEN] = size;
            out[k * TF_COLUMNS + TF_RUN_TIME] = (double)timed / size;
        }
        i = j;
    }
    /* topic fit: the body is the long prose blocks, or else the three longest blocks of 12+ words */
    int any_body = 0;
    for (Py_ssize_t i = 0; i < n_blocks; i++) {
        const double *row = out + i * TF_COLUMNS;
        body[i] = row[TF_TERMINAL] != 0.0 && row[TF_WORDS] >= 25 && row[TF_TIME] == 0.0;
        any_body |= body[i];
    }
    if (!any_body) {
        Py_ssize_t ranked[3];
        int n_ranked = 0;
        for (int r = 0; r < 3 && r < n_blocks; r++) { /* the longest, the first of equally long ones */
            Py_ssize_t best = -1;
            for (Py_ssize_t i = 0; i < n_blocks; i++) {
                int taken = 0;
                for (int s = 0; s < n_ranked; s++) {
                    taken |= ranked[s] == i;
                }
                if (!taken && (best < 0 || out[i * TF_COLUMNS + TF_CHARS] > out[best * TF_COLUMNS + TF_CHARS])) {
                    best = i;
                }
            }
            ranked[n_ranked++] = best;
        }
        for (int s = 0; s < n_ranked; s++) {
            body[ranked[s]] = out[ranked[s] * TF_COLUMNS + TF_WORDS] >= 12;
        }
    }
    int any_word = 0;
    for (Py_ssize_t i = 0; i < n_blocks; i++) {
        if (body[i]) {
            for (Py_ssize_t k = tok_at[i]; k < tok_at[i + 1]; k++) {
                hits[ids[k]] += hits[ids[k]] < 2;
                any_word = 1;
            }
        }
    }
    for (Py_ssize_t i = 0; i < n_blocks; i++) {
        Py_ssize_t count = tok_at[i + 1] - tok_at[i];
        double fit = 0.5;
        if (any_word && count >= 2) {
            int need = body[i] ? 2 : 1; /* a body block's words count when another body block has them */
            Py_ssize_t found = 0;
            for (Py_ssize_t k = tok_at[i]; k < tok_at[i + 1]; k++) {
                found += hits[ids[k]] >= need;
            }
            fit = (double)found / (double)count;
        }
        out[i * TF_COLUMNS + TF_FIT] = fit;
    }
    result = triggered;
done:
    strtable_free(&words);
    strtable_free(&norms);
    PyMem_Free(tok_at);
    PyMem_Free(ids);
    PyMem_Free(last);
    PyMem_Free(hits);
    PyMem_Free(key);
    PyMem_Free(key_count);
    PyMem_Free(norm);
    PyMem_Free(body);
    PyMem_Free(data);
    PyMem_Free(ldata);
    release_arrays(b, 2);
    if (result == NULL && fallback && !PyErr_Occurred()) {
        Py_RETURN_NONE;
    }
    return result;
}

/* ---- instances of a slotted class without its __init__ (thresher.segment.text, classify) -------
 *
 * new_slotted(cls, n, columns, shared) -> list of n new instances of ``cls``
 *   columns: {field name: list of n values}; shared: {field name: one value for every instance}.
 * Every field is a slot of ``cls`` (a member descriptor holding an object, in ``cls.__dict__``),
 * and the two dicts must name each of the class's slots once: an instance is what its __init__
 * makes when that __init__ only stores its arguments (frozen dataclasses with slots and no
 * __post_init__ — the callers check that), at a fraction of the cost (a frozen dataclass sets each
 * field through object.__setattr__).
 */
static PyObject *new_slotted(PyObject *Py_UNUSED(self), PyObject *args) {
    PyTypeObject *cls;
    Py_ssize_t n;
    PyObject *columns, *shared;
    if (!PyArg_ParseTuple(args, "O!nO!O!", &PyType_Type, &cls, &n, &PyDict_Type, &columns, &PyDict_Type, &shared)) {
        return NULL;
    }
    PyObject *slots = PyDict_GetItemString(cls->tp_dict, "__slots__");
    if (slots == NULL || !PyTuple_Check(slots) || n < 0) {
        PyErr_SetString(PyExc_TypeError, "new_slotted: expected a class with a tuple of __slots__ and n >= 0");
        return NULL;
    }
    Py_ssize_t n_slots = PyTuple_GET_SIZE(slots);
    if (PyDict_GET_SIZE(columns) + PyDict_GET_SIZE(shared) != n_slots || n_slots > 32 ||
        cls->tp_alloc == NULL || cls->tp_itemsize != 0) {
        PyErr_SetString(PyExc_ValueError, "new_slotted: columns and shared must name each slot once");
        return NULL;
    }
    Py_ssize_t offset[32];
    PyObject *source[32];
    int is_column[32];
    for (Py_ssize_t k = 0; k < n_slots; k++) {
        PyObject *name = PyTuple_GET_ITEM(slots, k);
        PyObject *descr = PyDict_GetItemWithError(cls->tp_dict, name);
        if (descr == NULL || Py_TYPE(descr) != &PyMemberDescr_Type ||
            ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX ||
            (((PyMemberDescrObject *)descr)->d_member->flags & READONLY)) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "new_slotted: a slot is no writable object member");
            }
            return NULL;
        }
        offset[k] = ((PyMemberDescrObject *)descr)->d_member->offset;
        if (offset[k] < (Py_ssize_t)sizeof(PyObject) || offset[k] + (Py_ssize_t)sizeof(PyObject *) > cls->tp_basicsize) {
            PyErr_SetString(PyExc_TypeError, "new_slotted: a slot lies outside the instance");
            return NULL;
        }
        PyObject *v = PyDict_GetItemWithError(columns, name);
        is_column[k] = v != NULL;
        if (v == NULL && !PyErr_Occurred()) {
            v = PyDict_GetItemWithError(shared, name);
        }
        if (v == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError, "new_slotted: no value for slot %R", name);
            }
            return NULL;
        }
        if (is_column[k] && (!PyList_Check(v) || PyList_GET_SIZE(v) != n)) {
            PyErr_Format(PyExc_ValueError, "new_slotted: column %R must be a list of n values", name);
            return NULL;
        }
        source[k] = v;
    }
    PyObject *out = PyList_New(n);
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *obj = cls->tp_alloc(cls, 0);
        if (obj == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        for (Py_ssize_t k = 0; k < n_slots; k++) {
            PyObject *v = is_column[k] ? PyList_GET_ITEM(source[k], i) : source[k];
            Py_INCREF(v);
            *(PyObject **)((char *)obj + offset[k]) = v;
        }
        PyList_SET_ITEM(out, i, obj);
    }
    return out;
}

/* ---- which lines a line rule may catch (thresher.classify.text_rules) ---------------------------
 *
 * word_flags(sets) -> capsule: a word table (text_vocab's) where a word's flags have bit k set
 * when it is in sets[k] (at most 8 sets).
 *
 * text_line_gate(doc, low, values, table, words, always, unsafe) -> (candidates, offtopic, titled)
 *   doc: the blocks joined by "\n", one block a line; low: doc.lower() (candidates is None when its
 *   length differs); values: float64, the blocks' feature table (segment.text's FEATURES,
 *   TF_COLUMNS a row); table: the class bytes of the BMP (segment.text); words:
 *   a word_flags capsule of four sets: the first words of the prefix phrases (promo, byline,
 *   contact, dateline), the call-to-action keys, the words of the stock boilerplate lines, the words
 *   of the share phrases; always: bits of those four lists that hold a phrase without a word (a
 *   line may match it whatever its words); unsafe: the characters whose case folding is not their
 *   lower case (text_rules' _FOLD_THEN).
 * The blocks the line rules (text_rules._line_rule) may catch — every block they catch is among
 * them, but the ones whose legal or stock trigger the caller finds on its own: HTML residue and
 * tickers (from the features); up to 40 words, a first word (after up to three non-word characters)
 * a prefix list starts with; up to 5 words a call-to-action key, up to 6 a word of a stock line, up
 * to 10 a word of a share phrase, anywhere in the line; up to 8 words with a relative time stamp;
 * and, up to 40 words, every line whose case folding is not its lower case or whose word
 * characters (\w: alnum or "_") change with its case, where the words are looked up as the rules
 * see them only in the Python code. offtopic and titled: text_rules._headline_runs, lists of bool.
 */
#define GATE_HEAD 1
#define GATE_CTA 2
#define GATE_STOCK 4
#define GATE_SHARE 8

/* the gate's word table has a capsule name of its own, so a stop-word table is never taken for it */
static void gate_free(PyObject *capsule) {
    vocab_release(PyCapsule_GetPointer(capsule, "thresher.text_gate"));
}

static PyObject *word_flags(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *sets;
    if (!PyArg_ParseTuple(args, "O!", &PyTuple_Type, &sets)) {
        return NULL;
    }
    Py_ssize_t n_sets = PyTuple_GET_SIZE(sets);
    if (n_sets > 8) {
        PyErr_SetString(PyExc_ValueError, "word_flags: at most 8 sets");
        return NULL;
    }
    Py_ssize_t n = 0, chars = 0;
    for (Py_ssize_t s = 0; s < n_sets; s++) {
        PyObject *set = PyTuple_GET_ITEM(sets, s);
        if (!PyAnySet_Check(set)) {
            PyErr_SetString(PyExc_TypeError, "word_flags: expected a tuple of sets");
            return NULL;
        }
        n += PySet_GET_SIZE(set);
        PyObject *it = PyObject_GetIter(set), *key; /* the public iteration (no private set API) */
        if (it == NULL) {
            return NULL;
        }
        while ((key = PyIter_Next(it)) != NULL) {
            int is_str = PyUnicode_Check(key);
            if (is_str) {
                chars += PyUnicode_GET_LENGTH(key);
            }
            Py_DECREF(key);
            if (!is_str) {
                Py_DECREF(it);
                PyErr_SetString(PyExc_TypeError, "word_flags: the sets must hold str only");
                return NULL;
            }
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) {
            return NULL;
        }
    }
    size_t size = 16;
    while (size < (size_t)n * 2 + 2) {
        size <<= 1;
    }
    Vocab *v = vocab_new(size, chars);
    if (v == NULL) {
        return NULL;
    }
    Py_ssize_t pool_at = 0;
    for (Py_ssize_t s = 0; s < n_sets; s++) {
        if (vocab_add_set(v, PyTuple_GET_ITEM(sets, s), 1 << s, &pool_at) < 0) {
            vocab_release(v);
            return NULL;
        }
    }
    PyObject *capsule = PyCapsule_New(v, "thresher.text_gate", gate_free);
    if (capsule == NULL) {
        vocab_release(v);
    }
    return capsule;
}

/* where each of the n_rows lines of (kind, data)[:n] starts (n_rows + 1 entries, the last n + 1);
 * NULL with ValueError when the text has another number of lines, or MemoryError */
static Py_ssize_t *line_starts(int kind, const void *data, Py_ssize_t n, Py_ssize_t n_rows, const char *name) {
    Py_ssize_t *starts = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n_rows + 2));
    if (starts == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    Py_ssize_t i = 0;
    starts[0] = 0;
    if (kind == PyUnicode_1BYTE_KIND) {
        const char *p = data, *end = (const char *)data + n;
        const char *q;
        while ((q = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            if (++i >= n_rows) {
                break;
            }
            starts[i] = q - (const char *)data + 1;
            p = q + 1;
        }
    } else {
        for (Py_ssize_t k = 0; k < n && i < n_rows; k++) {
            if (PyUnicode_READ(kind, data, k) == '\n') {
                if (++i >= n_rows) {
                    break;
                }
                starts[i] = k + 1;
            }
        }
    }
    if (n_rows < 1 || i + 1 != n_rows) {
        PyMem_Free(starts);
        PyErr_Format(PyExc_ValueError, "%s: the text's lines do not match the rows", name);
        return NULL;
    }
    starts[n_rows] = n + 1;
    return starts;
}

/* the line (kind, data)[a:e] holds " | " or a tab (a table row, for text_rules' headline test) */
static int has_cells(int kind, const void *data, Py_ssize_t a, Py_ssize_t e) {
    if (kind == PyUnicode_1BYTE_KIND) {
        const char *s = (const char *)data + a;
        Py_ssize_t len = e - a;
        if (memchr(s, '\t', (size_t)len) != NULL) {
            return 1;
        }
        const char *p = s;
        while ((p = memchr(p, '|', (size_t)(s + len - p))) != NULL) {
            if (p > s && p + 1 < s + len && p[-1] == ' ' && p[1] == ' ') {
                return 1;
            }
            p++;
        }
        return 0;
    }
    for (Py_ssize_t k = a; k < e; k++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, k);
        if (ch == '\t' || (ch == '|' && k > a && k + 1 < e && PyUnicode_READ(kind, data, k - 1) == ' ' &&
                           PyUnicode_READ(kind, data, k + 1) == ' ')) {
            return 1;
        }
    }
    return 0;
}

/* re's \w (alnum or "_"), from the class table for the BMP */
static inline int word_char(Py_UCS4 ch, const unsigned char *table) {
    return ch < 0x10000 ? (table[ch] & C_WORD) != 0 || ch == '_' : tf_re_word(ch);
}

static PyObject *text_line_gate(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *doc, *low, *o_values, *o_table, *capsule, *unsafe;
    int always;
    if (!PyArg_ParseTuple(args, "UUOOOiU", &doc, &low, &o_values, &o_table, &capsule, &always, &unsafe)) {
        return NULL;
    }
    const Vocab *vocab = PyCapsule_GetPointer(capsule, "thresher.text_gate");
    if (vocab == NULL) {
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(doc);
    int same = PyUnicode_GET_LENGTH(low) == n;
    Arr b[2];
    memset(b, 0, sizeof(b));
    if (get_array(o_values, &b[0], 'd', 8, 0, "values") < 0 || get_table(o_table, &b[1]) < 0) {
        release_arrays(b, 2);
        return NULL;
    }
    const double *values = (const double *)b[0].view.buf;
    const unsigned char *table = (const unsigned char *)b[1].view.buf;
    Py_ssize_t n_rows = b[0].view.len / 8 / TF_COLUMNS;
    int kind = PyUnicode_KIND(doc), lkind = PyUnicode_KIND(low), ukind = PyUnicode_KIND(unsafe);
    const void *data = PyUnicode_DATA(doc), *ldata = PyUnicode_DATA(low), *udata = PyUnicode_DATA(unsafe);
    Py_ssize_t n_unsafe = PyUnicode_GET_LENGTH(unsafe);
    Py_ssize_t *starts = line_starts(kind, data, n, n_rows, "text_line_gate");
    if (starts == NULL) {
        release_arrays(b, 2);
        return NULL;
    }
    PyObject *cands = same ? PyList_New(0) : Py_NewRef(Py_None);
    PyObject *off = PyList_New(n_rows), *titled = PyList_New(n_rows);
    char *like = PyMem_Calloc((size_t)n_rows, 1);
    PyObject *result = NULL;
    if (cands == NULL || off == NULL || titled == NULL || like == NULL) {
        if (like == NULL) {
            PyErr_NoMemory();
        }
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        Py_ssize_t a = starts[i], e = starts[i + 1] - 1;
        const double *row = values + i * TF_COLUMNS;
        double words = row[TF_WORDS];
        /* text_rules._headline_like */
        if (!(row[TF_BULLET] != 0.0 || row[TF_DIGITS] >= 0.2) &&
            (row[TF_CJK] > 0.3 ? (6 <= words && words <= 60)
                               : (4 <= words && words <= 40 && (row[TF_TITLE] >= 0.5 || row[TF_TERMINAL] == 0.0)))) {
            like[i] = !has_cells(kind, data, a, e);
        }
        if (!same) {
            continue;
        }
        int cand = 0;
        if (row[TF_RESIDUE] >= 0.5 && (words <= 12 || row[TF_TERMINAL] == 0.0)) {
            cand = 1;
        } else if (row[TF_TIME] != 0.0 && row[TF_RUN_LEN] >= 3 && row[TF_RUN_TIME] >= 0.5) {
            cand = 1;
        } else if (words <= 40) {
            int head = 0, any = 0, unsafe_line = 0, first = 1;
            Py_ssize_t r0 = -1;
            uint64_t h = FNV_OFFSET;
            for (Py_ssize_t p = a; p <= e && !unsafe_line; p++) {
                if (p < e) {
                    Py_UCS4 ch = PyUnicode_READ(kind, data, p), lch = PyUnicode_READ(lkind, ldata, p);
                    int w = word_char(ch, table);
                    if (lch >= 0x80) {
                        if (w != word_char(lch, table)) {
                            unsafe_line = 1;
                        }
                        for (Py_ssize_t k = 0; k < n_unsafe; k++) {
                            if (lch == PyUnicode_READ(ukind, udata, k)) {
                                unsafe_line = 1;
                            }
                        }
                    }
                    if (w) {
                        if (r0 < 0) {
                            r0 = p;
                            h = FNV_OFFSET;
                        }
                        h = fnv_step(h, lch);
                        continue;
                    }
                }
                if (r0 < 0) {
                    continue;
                }
                const VocabEntry *ve = vocab_find(vocab, h, lkind, ldata, r0, p);
                int flags = ve != NULL ? ve->flags : 0;
                if (first && r0 - a <= 3) {
                    head = flags;
                }
                first = 0;
                any |= flags;
                r0 = -1;
            }
            any |= always;
            cand = unsafe_line || ((head | always) & GATE_HEAD) || (words <= 5 && (any & GATE_CTA)) ||
                   (words <= 6 && (any & GATE_STOCK)) || (words <= 10 && (any & GATE_SHARE)) ||
                   (row[TF_RELATIVE] != 0.0 && words <= 8);
        }
        if (cand) {
            PyObject *v = PyLong_FromSsize_t(i);
            if (v == NULL || PyList_Append(cands, v) < 0) {
                Py_XDECREF(v);
                goto done;
            }
            Py_DECREF(v);
        }
    }
    /* text_rules._headline_runs: runs of 3+ headline-like lines, off the body's topic (mean topic
       fit under 0.1) and mostly capitalised (mean title case 0.6 or more); each mean as Python's
       sum() from 0, divided by the run's length */
    for (Py_ssize_t s = 0; s < n_rows;) {
        if (!like[s]) {
            s++;
            continue;
        }
        Py_ssize_t t = s;
        double fit = 0.0, title = 0.0;
        while (t < n_rows && like[t]) {
            fit += values[t * TF_COLUMNS + TF_FIT];
            title += values[t * TF_COLUMNS + TF_TITLE];
            t++;
        }
        char bits = 0;
        if (t - s >= 3) {
            bits = (char)((fit / (double)(t - s) < 0.1 ? 2 : 0) | (title / (double)(t - s) >= 0.6 ? 4 : 0));
        }
        for (Py_ssize_t k = s; k < t; k++) {
            like[k] = bits;
        }
        s = t;
    }
    for (Py_ssize_t k = 0; k < n_rows; k++) {
        PyList_SET_ITEM(off, k, Py_NewRef(like[k] & 2 ? Py_True : Py_False));
        PyList_SET_ITEM(titled, k, Py_NewRef(like[k] & 4 ? Py_True : Py_False));
    }
    result = PyTuple_Pack(3, cands, off, titled);
done:
    Py_XDECREF(cands);
    Py_XDECREF(off);
    Py_XDECREF(titled);
    PyMem_Free(like);
    PyMem_Free(starts);
    release_arrays(b, 2);
    return result;
}

/* ---- blocks that view one feature table (thresher.segment.text.feature_table) -------------------
 *
 * same_rows(blocks, cls, table) -> bool: every blocks[i].features is an instance of exactly
 * ``cls`` whose ``table`` is ``table`` and whose ``row`` is i.
 */
static PyObject *same_rows(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *blocks, *cls, *table;
    if (!PyArg_ParseTuple(args, "O!OO", &PyList_Type, &blocks, &cls, &table)) {
        return NULL;
    }
    static PyObject *s_features = NULL, *s_table = NULL, *s_row = NULL;
    if (s_features == NULL) {
        s_features = PyUnicode_InternFromString("features");
        s_table = PyUnicode_InternFromString("table");
        s_row = PyUnicode_InternFromString("row");
        if (s_features == NULL || s_table == NULL || s_row == NULL) {
            return NULL;
        }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(blocks); i++) {
        PyObject *f = PyObject_GetAttr(PyList_GET_ITEM(blocks, i), s_features);
        if (f == NULL) {
            return NULL;
        }
        int ok = (PyObject *)Py_TYPE(f) == cls;
        if (ok) {
            PyObject *t = PyObject_GetAttr(f, s_table);
            PyObject *r = t != NULL ? PyObject_GetAttr(f, s_row) : NULL;
            ok = t == table && r != NULL && PyLong_CheckExact(r) && PyLong_AsSsize_t(r) == i;
            Py_XDECREF(t);
            Py_XDECREF(r);
            if (PyErr_Occurred()) {
                Py_DECREF(f);
                return NULL;
            }
        }
        Py_DECREF(f);
        if (!ok) {
            Py_RETURN_FALSE;
        }
    }
    Py_RETURN_TRUE;
}


/* ---- the text model's trees (thresher.classify.text_model) -------------------------------------
 *
 * forest_table(thr32, feat, left, leaf, depth, value, roots) -> an opaque forest, or None
 *   The paired node table of a thresher.classify.trees.Trees (its p_thr32 float32, p_feat, p_left
 *   int32, p_leaf uint8, p_depth int32, p_value float64, p_roots int32), checked once and packed
 *   into eight bytes a node: the threshold, and the left child and the feature in one word (None
 *   when they do not fit: features from 256 on, 2^24 nodes or more; the caller then walks with
 *   Trees.predict).
 * forest_walk(forest, x, width, raw)
 *   x: float32 rows of ``width`` features (C-contiguous), raw: float64 out, one per row. The same
 *   walk as _speedups.c's walk_rows (a step is ``node = left + (x[feat] > thr)``, NaN reads as 0,
 *   leaves loop onto themselves behind an infinite threshold; per row one partial sum per leaf
 *   depth, 0.0 then the trees in order, and the raw score 0.0 plus those sums, shallowest depth
 *   first): the same numbers to the last bit. A step reads one eight-byte record instead of a
 *   24-byte one, and NaN is made 0 once in a copy of the rows (only when there is one) instead of
 *   at every step; eight rows walk a tree side by side (their loads overlap).
 */
typedef struct {
    float thr;
    uint32_t lf; /* left child << 8 | feature */
} ForestNode;

typedef struct {
    Py_ssize_t n_nodes, n_trees;
    ForestNode *nodes;
    int32_t *roots, *tree_depth;
    unsigned char *leaf_depth;
    double *value;
    int max_depth, max_feat;
} Forest;

#define FOREST_CAPSULE "thresher.text_forest"

static void forest_free(PyObject *capsule) {
    Forest *f = (Forest *)PyCapsule_GetPointer(capsule, FOREST_CAPSULE);
    if (f == NULL) {
        PyErr_Clear();
        return;
    }
    PyMem_Free(f->nodes);
    PyMem_Free(f->roots);
    PyMem_Free(f->tree_depth);
    PyMem_Free(f->leaf_depth);
    PyMem_Free(f->value);
    PyMem_Free(f);
}

static PyObject *forest_table(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[7];
    if (!PyArg_ParseTuple(args, "OOOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5], &objs[6])) {
        return NULL;
    }
    Arr b[7];
    memset(b, 0, sizeof(b));
    if (get_array(objs[0], &b[0], 'f', 4, 0, "thr32") < 0 || get_array(objs[1], &b[1], 'i', 4, 0, "feat") < 0 ||
        get_array(objs[2], &b[2], 'i', 4, 0, "left") < 0 || get_array(objs[3], &b[3], 'B', 1, 0, "leaf") < 0 ||
        get_array(objs[4], &b[4], 'i', 4, 0, "depth") < 0 || get_array(objs[5], &b[5], 'd', 8, 0, "value") < 0 ||
        get_array(objs[6], &b[6], 'i', 4, 0, "roots") < 0) {
        release_arrays(b, 7);
        return NULL;
    }
    const float *thr = b[0].view.buf;
    const int32_t *feat = b[1].view.buf, *left = b[2].view.buf, *depth = b[4].view.buf, *roots = b[6].view.buf;
    const unsigned char *leaf = b[3].view.buf;
    const double *value = b[5].view.buf;
    Py_ssize_t n_nodes = b[0].view.len / 4, n_trees = b[6].view.len / 4;
    if (n_nodes == 0 || n_trees == 0 || b[1].view.len / 4 != n_nodes || b[2].view.len / 4 != n_nodes ||
        b[3].view.len != n_nodes || b[4].view.len / 4 != n_nodes || b[5].view.len / 8 != n_nodes) {
        release_arrays(b, 7);
        PyErr_SetString(PyExc_ValueError, "forest_table: array sizes do not match");
        return NULL;
    }
    int fits = n_nodes < (1 << 24);
    int max_depth = 0, max_feat = 0;
    for (Py_ssize_t k = 0; k < n_nodes; k++) { /* as _speedups.c's check_table, and the packing's limits */
        int ok = leaf[k] ? left[k] == k && feat[k] >= 0 && (double)thr[k] > DBL_MAX
                         : feat[k] >= 0 && left[k] >= 0 && left[k] < n_nodes - 1;
        if (!ok || depth[k] < 0 || depth[k] > 255) {
            release_arrays(b, 7);
            PyErr_SetString(PyExc_ValueError, "forest_table: node table out of range");
            return NULL;
        }
        fits &= feat[k] < 256;
        max_depth = depth[k] > max_depth ? depth[k] : max_depth;
        max_feat = feat[k] > max_feat ? feat[k] : max_feat;
    }
    for (Py_ssize_t t = 0; t < n_trees; t++) {
        if (roots[t] < 0 || roots[t] >= n_nodes || (t && roots[t] <= roots[t - 1])) {
            release_arrays(b, 7);
            PyErr_SetString(PyExc_ValueError, "forest_table: root out of range");
            return NULL;
        }
    }
    if (!fits) {
        release_arrays(b, 7);
        Py_RETURN_NONE;
    }
    Forest *f = PyMem_Calloc(1, sizeof(Forest));
    if (f != NULL) {
        f->nodes = PyMem_Malloc(sizeof(ForestNode) * (size_t)n_nodes);
        f->roots = PyMem_Malloc(sizeof(int32_t) * (size_t)n_trees);
        f->tree_depth = PyMem_Malloc(sizeof(int32_t) * (size_t)n_trees);
        f->leaf_depth = PyMem_Malloc((size_t)n_nodes);
        f->value = PyMem_Malloc(sizeof(double) * (size_t)n_nodes);
    }
    if (f == NULL || !f->nodes || !f->roots || !f->tree_depth || !f->leaf_depth || !f->value) {
        if (f != NULL) {
            PyMem_Free(f->nodes);
            PyMem_Free(f->roots);
            PyMem_Free(f->tree_depth);
            PyMem_Free(f->leaf_depth);
            PyMem_Free(f->value);
            PyMem_Free(f);
        }
        release_arrays(b, 7);
        return PyErr_NoMemory();
    }
    f->n_nodes = n_nodes;
    f->n_trees = n_trees;
    f->max_depth = max_depth;
    f->max_feat = max_feat;
    for (Py_ssize_t k = 0; k < n_nodes; k++) {
        f->nodes[k].thr = thr[k];
        f->nodes[k].lf = (uint32_t)left[k] << 8 | (uint32_t)feat[k];
        f->leaf_depth[k] = (unsigned char)depth[k];
        f->value[k] = value[k];
    }
    for (Py_ssize_t t = 0; t < n_trees; t++) {
        Py_ssize_t end = t + 1 < n_trees ? roots[t + 1] : n_nodes;
        int dmax = 0;
        for (Py_ssize_t k = roots[t]; k < end; k++) {
            dmax = depth[k] > dmax ? depth[k] : dmax;
        }
        f->roots[t] = roots[t];
        f->tree_depth[t] = dmax;
    }
    release_arrays(b, 7);
    PyObject *capsule = PyCapsule_New(f, FOREST_CAPSULE, forest_free);
    if (capsule == NULL) {
        PyMem_Free(f->nodes);
        PyMem_Free(f->roots);
        PyMem_Free(f->tree_depth);
        PyMem_Free(f->leaf_depth);
        PyMem_Free(f->value);
        PyMem_Free(f);
    }
    return capsule;
}

#define FOREST_LANES 8


static PyObject *forest_walk(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *capsule, *o_x, *o_raw;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "OOnO", &capsule, &o_x, &width, &o_raw)) {
        return NULL;
    }
    const Forest *f = (const Forest *)PyCapsule_GetPointer(capsule, FOREST_CAPSULE);
    if (f == NULL) {
        return NULL;
    }
    Arr b[2];
    memset(b, 0, sizeof(b));
    if (get_array(o_x, &b[0], 'f', 4, 0, "x") < 0 || get_array(o_raw, &b[1], 'd', 8, 1, "raw") < 0) {
        release_arrays(b, 2);
        return NULL;
    }
    Py_ssize_t n_rows = b[1].view.len / 8;
    if (width <= f->max_feat || b[0].view.len / 4 != n_rows * width) {
        release_arrays(b, 2);
        PyErr_SetString(PyExc_ValueError, "forest_walk: rows do not match the forest");
        return NULL;
    }
    double *raw = b[1].view.buf;
    if (n_rows == 0) {
        release_arrays(b, 2);
        Py_RETURN_NONE;
    }
    const float *x = b[0].view.buf;
    float *clean = NULL; /* the rows with NaN made 0, when they hold one */
    Py_ssize_t n_values = n_rows * width;
    for (Py_ssize_t k = 0; k < n_values; k++) {
        if (x[k] != x[k]) {
            clean = PyMem_Malloc(sizeof(float) * (size_t)n_values);
            if (clean == NULL) {
                release_arrays(b, 2);
                return PyErr_NoMemory();
            }
            for (Py_ssize_t j = 0; j < n_values; j++) {
                clean[j] = x[j] != x[j] ? 0.0f : x[j];
            }
            x = clean;
            break;
        }
    }
    int width_sums = f->max_depth + 1;
    double *sums = PyMem_Calloc((size_t)n_rows * (size_t)width_sums, sizeof(double));
    if (sums == NULL) {
        PyMem_Free(clean);
        release_arrays(b, 2);
        return PyErr_NoMemory();
    }
    const ForestNode *nodes = f->nodes;
    {
        volatile uint32_t sink = 0; /* the node records front to back first (see walk_rows) */
        for (Py_ssize_t k = 0; k < f->n_nodes; k += 64 / (Py_ssize_t)sizeof(ForestNode)) {
            sink += nodes[k].lf;
        }
        (void)sink;
    }
#define FOREST_STEP(node, row)                                       \
    do {                                                             \
        const ForestNode nd_ = nodes[node];                          \
        node = (nd_.lf >> 8) + ((row)[nd_.lf & 0xffu] > nd_.thr);    \
    } while (0)
    for (Py_ssize_t t = 0; t < f->n_trees; t++) {
        const uint32_t root = (uint32_t)f->roots[t];
        const int steps = f->tree_depth[t];
        for (Py_ssize_t r = 0; r < n_rows; r += FOREST_LANES) {
            Py_ssize_t lanes = n_rows - r < FOREST_LANES ? n_rows - r : FOREST_LANES;
            /* lanes past the last row walk the last row again (not summed) */
            const float *xs[FOREST_LANES];
            uint32_t nd[FOREST_LANES];
            for (int j = 0; j < FOREST_LANES; j++) {
                xs[j] = x + (r + (j < lanes ? j : lanes - 1)) * width;
                nd[j] = root;
            }
            for (int s = 0; s < steps; s++) {
                for (int j = 0; j < FOREST_LANES; j++) {
                    FOREST_STEP(nd[j], xs[j]);
                }
            }
            for (Py_ssize_t j = 0; j < lanes; j++) {
                sums[(r + j) * width_sums + f->leaf_depth[nd[j]]] += f->value[nd[j]];
            }
        }
    }
#undef FOREST_STEP
    for (Py_ssize_t r = 0; r < n_rows; r++) {
        double total = 0.0;
        for (int d = 0; d < width_sums; d++) {
            total += sums[r * width_sums + d];
        }
        raw[r] = total;
    }
    PyMem_Free(sums);
    PyMem_Free(clean);
    release_arrays(b, 2);
    Py_RETURN_NONE;
}

PyMethodDef thresher_text_methods[] = {
    {"line_masks_compact", line_masks_compact, METH_VARARGS,
     "line_masks_compact(goto, classes, found, data, n_lines) -> list: line_masks over an automaton with byte "
     "classes (see thresher.classify.text_rules)."},
    {"same_rows", same_rows, METH_VARARGS,
     "same_rows(blocks, cls, table) -> bool: blocks[i].features is a cls viewing row i of table, for every i."},
    {"text_features", text_features, METH_VARARGS,
     "text_features(doc, low, table, vocab, para_of, line_of, lines_in, out) -> list or None: the blocks' "
     "features (see thresher.segment.text)."},
    {"new_slotted", new_slotted, METH_VARARGS,
     "new_slotted(cls, n, columns, shared) -> list: n instances of a slotted class, each slot set from a "
     "column (list) or a shared value, without calling __init__ (see thresher.segment.text)."},
    {"word_flags", word_flags, METH_VARARGS,
     "word_flags(sets) -> capsule: a word table, each word flagged with the sets holding it."},
    {"text_line_gate", text_line_gate, METH_VARARGS,
     "text_line_gate(doc, low, values, table, words, always, unsafe) -> (candidates or None, offtopic, titled): "
     "the blocks a line rule may catch and the runs of headline-like lines (see thresher.classify.text_rules)."},
    {"has_chars_in", has_chars_in, METH_VARARGS,
     "has_chars_in(text, ranges) -> bool: a character of text lies in one of the (lo, hi) code point ranges."},
    {"lower", lower_text, METH_O,
     "lower(text) -> str or None: text.lower() for a str of the BMP without U+0130 or a capital sigma, else None."},
    {"text_lines", text_lines, METH_O,
     "text_lines(text) -> (lines, sizes): the stripped non-empty lines of text.splitlines() and how many "
     "each paragraph holds (see thresher.segment.text)."},
    {"has_unprintable", has_unprintable, METH_O,
     "has_unprintable(text) -> bool: text holds a control character, a surrogate or U+FFFE/U+FFFF "
     "(see thresher.assemble.document.printable)."},
    {"collapsed_prefix", collapsed_prefix, METH_VARARGS,
     "collapsed_prefix(text, limit) -> str: ' '.join(text.split())[:limit] (see thresher.metadata.language)."},
    {"line_masks_text", line_masks, METH_VARARGS,
     "line_masks_text(goto, found, data, n_lines): line_masks, which also takes a str for data (walked as its "
     "UTF-8 bytes)."},
    {"line_masks", line_masks, METH_VARARGS,
     "line_masks(goto, found, data, n_lines) -> list: which needles each line holds (see "
     "thresher.classify.text_rules)."},
    {"text_stage2", text_stage2, METH_VARARGS,
     "text_stage2(s, mean, para, kept, values, base_cols, out): the text model's second-stage matrix "
     "(see thresher.classify.text_model)."},
    {"text_matrix", text_matrix, METH_VARARGS,
     "text_matrix(values, base_cols, nb_cols, layout, kind_at, label_at, reason_at, kept, log_chars, "
     "log_words, out): the text model's feature matrix (see thresher.classify.text_model)."},
    {"text_counts", text_counts, METH_VARARGS,
     "text_counts(doc, table, astral, out): per-block character counts (see thresher.segment.text)."},
    {"text_vocab", text_vocab, METH_VARARGS,
     "text_vocab(stopwords, triggers) -> capsule: the word lists for text_words_vocab."},
    {"text_words_vocab", text_words_vocab, METH_VARARGS,
     "text_words_vocab(low, doc, table, astral, vocab): text_words with a text_vocab capsule."},
    {"text_words", text_words, METH_VARARGS,
     "text_words(low, doc, table, astral, stopwords, triggers): per-block words (see thresher.segment.text)."},
    {"lang_visits", lang_visits, METH_VARARGS,
     "lang_visits(data, nextmove, row, out_feat, slot, idx, counts, depth) -> m: py3langid's feature counts "
     "(see thresher.metadata.language)."},
    {"text_blocks", text_blocks, METH_VARARGS,
     "text_blocks(lines, sizes, paragraph, line) -> (texts, kinds, para_of, line_of, lines_in): segment_text's "
     "blocks of paragraph_lines' lines."},
    {"forest_table", forest_table, METH_VARARGS,
     "forest_table(thr32, feat, left, leaf, depth, value, roots) -> the text model's trees packed for forest_walk, "
     "or None when they do not fit."},
    {"forest_walk", forest_walk, METH_VARARGS,
     "forest_walk(forest, x, width, raw): the leaf sums of float32 rows, as walk_prepared computes them."},
    {"lang_score", lang_score, METH_VARARGS,
     "lang_score(data, nextmove, row, out_feat, slot, depth, ptc, weights, sums[, level]) -> m: py3langid's per-class "
     "sums of a text, walk and product fused (see thresher.metadata.language)."},
    {NULL, NULL, 0, NULL},
};
