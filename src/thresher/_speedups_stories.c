/* Story clustering's hot loops in C (see thresher.stories). */
#include "_speedups.h"
#include <stdint.h>

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

PyMethodDef thresher_stories_methods[] = {
    {"stories_gather", stories_gather, METH_VARARGS,
     "stories_gather(infos, entity, plain, number) -> (words, names, plains, numbers)"},
    {"stories_token_ascii", stories_token_ascii, METH_VARARGS,
     "stories_token_ascii(token, function_words, stem) -> (kind, keys) | None"},
    {"stories_shingles", stories_shingles, METH_VARARGS, "stories_shingles(padded, size) -> frozenset"},
    {"stories_sparse_dot", stories_sparse_dot, METH_VARARGS,
     "stories_sparse_dot(indptr, ids, values, left, right) -> bytes of float64 sums"},
    {NULL, NULL, 0, NULL},
};
