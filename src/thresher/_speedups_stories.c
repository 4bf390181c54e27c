/* Story clustering's hot loops in C (see thresher.stories). */
#include "_speedups.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

/* stories_gather(infos, entity, plain, number) -> (words, names, plains, numbers)
 *
 * ``infos``: a list of (kind, keys) tuples (thresher.stories.text: the kind of each token of a
 * headline and its content-term keys). Returns four new lists: every key in reading order, and the
 * first key of each token of kind ``entity``, ``plain`` and ``number``. The pure-Python twin is
 * thresher.stories.text._gather_python. */
static PyObject *
stories_gather(PyObject *self, PyObject *args)
{
    PyObject *infos;
    long entity, plain, number;
    if (!PyArg_ParseTuple(args, "O!lll:stories_gather", &PyList_Type, &infos, &entity, &plain, &number))
        return NULL;
    PyObject *words = PyList_New(0), *names = PyList_New(0), *plains = PyList_New(0),
             *numbers = PyList_New(0);
    if (!words || !names || !plains || !numbers)
        goto fail;
    Py_ssize_t n = PyList_GET_SIZE(infos);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *info = PyList_GET_ITEM(infos, i);
        if (!PyTuple_Check(info) || PyTuple_GET_SIZE(info) < 2 || !PyTuple_Check(PyTuple_GET_ITEM(info, 1))) {
            PyErr_SetString(PyExc_TypeError, "stories_gather: each info must be a (kind, keys) tuple");
            goto fail;
        }
        long kind = PyLong_AsLong(PyTuple_GET_ITEM(info, 0));
        if (kind == -1 && PyErr_Occurred())
            goto fail;
        PyObject *keys = PyTuple_GET_ITEM(info, 1);
        Py_ssize_t m = PyTuple_GET_SIZE(keys);
        for (Py_ssize_t k = 0; k < m; k++) {
            if (PyList_Append(words, PyTuple_GET_ITEM(keys, k)) < 0)
                goto fail;
        }
        if (m == 0)
            continue;
        PyObject *target = kind == entity ? names : kind == plain ? plains : kind == number ? numbers : NULL;
        if (target && PyList_Append(target, PyTuple_GET_ITEM(keys, 0)) < 0)
            goto fail;
    }
    return Py_BuildValue("(NNNN)", words, names, plains, numbers);
fail:
    Py_XDECREF(words);
    Py_XDECREF(names);
    Py_XDECREF(plains);
    Py_XDECREF(numbers);
    return NULL;
}


/* stories_token_ascii(token, function_words, stem) -> (kind, keys) | None
 *
 * thresher.stories.text._token for a token of ASCII letters and digits only (None for any other
 * token: the caller reads it in Python). Kinds as in text.py: 0 skip, 1 number, 2 entity, 3 plain,
 * 4 other. */
static PyObject *
stories_token_ascii(PyObject *self, PyObject *args)
{
    PyObject *token, *function_words;
    Py_ssize_t stem;
    if (!PyArg_ParseTuple(args, "UOn:stories_token_ascii", &token, &function_words, &stem))
        return NULL;
    if (!PyAnySet_Check(function_words)) {
        PyErr_SetString(PyExc_TypeError, "stories_token_ascii: function_words must be a set");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(token))
        Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(token);
    const char *src = (const char *)PyUnicode_1BYTE_DATA(token);
    if (n == 0 || n > 256)
        Py_RETURN_NONE;
    char low[256];
    int alpha = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = src[i];
        if (c >= 'A' && c <= 'Z') {
            low[i] = (char)(c - 'A' + 'a');
        } else if (c >= 'a' && c <= 'z') {
            low[i] = c;
        } else if (c >= '0' && c <= '9') {
            low[i] = c;
            alpha = 0;
        } else {
            Py_RETURN_NONE;
        }
    }
    PyObject *lower = PyUnicode_FromStringAndSize(low, n);
    if (!lower)
        return NULL;
    int fw = PySet_Contains(function_words, lower);
    if (fw < 0) {
        Py_DECREF(lower);
        return NULL;
    }
    if (fw) {
        Py_DECREF(lower);
        return Py_BuildValue("(i())", 0);
    }
    if (!alpha)  /* letters and digits with at least one digit: a number */
        return Py_BuildValue("(i(N))", 1, lower);
    if (stem >= 0 && n > stem) {
        Py_DECREF(lower);
        lower = PyUnicode_FromStringAndSize(low, stem);
        if (!lower)
            return NULL;
    }
    char first = src[0];
    int kind = (first >= 'A' && first <= 'Z') ? (n > 1 ? 2 : 4) : 3;
    return Py_BuildValue("(i(N))", kind, lower);
}

/* stories_terms_ascii(text, function_words, stem, table) -> (key, words, names, plains, numbers) | None
 *
 * thresher.stories.text._read_terms_python for a text that is ASCII once each character found in
 * ``table`` (a dict: code point -> ASCII str, possibly empty, or None) is replaced by its value;
 * None for any other text (the caller reads it in Python). The caller builds ``table`` so that the
 * replacement is what ``normalise`` does to those characters. In one pass: thousands separators
 * dropped ("1,000" -> "1000": a ``,`` or ``.`` after a digit and before exactly three digits),
 * tokens found as ``_TOKEN`` finds them (letter-dot abbreviations of two or more letters, else runs
 * of letters and digits joined by apostrophes), each token read as ``_token`` reads it (dots
 * dropped, a final ``'s`` dropped, lower-cased; function words skipped; a token with a digit that is
 * not all letters is a number; long alphabetic words cut to ``stem`` characters; capitalised tokens
 * of two or more characters are names, lower-case ones plain words). ``key``: the tokens joined by
 * spaces, lower-cased, dots dropped. ``words``: every key of the tokens in reading order; ``names``,
 * ``plains``, ``numbers``: the keys of the tokens of that kind, in reading order (lists, with
 * repeats). */
#define ST_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define ST_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define ST_ALNUM(c) (ST_ALPHA(c) || ST_DIGIT(c))
#define ST_LOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (char)((c) - 'A' + 'a') : (c))

static PyObject *
stories_terms_ascii(PyObject *self, PyObject *args)
{
    PyObject *text, *function_words, *table = Py_None;
    Py_ssize_t stem;
    if (!PyArg_ParseTuple(args, "UOn|O:stories_terms_ascii", &text, &function_words, &stem, &table))
        return NULL;
    if (!PyAnySet_Check(function_words) || (table != Py_None && !PyDict_Check(table))) {
        PyErr_SetString(PyExc_TypeError, "stories_terms_ascii: function_words must be a set, table a dict");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const char *raw = (const char *)PyUnicode_DATA(text);
    char *mapped = NULL;
    if (!PyUnicode_IS_ASCII(text)) {  /* replace the table's characters, or leave the text to Python */
        int kind = PyUnicode_KIND(text);
        if (table == Py_None || kind == PyUnicode_4BYTE_KIND)
            Py_RETURN_NONE;
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t cap = 2 * n + 8, len = 0;
        mapped = PyMem_Malloc((size_t)cap);
        if (!mapped)
            return PyErr_NoMemory();
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            if (ch < 128) {
                mapped[len++] = (char)ch;
                continue;
            }
            PyObject *code = PyLong_FromLong((long)ch);
            PyObject *value = code ? PyDict_GetItemWithError(table, code) : NULL;
            Py_XDECREF(code);
            if (!value || !PyUnicode_Check(value) || !PyUnicode_IS_ASCII(value)) {
                PyMem_Free(mapped);
                if (PyErr_Occurred())
                    return NULL;
                Py_RETURN_NONE;
            }
            Py_ssize_t vlen = PyUnicode_GET_LENGTH(value);
            if (len + vlen + (n - i) > cap) {
                cap = 2 * (len + vlen + (n - i));
                char *grown = PyMem_Realloc(mapped, (size_t)cap);
                if (!grown) {
                    PyMem_Free(mapped);
                    return PyErr_NoMemory();
                }
                mapped = grown;
            }
            memcpy(mapped + len, PyUnicode_1BYTE_DATA(value), (size_t)vlen);
            len += vlen;
        }
        raw = mapped;
        n = len;
    }
    /* src: the text without thousands separators; key: the folded tokens; tok: one token at work */
    char *buf = PyMem_Malloc(3 * (size_t)n + 3);
    if (!buf) {
        PyMem_Free(mapped);
        return PyErr_NoMemory();
    }
    char *src = buf, *key = buf + n + 1, *tok = buf + 2 * n + 2;
    Py_ssize_t m = 0, klen = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = raw[i];
        if ((c == ',' || c == '.') && i > 0 && ST_DIGIT(raw[i - 1]) && i + 3 < n && ST_DIGIT(raw[i + 1])
            && ST_DIGIT(raw[i + 2]) && ST_DIGIT(raw[i + 3]) && (i + 4 == n || !ST_DIGIT(raw[i + 4])))
            continue;
        src[m++] = c;
    }
    PyMem_Free(mapped);
    PyObject *words = PyList_New(0), *names = PyList_New(0), *plains = PyList_New(0),
             *numbers = PyList_New(0), *keystr = NULL;
    if (!words || !names || !plains || !numbers)
        goto fail;
    Py_ssize_t p = 0;
    while (p < m) {
        char c = src[p];
        if (!ST_ALNUM(c)) {
            p++;
            continue;
        }
        Py_ssize_t q = p;
        if (ST_ALPHA(c)) {  /* (?:[^\W\d_]\.){2,} */
            while (q + 1 < m && ST_ALPHA(src[q]) && src[q + 1] == '.')
                q += 2;
            if (q - p < 4)
                q = p;
        }
        if (q == p) {  /* [^\W_]+(?:'[^\W_]+)* */
            while (q < m && ST_ALNUM(src[q]))
                q++;
            while (q + 1 < m && src[q] == '\'' && ST_ALNUM(src[q + 1])) {
                q++;
                while (q < m && ST_ALNUM(src[q]))
                    q++;
            }
        }
        /* the key: tokens lower-cased, dots dropped, one space between */
        if (klen)
            key[klen++] = ' ';
        Py_ssize_t t = 0;  /* tok: the token without dots, then without a final 's */
        int apostrophe = 0;
        for (Py_ssize_t i = p; i < q; i++) {
            char d = src[i];
            if (d == '.')
                continue;
            key[klen++] = ST_LOWER(d);
            tok[t++] = d;
            apostrophe |= d == '\'';
        }
        p = q;
        if (apostrophe && t >= 2 && tok[t - 2] == '\'' && tok[t - 1] == 's')
            t -= 2;
        if (t == 0)
            continue;
        char first = tok[0];
        int alpha = 1, digit = 0;
        for (Py_ssize_t i = 0; i < t; i++) {
            char d = tok[i];
            alpha &= ST_ALPHA(d);
            digit |= ST_DIGIT(d);
            tok[i] = ST_LOWER(d);
        }
        PyObject *low = PyUnicode_FromStringAndSize(tok, t);
        if (!low)
            goto fail;
        int fw = PySet_Contains(function_words, low);
        if (fw != 0) {
            Py_DECREF(low);
            if (fw < 0)
                goto fail;
            continue;
        }
        PyObject *target;
        if (!alpha && digit) {
            target = numbers;
        } else {
            if (alpha && stem >= 0 && t > stem) {
                Py_DECREF(low);
                low = PyUnicode_FromStringAndSize(tok, stem);
                if (!low)
                    goto fail;
            }
            target = (first >= 'A' && first <= 'Z') ? (t > 1 ? names : NULL) : (first >= 'a' && first <= 'z') ? plains : NULL;
        }
        int rc = PyList_Append(words, low);
        if (rc == 0 && target)
            rc = PyList_Append(target, low);
        Py_DECREF(low);
        if (rc < 0)
            goto fail;
    }
    keystr = PyUnicode_FromStringAndSize(key, klen);
    if (!keystr)
        goto fail;
    PyMem_Free(buf);
    return Py_BuildValue("(NNNNN)", keystr, words, names, plains, numbers);
fail:
    PyMem_Free(buf);
    Py_XDECREF(words);
    Py_XDECREF(names);
    Py_XDECREF(plains);
    Py_XDECREF(numbers);
    return NULL;
}

/* stories_shingles(padded, size) -> frozenset
 *
 * The substrings of ``size`` code points of ``padded`` (the whole string when it is not longer):
 * thresher.stories.collapse._shingles_python in C. */
static PyObject *
stories_shingles(PyObject *self, PyObject *args)
{
    PyObject *padded;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "Un:stories_shingles", &padded, &size))
        return NULL;
    if (size < 1) {
        PyErr_SetString(PyExc_ValueError, "stories_shingles: size must be at least 1");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(padded);
    PyObject *out = PyFrozenSet_New(NULL);
    if (!out)
        return NULL;
    if (n <= size) {
        if (PySet_Add(out, padded) < 0)
            goto fail;
        return out;
    }
    for (Py_ssize_t i = 0; i + size <= n; i++) {
        PyObject *part = PyUnicode_Substring(padded, i, i + size);
        if (!part)
            goto fail;
        int rc = PySet_Add(out, part);
        Py_DECREF(part);
        if (rc < 0)
            goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* stories_sparse_dot(indptr, ids, values, left, right) -> bytes
 *
 * Buffers of C-contiguous int64 (indptr, ids, left, right) and float64 (values): a CSR matrix
 * whose ids ascend within each row, and pairs of rows. Per pair, the sum over the ids both rows
 * hold of the product of their values, added in the left row's order from 0.0 (as
 * thresher.stories.pairs.SparseRows._dot_python adds them); the float64 sums as bytes. */
static PyObject *
stories_sparse_dot(PyObject *self, PyObject *args)
{
    Py_buffer b_indptr, b_ids, b_values, b_left, b_right;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*:stories_sparse_dot", &b_indptr, &b_ids, &b_values, &b_left, &b_right))
        return NULL;
    PyObject *out = NULL;
    Py_ssize_t rows = b_indptr.len / 8 - 1, entries = b_ids.len / 8, pairs = b_left.len / 8;
    if (b_indptr.len % 8 || b_ids.len % 8 || b_left.len % 8 || rows < 0 || b_values.len != b_ids.len
        || b_right.len != b_left.len) {
        PyErr_SetString(PyExc_ValueError, "stories_sparse_dot: bad buffer sizes");
        goto done;
    }
    const int64_t *indptr = (const int64_t *)b_indptr.buf, *ids = (const int64_t *)b_ids.buf;
    const int64_t *left = (const int64_t *)b_left.buf, *right = (const int64_t *)b_right.buf;
    const double *values = (const double *)b_values.buf;
    out = PyBytes_FromStringAndSize(NULL, pairs * 8);
    if (!out)
        goto done;
    double *sums = (double *)PyBytes_AS_STRING(out);
    for (Py_ssize_t k = 0; k < pairs; k++) {
        int64_t a = left[k], b = right[k];
        if (a < 0 || b < 0 || a >= rows || b >= rows || indptr[a] > indptr[a + 1] || indptr[b] > indptr[b + 1]
            || indptr[a] < 0 || indptr[b] < 0 || indptr[a + 1] > entries || indptr[b + 1] > entries) {
            PyErr_SetString(PyExc_IndexError, "stories_sparse_dot: row out of range");
            Py_CLEAR(out);
            goto done;
        }
        int64_t p = indptr[a], pe = indptr[a + 1], q = indptr[b], qe = indptr[b + 1];
        double sum = 0.0;
        while (p < pe && q < qe) {
            if (ids[p] < ids[q]) {
                p++;
            } else if (ids[p] > ids[q]) {
                q++;
            } else {
                sum += values[p] * values[q];
                p++;
                q++;
            }
        }
        sums[k] = sum;
    }
done:
    PyBuffer_Release(&b_indptr);
    PyBuffer_Release(&b_ids);
    PyBuffer_Release(&b_values);
    PyBuffer_Release(&b_left);
    PyBuffer_Release(&b_right);
    return out;
}

/* stories_agglomerate(scores, gate, link, merge) -> list of labels
 *
 * thresher.stories.cluster.agglomerate in C, for a C-contiguous n x n float32 matrix: connected
 * components of the pairs i < j scoring at least ``gate`` (``link`` rounded to float32); within each
 * component (members ascending) average link in float64 on the scores with every non-finite score
 * at -1e6: repeatedly merge the two live clusters with the highest mean cross score (the first pair
 * i < j in row order on ties) whose best cross score is at least ``link``, while that mean is at
 * least ``merge``. Label of a row: its cluster's smallest member. The same float64 operations in the
 * same order as cluster._average_link_lists, so the same clusters. */
static Py_ssize_t
st_find(Py_ssize_t *parent, Py_ssize_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static PyObject *
stories_agglomerate(PyObject *self, PyObject *args)
{
    PyObject *obj;
    double gate, link, merge;
    if (!PyArg_ParseTuple(args, "Oddd:stories_agglomerate", &obj, &gate, &link, &merge))
        return NULL;
    Arr b = {0};
    if (get_array(obj, &b, 'f', 4, 0, "stories_agglomerate: scores") < 0) {
        release_arrays(&b, 1);
        return NULL;
    }
    Py_ssize_t cells = b.view.len / 4, n = 0;
    while (n * n < cells)
        n++;
    if (n * n != cells || (b.view.ndim == 2 && (b.view.shape[0] != n || b.view.shape[1] != n))) {
        release_arrays(&b, 1);
        PyErr_SetString(PyExc_ValueError, "stories_agglomerate: scores must be a square matrix");
        return NULL;
    }
    const float *m = (const float *)b.view.buf;
    PyObject *out = NULL;
    Py_ssize_t *parent = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(3 * n + 1));
    Py_ssize_t *members = parent + n, *label = parent + 2 * n;
    double *sums = NULL, *best = NULL, *size = NULL;
    char *alive = NULL;
    if (!parent)
        goto nomem;
    for (Py_ssize_t i = 0; i < n; i++)
        parent[i] = label[i] = i;
    /* union by size would name other roots, but only the components matter */
    for (Py_ssize_t i = 0; i < n; i++)
        for (Py_ssize_t j = i + 1; j < n; j++)
            if ((double)m[i * n + j] >= gate) {
                Py_ssize_t a = st_find(parent, i), c = st_find(parent, j);
                if (a != c)
                    parent[a > c ? a : c] = a < c ? a : c;
            }
    for (Py_ssize_t i = 0; i < n; i++)
        parent[i] = st_find(parent, i);  /* each row's root: its component's smallest row */
    for (Py_ssize_t root = 0; root < n; root++) {
        if (parent[root] != root)
            continue;
        Py_ssize_t k = 0;
        for (Py_ssize_t i = root; i < n; i++)
            if (parent[i] == root)
                members[k++] = i;
        if (k < 2)
            continue;
        PyMem_Free(sums);
        PyMem_Free(best);
        PyMem_Free(size);
        PyMem_Free(alive);
        sums = PyMem_Malloc(sizeof(double) * (size_t)(k * k));
        best = PyMem_Malloc(sizeof(double) * (size_t)(k * k));
        size = PyMem_Malloc(sizeof(double) * (size_t)k);
        alive = PyMem_Malloc((size_t)k);
        if (!sums || !best || !size || !alive)
            goto nomem;
        for (Py_ssize_t a = 0; a < k; a++) {
            for (Py_ssize_t c = 0; c < k; c++) {
                double x = (double)m[members[a] * n + members[c]];
                if (!isfinite(x))
                    x = -1e6;
                sums[a * k + c] = best[a * k + c] = x;
            }
            sums[a * k + a] = 0.0;
            best[a * k + a] = -INFINITY;
            size[a] = 1.0;
            alive[a] = 1;
            label[members[a]] = a;  /* local cluster of each member, for now */
        }
        for (;;) {
            double top = -INFINITY;
            Py_ssize_t pi = 0, pj = 0;
            for (Py_ssize_t i = 0; i < k; i++) {
                if (!alive[i])
                    continue;
                const double *row = sums + i * k, *g = best + i * k;
                double si = size[i];
                for (Py_ssize_t j = i + 1; j < k; j++) {
                    if (alive[j] && g[j] >= link) {
                        double mean = row[j] / (si * size[j]);
                        if (mean > top) {
                            top = mean;
                            pi = i;
                            pj = j;
                        }
                    }
                }
            }
            if (!(top >= merge))
                break;
            double *ri = sums + pi * k, *rj = sums + pj * k, *gi = best + pi * k, *gj = best + pj * k;
            for (Py_ssize_t c = 0; c < k; c++) {
                ri[c] += rj[c];
                gi[c] = gj[c] > gi[c] ? gj[c] : gi[c];
            }
            for (Py_ssize_t c = 0; c < k; c++) {
                sums[c * k + pi] = ri[c];
                best[c * k + pi] = gi[c];
            }
            ri[pi] = 0.0;
            gi[pi] = -INFINITY;
            size[pi] += size[pj];
            alive[pj] = 0;
            for (Py_ssize_t a = 0; a < k; a++)
                if (label[members[a]] == pj)
                    label[members[a]] = pi;
        }
        /* local cluster -> its smallest member (members ascend: the first one met) */
        Py_ssize_t *first = (Py_ssize_t *)best;  /* k slots are free now */
        for (Py_ssize_t a = 0; a < k; a++)
            first[a] = -1;
        for (Py_ssize_t a = 0; a < k; a++) {
            Py_ssize_t c = label[members[a]];
            if (first[c] < 0)
                first[c] = members[a];
            label[members[a]] = first[c];
        }
    }
    out = PyList_New(n);
    if (!out)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromSsize_t(label[i]);
        if (!v) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, i, v);
    }
    goto done;
nomem:
    PyErr_NoMemory();
done:
    PyMem_Free(parent);
    PyMem_Free(sums);
    PyMem_Free(best);
    PyMem_Free(size);
    PyMem_Free(alive);
    release_arrays(&b, 1);
    return out;
}

/* stories_csr(rows, vocab) -> (ids, values, indptr)
 *
 * The rows (an iterable of iterables of str) as a CSR matrix over the vocabulary ``vocab`` (a dict
 * str -> id, extended in place: a new word gets the next id, in reading order). Per row its distinct
 * ids ascending with how often each occurs: ``ids`` (int64), ``values`` (float64 counts) and
 * ``indptr`` (int64, rows + 1 offsets) as bytes. thresher.stories.pairs.SparseRows builds the same
 * arrays with numpy. */
static int
st_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    int64_t *data;
    Py_ssize_t len, cap;
} St_I64;

static int
st_push(St_I64 *v, int64_t x)
{
    if (v->len == v->cap) {
        Py_ssize_t cap = v->cap ? 2 * v->cap : 256;
        int64_t *data = PyMem_Realloc(v->data, sizeof(int64_t) * (size_t)cap);
        if (!data) {
            PyErr_NoMemory();
            return -1;
        }
        v->data = data;
        v->cap = cap;
    }
    v->data[v->len++] = x;
    return 0;
}

static PyObject *
stories_csr(PyObject *self, PyObject *args)
{
    PyObject *rows, *vocab;
    if (!PyArg_ParseTuple(args, "OO!:stories_csr", &rows, &PyDict_Type, &vocab))
        return NULL;
    St_I64 ids = {0}, counts = {0}, indptr = {0}, row = {0};
    PyObject *outer = PyObject_GetIter(rows), *result = NULL, *inner = NULL, *word = NULL;
    if (!outer || st_push(&indptr, 0) < 0)
        goto done;
    PyObject *line;
    while ((line = PyIter_Next(outer)) != NULL) {
        inner = PyObject_GetIter(line);
        Py_DECREF(line);
        if (!inner)
            goto done;
        row.len = 0;
        while ((word = PyIter_Next(inner)) != NULL) {
            PyObject *known = PyDict_GetItemWithError(vocab, word);
            int64_t id;
            if (known) {
                id = PyLong_AsLongLong(known);
                if (id == -1 && PyErr_Occurred())
                    goto done;
            } else {
                if (PyErr_Occurred())
                    goto done;
                id = PyDict_GET_SIZE(vocab);
                PyObject *value = PyLong_FromLongLong(id);
                if (!value || PyDict_SetItem(vocab, word, value) < 0) {
                    Py_XDECREF(value);
                    goto done;
                }
                Py_DECREF(value);
            }
            Py_CLEAR(word);
            if (st_push(&row, id) < 0)
                goto done;
        }
        Py_CLEAR(inner);
        if (PyErr_Occurred())
            goto done;
        int64_t *r = row.data;
        Py_ssize_t k = row.len;
        if (k > 32) {
            qsort(r, (size_t)k, sizeof(int64_t), st_cmp_i64);
        } else {
            for (Py_ssize_t i = 1; i < k; i++) {
                int64_t x = r[i];
                Py_ssize_t j = i;
                while (j > 0 && r[j - 1] > x) {
                    r[j] = r[j - 1];
                    j--;
                }
                r[j] = x;
            }
        }
        for (Py_ssize_t i = 0; i < k;) {
            Py_ssize_t j = i + 1;
            while (j < k && r[j] == r[i])
                j++;
            if (st_push(&ids, r[i]) < 0 || st_push(&counts, (int64_t)(j - i)) < 0)
                goto done;
            i = j;
        }
        if (st_push(&indptr, ids.len) < 0)
            goto done;
    }
    if (PyErr_Occurred())
        goto done;
    PyObject *b_values = PyBytes_FromStringAndSize(NULL, ids.len * 8);
    if (!b_values)
        goto done;
    double *values = (double *)PyBytes_AS_STRING(b_values);
    for (Py_ssize_t i = 0; i < counts.len; i++)
        values[i] = (double)counts.data[i];
    result = Py_BuildValue("(y#Ny#)", ids.data ? (const char *)ids.data : "", ids.len * 8, b_values,
                           (const char *)indptr.data, indptr.len * 8);
done:
    Py_XDECREF(word);
    Py_XDECREF(inner);
    Py_XDECREF(outer);
    PyMem_Free(ids.data);
    PyMem_Free(counts.data);
    PyMem_Free(indptr.data);
    PyMem_Free(row.data);
    return result;
}

/* stories_collapse(keys, size, threshold, times, window) -> list of roots | None
 *
 * thresher.stories.collapse.collapse compared pair by pair (its path for few texts): the character
 * ``size``-grams of each `` key `` (padded with a space on both sides), two texts joined when the
 * Jaccard of their sets is at least ``threshold`` and their times (``times``: float or None per
 * key, or None) are not more than ``window`` apart; per text the smallest member of its group. None
 * (the caller compares in Python) when a key is shorter than ``size - 2`` characters or holds a
 * character beyond U+FFFF (a gram is packed into 64 bits, 16 per character). */
static int
st_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static PyObject *
stories_collapse(PyObject *self, PyObject *args)
{
    PyObject *keys, *times;
    Py_ssize_t size;
    double threshold, window;
    if (!PyArg_ParseTuple(args, "O!ndOd:stories_collapse", &PyList_Type, &keys, &size, &threshold, &times, &window))
        return NULL;
    if (size < 1 || size > 4) {
        PyErr_SetString(PyExc_ValueError, "stories_collapse: size must be 1 to 4");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(keys);
    if (times != Py_None && (!PyList_Check(times) || PyList_GET_SIZE(times) != n)) {
        PyErr_SetString(PyExc_TypeError, "stories_collapse: times must be None or a list as long as keys");
        return NULL;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *key = PyList_GET_ITEM(keys, i);
        if (!PyUnicode_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "stories_collapse: keys must be str");
            return NULL;
        }
        if (PyUnicode_KIND(key) == PyUnicode_4BYTE_KIND || PyUnicode_GET_LENGTH(key) + 2 < size)
            Py_RETURN_NONE;
        total += PyUnicode_GET_LENGTH(key) + 3 - size;
    }
    PyObject *out = NULL;
    uint64_t *grams = PyMem_Malloc(sizeof(uint64_t) * (size_t)(total + 1));
    Py_ssize_t *start = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(2 * n + 2));
    double *when = PyMem_Malloc(sizeof(double) * (size_t)(n + 1));
    Py_ssize_t *parent = start + n + 1;
    if (!grams || !start || !when) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *key = PyList_GET_ITEM(keys, i);
        int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        Py_ssize_t len = PyUnicode_GET_LENGTH(key), padded = len + 2;
        start[i] = at;
        Py_ssize_t first = at;
        for (Py_ssize_t p = 0; p + size <= padded; p++) {
            uint64_t g = 0;
            for (Py_ssize_t c = p; c < p + size; c++) {
                Py_UCS4 ch = (c == 0 || c == padded - 1) ? ' ' : PyUnicode_READ(kind, data, c - 1);
                g = (g << 16) | ch;
            }
            grams[at++] = g;
        }
        qsort(grams + first, (size_t)(at - first), sizeof(uint64_t), st_cmp_u64);
        Py_ssize_t w = first;  /* distinct grams: a set */
        for (Py_ssize_t r = first; r < at; r++)
            if (r == first || grams[r] != grams[w - 1])
                grams[w++] = grams[r];
        at = w;
        parent[i] = i;
        when[i] = NAN;
        if (times != Py_None) {
            PyObject *t = PyList_GET_ITEM(times, i);
            if (t != Py_None) {
                when[i] = PyFloat_AsDouble(t);
                if (when[i] == -1.0 && PyErr_Occurred())
                    goto done;
            }
        }
    }
    start[n] = at;
    for (Py_ssize_t i = 0; i < n; i++) {
        for (Py_ssize_t j = 0; j < i; j++) {
            if (!isnan(when[i]) && !isnan(when[j]) && fabs(when[i] - when[j]) > window)
                continue;
            Py_ssize_t a = st_find(parent, i), b = st_find(parent, j);
            if (a == b)
                continue;
            Py_ssize_t p = start[i], pe = start[i + 1], q = start[j], qe = start[j + 1], inter = 0;
            while (p < pe && q < qe) {
                if (grams[p] < grams[q]) {
                    p++;
                } else if (grams[p] > grams[q]) {
                    q++;
                } else {
                    inter++;
                    p++;
                    q++;
                }
            }
            Py_ssize_t la = start[i + 1] - start[i], lb = start[j + 1] - start[j];
            if ((double)inter / (double)(la + lb - inter) >= threshold)
                parent[a > b ? a : b] = a < b ? a : b;
        }
    }
    out = PyList_New(n);
    if (!out)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromSsize_t(st_find(parent, i));
        if (!v) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, i, v);
    }
done:
    PyMem_Free(grams);
    PyMem_Free(start);
    PyMem_Free(when);
    return out;
}

/* stories_groups(n, left, right) -> list of lists
 *
 * thresher.stories.cluster.linked_groups in C: the connected components of the pairs
 * (left[k], right[k]) (int64 buffers) over rows 0..n-1; those of two or more rows first, ordered by
 * their smallest row, then each lone row; rows ascending within a component. */
static PyObject *
stories_groups(PyObject *self, PyObject *args)
{
    Py_ssize_t n;
    PyObject *o_left, *o_right;
    if (!PyArg_ParseTuple(args, "nOO:stories_groups", &n, &o_left, &o_right))
        return NULL;
    Arr b[2];
    memset(b, 0, sizeof b);
    if (get_array(o_left, &b[0], 'q', 8, 0, "stories_groups: left") < 0
        || get_array(o_right, &b[1], 'q', 8, 0, "stories_groups: right") < 0) {
        /* numpy's int64 is 'l' on LP64 platforms */
        PyErr_Clear();
        release_arrays(b, 2);
        if (get_array(o_left, &b[0], 'l', 8, 0, "stories_groups: left") < 0
            || get_array(o_right, &b[1], 'l', 8, 0, "stories_groups: right") < 0) {
            release_arrays(b, 2);
            return NULL;
        }
    }
    Py_ssize_t pairs = b[0].view.len / 8;
    PyObject *out = NULL;
    Py_ssize_t *parent = NULL, *count = NULL;
    if (n < 0 || b[1].view.len / 8 != pairs) {
        PyErr_SetString(PyExc_ValueError, "stories_groups: bad sizes");
        goto done;
    }
    parent = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(2 * n + 1));
    if (!parent) {
        PyErr_NoMemory();
        goto done;
    }
    count = parent + n;
    const int64_t *left = (const int64_t *)b[0].view.buf, *right = (const int64_t *)b[1].view.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        parent[i] = i;
        count[i] = 0;
    }
    for (Py_ssize_t k = 0; k < pairs; k++) {
        if (left[k] < 0 || right[k] < 0 || left[k] >= n || right[k] >= n) {
            PyErr_SetString(PyExc_IndexError, "stories_groups: row out of range");
            goto done;
        }
        Py_ssize_t x = st_find(parent, (Py_ssize_t)left[k]), y = st_find(parent, (Py_ssize_t)right[k]);
        if (x != y)
            parent[x > y ? x : y] = x < y ? x : y;  /* a root is its component's smallest row */
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        parent[i] = st_find(parent, i);
        count[parent[i]]++;
    }
    out = PyList_New(0);
    if (!out)
        goto done;
    PyObject **lists = PyMem_Calloc((size_t)(n + 1), sizeof(PyObject *));
    if (!lists) {
        PyErr_NoMemory();
        Py_CLEAR(out);
        goto done;
    }
    for (int alone = 0; alone < 2 && out; alone++) {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t root = parent[i];
            if ((count[root] == 1) != alone)
                continue;
            if (!lists[root]) {
                lists[root] = PyList_New(0);
                if (!lists[root] || PyList_Append(out, lists[root]) < 0) {
                    Py_CLEAR(lists[root]);  /* not in out: ours to free */
                    Py_CLEAR(out);
                    break;
                }
                Py_DECREF(lists[root]);  /* out holds it */
            }
            PyObject *v = PyLong_FromSsize_t(i);
            if (!v || PyList_Append(lists[root], v) < 0) {
                Py_XDECREF(v);
                Py_CLEAR(out);
                break;
            }
            Py_DECREF(v);
        }
    }
    PyMem_Free(lists);
done:
    PyMem_Free(parent);
    release_arrays(b, 2);
    return out;
}

/* stories_block_pairs(indptr, ids, df, low, high) -> (left, right)
 *
 * The candidate pairs of thresher.stories.pairs.candidate_pairs before the time window: rows
 * a < b of the CSR matrix (indptr, ids: int64; ids ascending within a row) that share an id whose
 * frequency ``df[id]`` (float64, per id) is from ``low`` to ``high``; each pair once, sorted by
 * (a, b); int64 arrays as bytes. */
static PyObject *
stories_block_pairs(PyObject *self, PyObject *args)
{
    Py_buffer bi, bd, bf;
    double low, high;
    if (!PyArg_ParseTuple(args, "y*y*y*dd:stories_block_pairs", &bi, &bd, &bf, &low, &high))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t rows = bi.len / 8 - 1, entries = bd.len / 8, vocab = bf.len / 8;
    const int64_t *indptr = bi.buf, *ids = bd.buf;
    const double *df = bf.buf;
    int64_t *start = NULL, *post = NULL, *seen = NULL, *fill = NULL;
    St_I64 left = {0}, right = {0};
    if (rows < 0 || bi.len % 8 || bd.len % 8 || bf.len % 8 || indptr[0] != 0 || indptr[rows] != entries) {
        PyErr_SetString(PyExc_ValueError, "stories_block_pairs: bad CSR arrays");
        goto done;
    }
    for (Py_ssize_t k = 0; k < entries; k++) {
        if (ids[k] < 0 || ids[k] >= vocab) {
            PyErr_SetString(PyExc_IndexError, "stories_block_pairs: id out of range");
            goto done;
        }
    }
    for (Py_ssize_t r = 0; r < rows; r++) {
        if (indptr[r] > indptr[r + 1]) {
            PyErr_SetString(PyExc_ValueError, "stories_block_pairs: bad CSR arrays");
            goto done;
        }
    }
    /* postings of the blocking ids: rows ascending */
    start = PyMem_Calloc((size_t)vocab + 1, sizeof(int64_t));
    fill = PyMem_Calloc((size_t)vocab + 1, sizeof(int64_t));
    post = PyMem_Malloc(sizeof(int64_t) * (size_t)(entries + 1));
    seen = PyMem_Malloc(sizeof(int64_t) * (size_t)(rows + 1));
    if (!start || !fill || !post || !seen) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < entries; k++)
        start[ids[k] + 1]++;
    for (Py_ssize_t v = 0; v < vocab; v++)
        start[v + 1] += start[v];
    for (Py_ssize_t r = 0; r < rows; r++) {
        seen[r] = -1;
        for (int64_t k = indptr[r]; k < indptr[r + 1]; k++) {
            int64_t v = ids[k];
            post[start[v] + fill[v]++] = r;
        }
    }
    for (Py_ssize_t a = 0; a < rows; a++) {
        Py_ssize_t first = right.len;
        for (int64_t k = indptr[a]; k < indptr[a + 1]; k++) {
            int64_t v = ids[k];
            if (!(df[v] >= low && df[v] <= high))
                continue;
            for (int64_t p = start[v + 1] - 1; p >= start[v] && post[p] > a; p--) {
                int64_t b = post[p];
                if (seen[b] == a)
                    continue;
                seen[b] = a;
                if (st_push(&right, b) < 0)
                    goto done;
            }
        }
        int64_t *r = right.data + first;
        Py_ssize_t m = right.len - first;
        if (m > 32) {
            qsort(r, (size_t)m, sizeof(int64_t), st_cmp_i64);
        } else {
            for (Py_ssize_t i = 1; i < m; i++) {
                int64_t x = r[i];
                Py_ssize_t j = i;
                while (j > 0 && r[j - 1] > x) {
                    r[j] = r[j - 1];
                    j--;
                }
                r[j] = x;
            }
        }
        for (Py_ssize_t i = 0; i < m; i++)
            if (st_push(&left, a) < 0)
                goto done;
    }
    result = Py_BuildValue("(y#y#)", left.data ? (const char *)left.data : "", left.len * 8,
                           right.data ? (const char *)right.data : "", right.len * 8);
done:
    PyMem_Free(start);
    PyMem_Free(fill);
    PyMem_Free(post);
    PyMem_Free(seen);
    PyMem_Free(left.data);
    PyMem_Free(right.data);
    PyBuffer_Release(&bi);
    PyBuffer_Release(&bd);
    PyBuffer_Release(&bf);
    return result;
}

PyMethodDef thresher_stories_methods[] = {
    {"stories_gather", stories_gather, METH_VARARGS,
     "stories_gather(infos, entity, plain, number) -> (words, names, plains, numbers)"},
    {"stories_token_ascii", stories_token_ascii, METH_VARARGS,
     "stories_token_ascii(token, function_words, stem) -> (kind, keys) | None"},
    {"stories_terms_ascii", stories_terms_ascii, METH_VARARGS,
     "stories_terms_ascii(text, function_words, stem, table=None) -> (key, words, names, plains, numbers) | None"},
    {"stories_agglomerate", stories_agglomerate, METH_VARARGS,
     "stories_agglomerate(scores, gate, link, merge) -> list of labels (float32 n x n matrix)"},
    {"stories_csr", stories_csr, METH_VARARGS,
     "stories_csr(rows, vocab) -> (ids, values, indptr) as bytes (int64, float64, int64)"},
    {"stories_collapse", stories_collapse, METH_VARARGS,
     "stories_collapse(keys, size, threshold, times, window) -> list of roots | None"},
    {"stories_groups", stories_groups, METH_VARARGS, "stories_groups(n, left, right) -> list of lists of rows"},
    {"stories_block_pairs", stories_block_pairs, METH_VARARGS,
     "stories_block_pairs(indptr, ids, df, low, high) -> (left, right) as bytes of int64"},
    {"stories_shingles", stories_shingles, METH_VARARGS, "stories_shingles(padded, size) -> frozenset"},
    {"stories_sparse_dot", stories_sparse_dot, METH_VARARGS,
     "stories_sparse_dot(indptr, ids, values, left, right) -> bytes of float64 sums"},
    {NULL, NULL, 0, NULL},
};
