/* Text mode's hot loops in C (see thresher.segment.text, thresher.metadata.language).
 *
 * Every array comes in through the buffer protocol (no numpy headers), its item type and size
 * checked here; every index read from an array is bounds-checked before it is used, so no input
 * can make these functions read or write out of bounds. None of them releases the GIL: the scratch
 * arrays they are handed are never used by two calls at once.
 */
#include "_speedups.h"
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
#define PREFETCH_ROWS 8
#endif

static inline void prefetch_row(const char *p, Py_ssize_t n) {
#if defined(__GNUC__) || defined(__clang__)
    for (Py_ssize_t off = 0; off < n; off += 64) {
        __builtin_prefetch(p + off, 0, 0);
    }
    __builtin_prefetch(p + n - 1, 0, 0);
#else
    (void)p;
    (void)n;
#endif
}

/* half_rows(table, width, idx, m, out)
 *   table: float16 ('e') rows of ``width``; idx: intp, the rows to take (the first m); out: float32
 *   ('f'), m * width, written with those rows converted to float32 (numpy's ``table[idx[:m]]``
 *   cast to float32, to the bit). */
static PyObject *half_rows(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *o_table, *o_idx, *o_out;
    Py_ssize_t width, m;
    if (!PyArg_ParseTuple(args, "OnOnO", &o_table, &width, &o_idx, &m, &o_out)) {
        return NULL;
    }
    Arr b[3];
    memset(b, 0, sizeof(b));
    if (get_array(o_table, &b[0], 'e', 2, 0, "table") < 0 || get_array(o_out, &b[2], 'f', 4, 1, "out") < 0) {
        release_arrays(b, 3);
        return NULL;
    }
    if (PyObject_GetBuffer(o_idx, &b[1].view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        release_arrays(b, 3);
        return NULL;
    }
    b[1].held = 1;
    if (b[1].view.itemsize != (Py_ssize_t)sizeof(Py_ssize_t)) {
        release_arrays(b, 3);
        PyErr_SetString(PyExc_TypeError, "idx: expected a contiguous array of intp items");
        return NULL;
    }
    Py_ssize_t n_rows = width > 0 ? b[0].view.len / 2 / width : 0;
    if (width <= 0 || m < 0 || b[0].view.len / 2 != n_rows * width ||
        b[1].view.len / (Py_ssize_t)sizeof(Py_ssize_t) < m || b[2].view.len / 4 < m * width) {
        release_arrays(b, 3);
        PyErr_SetString(PyExc_ValueError, "half_rows: array sizes do not match");
        return NULL;
    }
    const uint16_t *table = (const uint16_t *)b[0].view.buf;
    const Py_ssize_t *idx = (const Py_ssize_t *)b[1].view.buf;
    float *out = (float *)b[2].view.buf;
    for (Py_ssize_t k = 0; k < m; k++) {
        if (idx[k] < 0 || idx[k] >= n_rows) {
            release_arrays(b, 3);
            PyErr_SetString(PyExc_IndexError, "half_rows: row out of range");
            return NULL;
        }
    }
    /* the rows are scattered over a table far bigger than the caches: ask for the rows a few steps
       ahead while converting this one, so that the memory fetches overlap */
    const Py_ssize_t row_bytes = width * 2;
    for (Py_ssize_t k = 0; k < m && k < PREFETCH_ROWS; k++) {
        prefetch_row((const char *)(table + idx[k] * width), row_bytes);
    }
    for (Py_ssize_t k = 0; k < m; k++) {
        Py_ssize_t r = idx[k];
        if (k + PREFETCH_ROWS < m) {
            prefetch_row((const char *)(table + idx[k + PREFETCH_ROWS] * width), row_bytes);
        }
        halves_to_floats(table + r * width, out + k * width, width);
    }
    release_arrays(b, 3);
    Py_RETURN_NONE;
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
    Py_ssize_t off; /* into pool */
    Py_ssize_t len;
    int flags;
} VocabEntry;

typedef struct {
    uint64_t *slots; /* 0: empty; else the hash's high 32 bits << 32 | (entry index + 1) */
    size_t mask;
    VocabEntry *entries;
    Py_ssize_t n_entries;
    Py_UCS4 *pool;
} Vocab;

static inline uint64_t fnv_step(uint64_t h, Py_UCS4 ch) {
    return (h ^ (uint64_t)ch) * FNV_PRIME;
}

static void vocab_release(Vocab *v) {
    if (v != NULL) {
        PyMem_Free(v->slots);
        PyMem_Free(v->entries);
        PyMem_Free(v->pool);
        PyMem_Free(v);
    }
}

static void vocab_free(PyObject *capsule) {
    vocab_release(PyCapsule_GetPointer(capsule, "thresher.text_vocab"));
}

/* the entry of the word (kind, data)[a:b] with hash h, or NULL. The slots are 8 bytes each (a
 * table that stays in cache); an entry is read only when the slot's hash bits match. */
static inline VocabEntry *vocab_find(const Vocab *v, uint64_t h, int kind, const void *data, Py_ssize_t a,
                                     Py_ssize_t b) {
    size_t at = (size_t)h & v->mask;
    uint64_t tag = h >> 32;
    Py_ssize_t len = b - a;
    for (;;) {
        uint64_t slot = v->slots[at];
        if (slot == 0) {
            return NULL;
        }
        if ((slot >> 32) == tag) {
            VocabEntry *e = v->entries + ((slot & 0xffffffffu) - 1);
            if (e->len == len) {
                const Py_UCS4 *w = v->pool + e->off;
                Py_ssize_t k = 0;
                while (k < len && w[k] == PyUnicode_READ(kind, data, a + k)) {
                    k++;
                }
                if (k == len) {
                    return e;
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
        size_t at = (size_t)h & v->mask;
        while (v->slots[at] != 0) {
            at = (at + 1) & v->mask;
        }
        e = v->entries + v->n_entries;
        v->n_entries++;
        v->slots[at] = ((h >> 32) << 32) | (uint64_t)v->n_entries;
        e->off = *pool_at;
        e->len = len;
        e->flags = flag;
        for (Py_ssize_t k = 0; k < len; k++) {
            v->pool[*pool_at + k] = PyUnicode_READ(kind, data, k);
        }
        *pool_at += len;
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
    Vocab *v = PyMem_Calloc(1, sizeof(Vocab));
    if (v == NULL) {
        return PyErr_NoMemory();
    }
    v->slots = PyMem_Calloc(size, sizeof(uint64_t));
    v->entries = PyMem_Calloc((size_t)(n ? n : 1), sizeof(VocabEntry));
    v->pool = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(chars ? chars : 1));
    v->mask = size - 1;
    if (v->slots == NULL || v->entries == NULL || v->pool == NULL) {
        vocab_release(v);
        return PyErr_NoMemory();
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
static PyObject *has_unprintable(PyObject *Py_UNUSED(self), PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "has_unprintable: expected a str");
        return NULL;
    }
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    for (Py_ssize_t p = 0; p < n; p++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, p);
        if (ch < 0x20) {
            if (ch != '\t' && ch != '\n' && ch != '\r') {
                Py_RETURN_TRUE;
            }
        } else if ((ch >= 0x7f && ch <= 0x9f) || (ch >= 0xd800 && ch <= 0xdfff) || ch == 0xfffe || ch == 0xffff) {
            Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}

/* ---- gradient-boosted trees over a document's rows (thresher.classify.trees) ----------------
 *
 * The walk of _speedups.c's walk_prepared over float32 rows (trees.py's paired layout: one step is
 * ``node = left[node] + (x[feat[node]] > thr[node])``, NaN reads as 0, a leaf loops onto itself
 * behind an infinite threshold), with the leaf values added in the same order (per row, one partial
 * sum per leaf depth: 0.0, then the trees in order; the row's raw score is 0.0 plus those partial
 * sums, shallowest first), so both give the same numbers to the last bit. The difference: each
 * node record holds its leaf value and depth too, and the next tree's records are prefetched while
 * this one is walked. Between two documents the other stages (language identification above all)
 * push the model out of the caches; walking a tree is a chain of dependent loads, so fetching the
 * next tree's few cache lines ahead hides most of that latency.
 *
 * tree_table32(thr32, feat, left, leaf, depth, value, roots) -> capsule (the table checked once)
 * tree_walk32(table, x, width, raw): x float32 ('f') rows of ``width``; raw float64 out, one per row.
 */
#define TREE_LANES 8
#define TREE_CAPSULE "thresher.tree_table32"

typedef struct {
    float thr;
    int feat;
    int left;
    int depth;
    double value;
} TreeNode; /* 24 bytes */

typedef struct {
    Py_ssize_t n_nodes, n_trees;
    TreeNode *nodes;
    int *roots; /* n_trees + 1: each tree's first node, then n_nodes */
    int *tree_depth;
    int max_depth, max_feat;
} TreeTable;

static void tree_table_release(TreeTable *t) {
    if (t != NULL) {
        PyMem_Free(t->nodes);
        PyMem_Free(t->roots);
        PyMem_Free(t->tree_depth);
        PyMem_Free(t);
    }
}

static void tree_table_free(PyObject *capsule) {
    tree_table_release(PyCapsule_GetPointer(capsule, TREE_CAPSULE));
}

static PyObject *tree_table32(PyObject *Py_UNUSED(self), PyObject *args) {
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
    Py_ssize_t n_nodes = b[0].view.len / 4, n_trees = b[6].view.len / 4;
    if (n_nodes == 0 || n_trees == 0 || n_nodes >= 0x7fffffff || b[1].view.len / 4 != n_nodes ||
        b[2].view.len / 4 != n_nodes || b[3].view.len != n_nodes || b[4].view.len / 4 != n_nodes ||
        b[5].view.len / 8 != n_nodes) {
        release_arrays(b, 7);
        PyErr_SetString(PyExc_ValueError, "tree_table32: array sizes do not match");
        return NULL;
    }
    const float *thr = b[0].view.buf;
    const int *feat = b[1].view.buf, *left = b[2].view.buf, *depth = b[4].view.buf, *roots = b[6].view.buf;
    const unsigned char *leaf = b[3].view.buf;
    const double *value = b[5].view.buf;
    int md = 0, mf = 0;
    const char *error = NULL;
    /* every index in range, depths bounded, roots in order, leaves behind infinite thresholds: no
       table can make the walk read out of bounds */
    for (Py_ssize_t k = 0; k < n_nodes && error == NULL; k++) {
        int ok = leaf[k] ? left[k] == k && feat[k] >= 0 && (double)thr[k] > DBL_MAX
                         : feat[k] >= 0 && left[k] >= 0 && left[k] < n_nodes - 1;
        if (!ok || depth[k] < 0 || depth[k] > 255) {
            error = "tree_table32: node table out of range";
        } else {
            md = depth[k] > md ? depth[k] : md;
            mf = feat[k] > mf ? feat[k] : mf;
        }
    }
    for (Py_ssize_t t = 0; t < n_trees && error == NULL; t++) {
        if (roots[t] < 0 || roots[t] >= n_nodes || (t && roots[t] <= roots[t - 1])) {
            error = "tree_table32: root out of range";
        }
    }
    if (error != NULL) {
        release_arrays(b, 7);
        PyErr_SetString(PyExc_ValueError, error);
        return NULL;
    }
    TreeTable *tt = PyMem_Calloc(1, sizeof(TreeTable));
    if (tt == NULL) {
        release_arrays(b, 7);
        return PyErr_NoMemory();
    }
    tt->n_nodes = n_nodes;
    tt->n_trees = n_trees;
    tt->max_depth = md;
    tt->max_feat = mf;
    tt->nodes = PyMem_Malloc(sizeof(TreeNode) * (size_t)n_nodes);
    tt->roots = PyMem_Malloc(sizeof(int) * (size_t)(n_trees + 1));
    tt->tree_depth = PyMem_Malloc(sizeof(int) * (size_t)n_trees);
    if (!tt->nodes || !tt->roots || !tt->tree_depth) {
        release_arrays(b, 7);
        tree_table_release(tt);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < n_nodes; k++) {
        tt->nodes[k].thr = thr[k];
        tt->nodes[k].feat = feat[k];
        tt->nodes[k].left = left[k];
        tt->nodes[k].depth = depth[k];
        tt->nodes[k].value = value[k];
    }
    memcpy(tt->roots, roots, sizeof(int) * (size_t)n_trees);
    tt->roots[n_trees] = (int)n_nodes;
    for (Py_ssize_t t = 0; t < n_trees; t++) {
        int dmax = 0;
        for (Py_ssize_t k = roots[t]; k < tt->roots[t + 1]; k++) {
            dmax = depth[k] > dmax ? depth[k] : dmax;
        }
        tt->tree_depth[t] = dmax;
    }
    release_arrays(b, 7);
    PyObject *capsule = PyCapsule_New(tt, TREE_CAPSULE, tree_table_free);
    if (capsule == NULL) {
        tree_table_release(tt);
    }
    return capsule;
}

static inline void prefetch_tree(const TreeTable *tt, Py_ssize_t t) {
#if defined(__GNUC__) || defined(__clang__)
    if (t < tt->n_trees) {
        const char *a = (const char *)(tt->nodes + tt->roots[t]);
        const char *z = (const char *)(tt->nodes + tt->roots[t + 1]);
        for (; a < z; a += 64) {
            __builtin_prefetch(a, 0, 3);
        }
    }
#else
    (void)tt;
    (void)t;
#endif
}

static PyObject *tree_walk32(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *capsule, *o_x, *o_raw;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "OOnO", &capsule, &o_x, &width, &o_raw)) {
        return NULL;
    }
    const TreeTable *tt = PyCapsule_GetPointer(capsule, TREE_CAPSULE);
    if (tt == NULL) {
        return NULL;
    }
    Arr b[2];
    memset(b, 0, sizeof(b));
    if (get_array(o_x, &b[0], 'f', 4, 0, "x") < 0 || get_array(o_raw, &b[1], 'd', 8, 1, "raw") < 0) {
        release_arrays(b, 2);
        return NULL;
    }
    Py_ssize_t n_rows = b[1].view.len / 8;
    if (width <= 0 || b[0].view.len / 4 != n_rows * width || tt->max_feat >= width) {
        release_arrays(b, 2);
        PyErr_SetString(PyExc_ValueError, "tree_walk32: rows do not match the table");
        return NULL;
    }
    int width_sums = tt->max_depth + 1;
    double *sums = PyMem_Calloc((size_t)(n_rows ? n_rows : 1) * (size_t)width_sums, sizeof(double));
    if (sums == NULL) {
        release_arrays(b, 2);
        return PyErr_NoMemory();
    }
    const float *xs = b[0].view.buf;
    double *raw = b[1].view.buf;
    const TreeNode *nodes = tt->nodes;
    const Py_ssize_t block_rows = 32; /* rows walked through a tree before the next tree */
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r0 = 0; r0 < n_rows; r0 += block_rows) {
        Py_ssize_t r_end = r0 + block_rows < n_rows ? r0 + block_rows : n_rows;
        prefetch_tree(tt, 0);
        for (Py_ssize_t t = 0; t < tt->n_trees; t++) {
            prefetch_tree(tt, t + 1);
            int root = tt->roots[t];
            int steps = tt->tree_depth[t];
            for (Py_ssize_t r = r0; r < r_end; r += TREE_LANES) {
                Py_ssize_t lanes = r_end - r < TREE_LANES ? r_end - r : TREE_LANES;
                const float *row[TREE_LANES];
                int node[TREE_LANES];
                for (int j = 0; j < TREE_LANES; j++) { /* lanes past the last row walk the last row again */
                    row[j] = xs + (r + (j < lanes ? j : lanes - 1)) * width;
                    node[j] = root;
                }
                for (int s = 0; s < steps; s++) {
                    int moved = 0;
                    for (int j = 0; j < TREE_LANES; j++) {
                        const TreeNode *nd = nodes + node[j];
                        float v = row[j][nd->feat];
                        v = v != v ? 0.0f : v;
                        int next = nd->left + (v > nd->thr);
                        moved |= next ^ node[j];
                        node[j] = next;
                    }
                    if (!moved) { /* every lane at a leaf: later steps change nothing */
                        break;
                    }
                }
                for (Py_ssize_t j = 0; j < lanes; j++) {
                    const TreeNode *nd = nodes + node[j];
                    sums[(r + j) * width_sums + nd->depth] += nd->value;
                }
            }
        }
    }
    for (Py_ssize_t r = 0; r < n_rows; r++) {
        double total = 0.0;
        for (int d = 0; d < width_sums; d++) {
            total += sums[r * width_sums + d];
        }
        raw[r] = total;
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(sums);
    release_arrays(b, 2);
    Py_RETURN_NONE;
}

PyMethodDef thresher_text_methods[] = {
    {"tree_table32", tree_table32, METH_VARARGS,
     "tree_table32(thr32, feat, left, leaf, depth, value, roots) -> capsule: a node table for tree_walk32."},
    {"tree_walk32", tree_walk32, METH_VARARGS,
     "tree_walk32(table, x, width, raw): leaf sums of float32 rows, the next tree prefetched (see "
     "thresher.classify.trees)."},

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
    {"half_rows", half_rows, METH_VARARGS,
     "half_rows(table, width, idx, m, out): rows idx[:m] of a float16 table, as float32, into out."},
    {NULL, NULL, 0, NULL},
};
