/* Leaf sums of gradient-boosted trees over a feature matrix, in C (see classify/trees.py).
 *
 * The node table is trees.py's "paired layout": a node's children are neighbours, so one step of
 * the walk is ``node = left[node] + (x[feat[node]] > thr[node])``; NaN reads as 0. Leaf values are
 * added in the order trees.py's numpy walk adds them, so both give the same numbers to the last
 * bit: per row, one partial sum per leaf depth (0.0, then the trees in order), and the row's raw
 * score is 0.0 plus those partial sums, shallowest depth first.
 *
 * No numpy headers: every array comes in through the buffer protocol, its type checked here.
 */

#include "_speedups.h"
#include <float.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 255
#define LANES 8
#ifndef BLOCK_ROWS
#define BLOCK_ROWS 32
#endif

typedef struct {
    float thr;
    int feat;
    int left;
    int depth;
    double value;
} Node32; /* 24 bytes: a float32 walk reads one record per step, and the leaf's depth and value */

int get_array(PyObject *obj, Arr *b, char format, Py_ssize_t itemsize, int writable, const char *name) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &b->view, flags) < 0) {
        return -1;
    }
    b->held = 1;
    const char *f = b->view.format ? b->view.format : "B";
    if (f[0] == '=' || f[0] == '<' || f[0] == '@') {
        f++;
    }
    if (b->view.itemsize != itemsize || f[0] != format || f[1] != '\0') {
        PyErr_Format(PyExc_TypeError, "%s: expected a contiguous array of '%c' items", name, format);
        return -1;
    }
    return 0;
}

void release_arrays(Arr *bufs, int n) {
    for (int i = 0; i < n; i++) {
        if (bufs[i].held) {
            PyBuffer_Release(&bufs[i].view);
            bufs[i].held = 0;
        }
    }
}

/* A validated node table in the walk's own layout. ``walk`` builds one on the stack from its
 * arguments (checked on every call); ``walk_table`` builds one on the heap once, owned by a capsule,
 * so a loaded model's table is checked once and ``walk_prepared`` skips the checks (trees.py). */
typedef struct {
    Py_ssize_t n_nodes, n_trees;
    const int *feat, *left, *depth, *roots;
    const double *value;
    const double *thr64; /* float64 walks */
    const Node32 *packed; /* float32 walks */
    int *tree_depth;     /* steps each tree needs (its deepest leaf) */
    int max_depth;
    int max_feat;
} Table;

/* every index in range, depths bounded, roots in order, leaves behind infinite thresholds (in each
 * thresholds array given), so no table can make the walk read out of bounds; 0 or -1 (error set) */
static int check_table(Py_ssize_t n_nodes, Py_ssize_t n_trees, const float *thr32, const double *thr64,
                       const int *feat, const int *left, const unsigned char *leaf, const int *depth,
                       const int *roots, int *max_depth, int *max_feat) {
    int md = 0, mf = 0;
    for (Py_ssize_t k = 0; k < n_nodes; k++) {
        int ok_node;
        if (leaf[k]) { /* a leaf loops onto itself behind an infinite threshold */
            ok_node = left[k] == k && feat[k] >= 0 && (thr32 == NULL || (double)thr32[k] > DBL_MAX) &&
                      (thr64 == NULL || thr64[k] > DBL_MAX);
        } else {
            ok_node = feat[k] >= 0 && left[k] >= 0 && left[k] < n_nodes - 1;
        }
        if (!ok_node || depth[k] < 0 || depth[k] > MAX_DEPTH) {
            PyErr_SetString(PyExc_ValueError, "walk: node table out of range");
            return -1;
        }
        if (depth[k] > md) {
            md = depth[k];
        }
        if (feat[k] > mf) {
            mf = feat[k];
        }
    }
    for (Py_ssize_t t = 0; t < n_trees; t++) {
        if (roots[t] < 0 || roots[t] >= n_nodes || (t && roots[t] <= roots[t - 1])) {
            PyErr_SetString(PyExc_ValueError, "walk: root out of range");
            return -1;
        }
    }
    *max_depth = md;
    *max_feat = mf;
    return 0;
}

/* tree_depth (n_trees ints) from a checked table */
static void fill_tree_depth(Table *tb) {
    for (Py_ssize_t t = 0; t < tb->n_trees; t++) {
        Py_ssize_t end = t + 1 < tb->n_trees ? tb->roots[t + 1] : tb->n_nodes;
        int dmax = 0;
        for (Py_ssize_t k = tb->roots[t]; k < end; k++) {
            if (tb->depth[k] > dmax) {
                dmax = tb->depth[k];
            }
        }
        tb->tree_depth[t] = dmax;
    }
}

static Node32 *pack32(Py_ssize_t n_nodes, const float *thr, const int *feat, const int *left, const int *depth,
                      const double *value) {
    Node32 *packed = (Node32 *)PyMem_Malloc(sizeof(Node32) * (n_nodes ? n_nodes : 1));
    if (packed == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n_nodes; k++) {
        packed[k].feat = feat[k];
        packed[k].left = left[k];
        packed[k].thr = thr[k];
        packed[k].depth = depth[k];
        packed[k].value = value[k];
    }
    return packed;
}

/* ask for tree t's node records (a float32 walk): between two documents the other stages push the
 * model out of the caches, and walking a tree is a chain of dependent loads; fetching the next
 * tree's few cache lines while this one is walked hides most of that latency */
static inline void prefetch_tree(const Table *tb, Py_ssize_t t) {
#if defined(__GNUC__) || defined(__clang__)
    if (t < tb->n_trees) {
        const char *a = (const char *)(tb->packed + tb->roots[t]);
        const char *z = (const char *)(tb->packed + (t + 1 < tb->n_trees ? tb->roots[t + 1] : tb->n_nodes));
        for (; a < z; a += 64) {
            __builtin_prefetch(a, 0, 3);
        }
    }
#else
    (void)tb;
    (void)t;
#endif
}

/* the walk itself over a checked table (width > max_feat checked by the caller); 0 or -1 (no memory) */
static int walk_rows(const Table *tb, const void *xbuf, int f32, Py_ssize_t n_rows, Py_ssize_t width,
                     double *raw) {
    Py_ssize_t n_trees = tb->n_trees;
    const int *feat = tb->feat, *left = tb->left, *depth = tb->depth, *roots = tb->roots;
    const int *tree_depth = tb->tree_depth;
    const double *value = tb->value;
    const Node32 *packed = tb->packed;
    int width_sums = tb->max_depth + 1;
    double *sums = (double *)PyMem_Calloc((size_t)(n_rows ? n_rows : 1) * width_sums, sizeof(double));
    /* a float32 walk reads each group of rows from a copy with NaN already 0 (what the walk reads a
       NaN as), so no step of the walk checks for NaN */
    float *clean = f32 ? (float *)PyMem_Malloc(sizeof(float) * (size_t)BLOCK_ROWS * (size_t)(width ? width : 1)) : NULL;
    if (sums == NULL || (f32 && clean == NULL)) {
        PyMem_Free(sums);
        PyMem_Free(clean);
        PyErr_NoMemory();
        return -1;
    }
    Py_BEGIN_ALLOW_THREADS
    if (f32 && n_rows > 1) {
        /* read the node records front to back first: a sequential pass the hardware prefetches
           runs at memory bandwidth, where the walk's dependent loads would each wait for a miss */
        volatile int sink = 0; /* volatile: the read pass is not optimised away */
        for (Py_ssize_t k = 0; k < tb->n_nodes; k += 64 / (Py_ssize_t)sizeof(Node32)) { /* a read every cache line */
            sink += packed[k].feat;
        }
        (void)sink;
    }
    /* tree by tree (its nodes stay in cache), rows in groups walked in lockstep (independent
       chains of loads overlap); a leaf loops onto itself (threshold +inf), so extra steps are no-ops */
    for (Py_ssize_t r0 = 0; r0 < n_rows; r0 += BLOCK_ROWS) {
    Py_ssize_t r_end = r0 + BLOCK_ROWS < n_rows ? r0 + BLOCK_ROWS : n_rows;
    if (f32) {
        const float *src = (const float *)xbuf + r0 * width;
        Py_ssize_t count = (r_end - r0) * width;
        for (Py_ssize_t k = 0; k < count; k++) {
            float v = src[k];
            clean[k] = v != v ? 0.0f : v;
        }
        prefetch_tree(tb, 0);
    }
    for (Py_ssize_t t = 0; t < n_trees; t++) {
        int root = roots[t];
        int steps = tree_depth[t];
        if (f32) {
            prefetch_tree(tb, t + 1);
        }
        for (Py_ssize_t r = r0; r < r_end; r += LANES) {
            Py_ssize_t lanes = r_end - r < LANES ? r_end - r : LANES;
            int node[LANES];
            for (int j = 0; j < LANES; j++) {
                node[j] = root;
            }
            if (f32) {
                const float *row[LANES]; /* lanes past the last row walk the last row again */
                for (int j = 0; j < LANES; j++) {
                    row[j] = clean + (r - r0 + (j < lanes ? j : lanes - 1)) * width;
                }
                for (int s = 0; s < steps; s++) {
                    int moved = 0;
                    for (int j = 0; j < LANES; j++) {
                        const Node32 *nd = packed + node[j];
                        float v = row[j][nd->feat]; /* never NaN: see clean */
                        int next = nd->left + (v > nd->thr);
                        moved |= next ^ node[j];
                        node[j] = next;
                    }
                    if (!moved) { /* every lane at a leaf: later steps change nothing */
                        break;
                    }
                }
            } else {
                const double *x = (const double *)xbuf + r * width;
                const double *thr = tb->thr64;
                for (int s = 0; s < steps; s++) {
                    for (Py_ssize_t j = 0; j < lanes; j++) {
                        int k = node[j];
                        double v = x[j * width + feat[k]];
                        v = v != v ? 0.0 : v;
                        node[j] = left[k] + (v > thr[k]);
                    }
                }
            }
            if (f32) {
                for (Py_ssize_t j = 0; j < lanes; j++) {
                    const Node32 *nd = packed + node[j];
                    sums[(r + j) * width_sums + nd->depth] += nd->value;
                }
            } else {
                for (Py_ssize_t j = 0; j < lanes; j++) {
                    int k = node[j];
                    sums[(r + j) * width_sums + depth[k]] += value[k];
                }
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
    PyMem_Free(clean);
    return 0;
}

/* walk(x, width, thr, feat, left, leaf, depth, value, roots, raw)
 *   x: float32 ('f') or float64 ('d') rows of ``width`` features; thr: same type as x
 *   feat, left, depth, roots: int32 ('i'); leaf: uint8 ('B'); value: float64; raw: float64 out
 * The table is checked on every call; a caller walking one table many times uses walk_table once
 * and walk_prepared after.
 */
static PyObject *walk(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[9];
    Py_ssize_t width;
    PyObject *o_raw;
    if (!PyArg_ParseTuple(args, "OnOOOOOOOO", &objs[0], &width, &objs[1], &objs[2], &objs[3],
                          &objs[4], &objs[5], &objs[6], &objs[7], &o_raw)) {
        return NULL;
    }
    Arr b[10];
    memset(b, 0, sizeof(b));
    /* x decides the float type */
    Py_buffer probe;
    if (PyObject_GetBuffer(objs[0], &probe, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    int f32 = probe.itemsize == 4;
    PyBuffer_Release(&probe);
    char ft = f32 ? 'f' : 'd';
    Py_ssize_t fs = f32 ? 4 : 8;
    if (get_array(objs[0], &b[0], ft, fs, 0, "x") < 0 || get_array(objs[1], &b[1], ft, fs, 0, "thr") < 0 ||
        get_array(objs[2], &b[2], 'i', 4, 0, "feat") < 0 || get_array(objs[3], &b[3], 'i', 4, 0, "left") < 0 ||
        get_array(objs[4], &b[4], 'B', 1, 0, "leaf") < 0 || get_array(objs[5], &b[5], 'i', 4, 0, "depth") < 0 ||
        get_array(objs[6], &b[6], 'd', 8, 0, "value") < 0 || get_array(objs[7], &b[7], 'i', 4, 0, "roots") < 0 ||
        get_array(o_raw, &b[8], 'd', 8, 1, "raw") < 0) {
        release_arrays(b, 9);
        return NULL;
    }
    Py_ssize_t n_nodes = b[1].view.len / fs;
    Py_ssize_t n_trees = b[7].view.len / 4;
    Py_ssize_t n_rows = b[8].view.len / 8;
    if (width <= 0 || b[0].view.len / fs != n_rows * width || b[2].view.len / 4 != n_nodes ||
        b[3].view.len / 4 != n_nodes || b[4].view.len != n_nodes || b[5].view.len / 4 != n_nodes ||
        b[6].view.len / 8 != n_nodes) {
        release_arrays(b, 9);
        PyErr_SetString(PyExc_ValueError, "walk: array sizes do not match");
        return NULL;
    }
    Table tb;
    memset(&tb, 0, sizeof(tb));
    tb.n_nodes = n_nodes;
    tb.n_trees = n_trees;
    tb.feat = (const int *)b[2].view.buf;
    tb.left = (const int *)b[3].view.buf;
    tb.depth = (const int *)b[5].view.buf;
    tb.value = (const double *)b[6].view.buf;
    tb.roots = (const int *)b[7].view.buf;
    const float *thr32 = f32 ? (const float *)b[1].view.buf : NULL;
    const double *thr64 = f32 ? NULL : (const double *)b[1].view.buf;
    tb.thr64 = thr64;
    if (check_table(n_nodes, n_trees, thr32, thr64, tb.feat, tb.left, (const unsigned char *)b[4].view.buf,
                    tb.depth, tb.roots, &tb.max_depth, &tb.max_feat) < 0) {
        release_arrays(b, 9);
        return NULL;
    }
    if (n_nodes && tb.max_feat >= width) {
        release_arrays(b, 9);
        PyErr_SetString(PyExc_ValueError, "walk: node table out of range");
        return NULL;
    }
    tb.tree_depth = (int *)PyMem_Malloc(sizeof(int) * (n_trees ? n_trees : 1));
    Node32 *packed = f32 ? pack32(n_nodes, thr32, tb.feat, tb.left, tb.depth, tb.value) : NULL;
    if (tb.tree_depth == NULL || (f32 && packed == NULL)) {
        PyMem_Free(tb.tree_depth);
        PyMem_Free(packed);
        release_arrays(b, 9);
        return PyErr_NoMemory();
    }
    fill_tree_depth(&tb);
    tb.packed = packed;
    int err = walk_rows(&tb, b[0].view.buf, f32, n_rows, width, (double *)b[8].view.buf);
    PyMem_Free(tb.tree_depth);
    PyMem_Free(packed);
    release_arrays(b, 9);
    if (err < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

#define TABLE_CAPSULE "thresher._speedups.Table"

typedef struct {
    Table tb;
    void *mem[8]; /* the heap copies the table points into */
} OwnedTable;

static void free_table(PyObject *capsule) {
    OwnedTable *ot = (OwnedTable *)PyCapsule_GetPointer(capsule, TABLE_CAPSULE);
    if (ot == NULL) {
        PyErr_Clear();
        return;
    }
    for (int i = 0; i < 8; i++) {
        PyMem_Free(ot->mem[i]);
    }
    PyMem_Free(ot);
}

static void *copy_of(const Arr *b) {
    void *p = PyMem_Malloc(b->view.len ? (size_t)b->view.len : 1);
    if (p != NULL && b->view.len) {
        memcpy(p, b->view.buf, (size_t)b->view.len);
    }
    return p;
}

/* walk_table(thr32, thr64, feat, left, leaf, depth, value, roots) -> an opaque table for
 * walk_prepared: the node table checked once and copied (both threshold precisions), so later
 * walks over it need no checks. Types as for walk; thr32 float32, thr64 float64. */
static PyObject *walk_table(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[8];
    if (!PyArg_ParseTuple(args, "OOOOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6], &objs[7])) {
        return NULL;
    }
    Arr b[8];
    memset(b, 0, sizeof(b));
    if (get_array(objs[0], &b[0], 'f', 4, 0, "thr32") < 0 || get_array(objs[1], &b[1], 'd', 8, 0, "thr64") < 0 ||
        get_array(objs[2], &b[2], 'i', 4, 0, "feat") < 0 || get_array(objs[3], &b[3], 'i', 4, 0, "left") < 0 ||
        get_array(objs[4], &b[4], 'B', 1, 0, "leaf") < 0 || get_array(objs[5], &b[5], 'i', 4, 0, "depth") < 0 ||
        get_array(objs[6], &b[6], 'd', 8, 0, "value") < 0 || get_array(objs[7], &b[7], 'i', 4, 0, "roots") < 0) {
        release_arrays(b, 8);
        return NULL;
    }
    Py_ssize_t n_nodes = b[0].view.len / 4;
    Py_ssize_t n_trees = b[7].view.len / 4;
    if (n_nodes == 0 || n_trees == 0 || b[1].view.len / 8 != n_nodes || b[2].view.len / 4 != n_nodes ||
        b[3].view.len / 4 != n_nodes || b[4].view.len != n_nodes || b[5].view.len / 4 != n_nodes ||
        b[6].view.len / 8 != n_nodes) {
        release_arrays(b, 8);
        PyErr_SetString(PyExc_ValueError, "walk_table: array sizes do not match");
        return NULL;
    }
    int max_depth, max_feat;
    if (check_table(n_nodes, n_trees, (const float *)b[0].view.buf, (const double *)b[1].view.buf,
                    (const int *)b[2].view.buf, (const int *)b[3].view.buf, (const unsigned char *)b[4].view.buf,
                    (const int *)b[5].view.buf, (const int *)b[7].view.buf, &max_depth, &max_feat) < 0) {
        release_arrays(b, 8);
        return NULL;
    }
    OwnedTable *ot = (OwnedTable *)PyMem_Calloc(1, sizeof(OwnedTable));
    if (ot == NULL) {
        release_arrays(b, 8);
        return PyErr_NoMemory();
    }
    int ok = 1;
    ot->mem[0] = copy_of(&b[1]); /* thr64 */
    ot->mem[1] = copy_of(&b[2]); /* feat */
    ot->mem[2] = copy_of(&b[3]); /* left */
    ot->mem[3] = copy_of(&b[5]); /* depth */
    ot->mem[4] = copy_of(&b[6]); /* value */
    ot->mem[5] = copy_of(&b[7]); /* roots */
    ot->mem[6] = PyMem_Malloc(sizeof(int) * (size_t)n_trees);
    ot->mem[7] = pack32(n_nodes, (const float *)b[0].view.buf, (const int *)b[2].view.buf,
                        (const int *)b[3].view.buf, (const int *)b[5].view.buf, (const double *)b[6].view.buf);
    for (int i = 0; i < 8; i++) {
        ok &= ot->mem[i] != NULL;
    }
    release_arrays(b, 8);
    if (!ok) {
        for (int i = 0; i < 8; i++) {
            PyMem_Free(ot->mem[i]);
        }
        PyMem_Free(ot);
        return PyErr_NoMemory();
    }
    Table *tb = &ot->tb;
    tb->n_nodes = n_nodes;
    tb->n_trees = n_trees;
    tb->thr64 = (const double *)ot->mem[0];
    tb->feat = (const int *)ot->mem[1];
    tb->left = (const int *)ot->mem[2];
    tb->depth = (const int *)ot->mem[3];
    tb->value = (const double *)ot->mem[4];
    tb->roots = (const int *)ot->mem[5];
    tb->tree_depth = (int *)ot->mem[6];
    tb->packed = (const Node32 *)ot->mem[7];
    tb->max_depth = max_depth;
    tb->max_feat = max_feat;
    fill_tree_depth(tb);
    PyObject *capsule = PyCapsule_New(ot, TABLE_CAPSULE, free_table);
    if (capsule == NULL) {
        for (int i = 0; i < 8; i++) {
            PyMem_Free(ot->mem[i]);
        }
        PyMem_Free(ot);
    }
    return capsule;
}

/* walk_prepared(table, x, width, raw): walk over a table from walk_table, without re-checking it
 * (only x against the table: its float type, its size, a width covering every feature). */
static PyObject *walk_prepared(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *capsule, *o_x, *o_raw;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "OOnO", &capsule, &o_x, &width, &o_raw)) {
        return NULL;
    }
    const OwnedTable *ot = (const OwnedTable *)PyCapsule_GetPointer(capsule, TABLE_CAPSULE);
    if (ot == NULL) {
        return NULL;
    }
    Arr b[2];
    memset(b, 0, sizeof(b));
    Py_buffer probe;
    if (PyObject_GetBuffer(o_x, &probe, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    int f32 = probe.itemsize == 4;
    PyBuffer_Release(&probe);
    Py_ssize_t fs = f32 ? 4 : 8;
    if (get_array(o_x, &b[0], f32 ? 'f' : 'd', fs, 0, "x") < 0 || get_array(o_raw, &b[1], 'd', 8, 1, "raw") < 0) {
        release_arrays(b, 2);
        return NULL;
    }
    Py_ssize_t n_rows = b[1].view.len / 8;
    if (width <= 0 || b[0].view.len / fs != n_rows * width || ot->tb.max_feat >= width) {
        release_arrays(b, 2);
        PyErr_SetString(PyExc_ValueError, "walk_prepared: rows do not match the table");
        return NULL;
    }
    int err = walk_rows(&ot->tb, b[0].view.buf, f32, n_rows, width, (double *)b[1].view.buf);
    release_arrays(b, 2);
    if (err < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}


/* row_dicts(names, values): one dict per row of a C-contiguous float64 matrix, name -> float, in
 * the order of ``names`` (a tuple of str, one per column): ``[dict(zip(names, row)) for row in
 * values.tolist()]`` without the intermediate lists (segment/features.py builds blocks' feature
 * mappings with it). */
static PyObject *row_dicts(PyObject *self, PyObject *args) {
    PyObject *names, *values;
    if (!PyArg_ParseTuple(args, "O!O", &PyTuple_Type, &names, &values)) {
        return NULL;
    }
    Arr b = {0};
    if (PyObject_GetBuffer(values, &b.view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    b.held = 1;
    Py_ssize_t width = PyTuple_GET_SIZE(names);
    if (b.view.ndim != 2 || b.view.itemsize != 8 || b.view.format == NULL ||
        strcmp(b.view.format, "d") != 0 || b.view.shape[1] != width) {
        PyBuffer_Release(&b.view);
        PyErr_SetString(PyExc_ValueError, "row_dicts: values must be a C-contiguous float64 matrix, one column per name");
        return NULL;
    }
    Py_ssize_t n_rows = b.view.shape[0];
    const double *x = (const double *)b.view.buf;
    PyObject *out = PyList_New(n_rows);
    if (out == NULL) {
        PyBuffer_Release(&b.view);
        return NULL;
    }
    for (Py_ssize_t r = 0; r < n_rows; r++) {
        PyObject *d = PyDict_New();
        if (d == NULL) {
            goto fail;
        }
        PyList_SET_ITEM(out, r, d);
        for (Py_ssize_t j = 0; j < width; j++) {
            PyObject *v = PyFloat_FromDouble(x[r * width + j]);
            if (v == NULL) {
                goto fail;
            }
            int err = PyDict_SetItem(d, PyTuple_GET_ITEM(names, j), v);
            Py_DECREF(v);
            if (err < 0) {
                goto fail;
            }
        }
    }
    PyBuffer_Release(&b.view);
    return out;
fail:
    PyBuffer_Release(&b.view);
    Py_DECREF(out);
    return NULL;
}

/* strip_indices(text) -> str: ``re.sub(r"\[\d+\]", "", text)`` (classify/html_model.py's sibling
 * paths: ``div[2]/ul[1]/li[3]`` -> ``div/ul/li``), with ``\d`` as the re module reads it in a str
 * pattern: a Unicode decimal digit. Leftmost first, as re.sub: a "[" that opens no match stays. */
#define STRIP_LOOP(T)                                                                               \
    static Py_ssize_t strip_##T(const T *p, Py_ssize_t n, T *out) {                                 \
        Py_ssize_t k = 0, i = 0;                                                                    \
        while (i < n) {                                                                             \
            if (p[i] == '[') {                                                                      \
                Py_ssize_t j = i + 1;                                                               \
                while (j < n && Py_UNICODE_ISDECIMAL(p[j])) {                                       \
                    j++;                                                                            \
                }                                                                                   \
                if (j > i + 1 && j < n && p[j] == ']') {                                            \
                    i = j + 1;                                                                      \
                    continue;                                                                       \
                }                                                                                   \
            }                                                                                       \
            out[k++] = p[i++];                                                                      \
        }                                                                                           \
        return k;                                                                                   \
    }

STRIP_LOOP(Py_UCS1)
STRIP_LOOP(Py_UCS2)
STRIP_LOOP(Py_UCS4)

static PyObject *strip_indices(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) {
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    void *out = PyMem_Malloc((size_t)(n ? n : 1) * (size_t)kind);
    if (out == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t k;
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        k = strip_Py_UCS1(PyUnicode_1BYTE_DATA(text), n, (Py_UCS1 *)out);
        break;
    case PyUnicode_2BYTE_KIND:
        k = strip_Py_UCS2(PyUnicode_2BYTE_DATA(text), n, (Py_UCS2 *)out);
        break;
    default:
        k = strip_Py_UCS4(PyUnicode_4BYTE_DATA(text), n, (Py_UCS4 *)out);
        break;
    }
    /* copied into a str of the narrowest kind that holds what is left (a removed digit may have
       been the widest character) */
    PyObject *result = PyUnicode_FromKindAndData(kind, out, k);
    PyMem_Free(out);
    return result;
}

/* path_chains(paths) -> (ids, parent, steps, leaf): classify/html_rules.py ``_Paths``'s numbering of
 * the tag paths' prefixes (its Python loop ``_path_chains`` is the reference). ``ids``: prefix ->
 * id, in the order they are first reached; ``parent``, ``steps``: per id, the id of the prefix one
 * step shorter (-1 for none) and the length of its chain; ``leaf``: per path, the id ending its
 * chain (-1: the empty path). The three arrays as bytes of int64. */
typedef struct {
    int64_t *v;
    Py_ssize_t n, cap;
} I64Vec;

static int i64_push(I64Vec *a, int64_t x) {
    if (a->n == a->cap) {
        Py_ssize_t cap = a->cap ? 2 * a->cap : 64;
        int64_t *grown = PyMem_Realloc(a->v, sizeof(int64_t) * (size_t)cap);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        a->v = grown;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* known[prefix] = ids[prefix] = the next id, its parent ``above``; the new id, or -2 (error set) */
static int64_t chains_new_id(PyObject *known, PyObject *ids, PyObject *prefix, int64_t above, I64Vec *parent,
                             I64Vec *steps) {
    int64_t id = (int64_t)parent->n;
    PyObject *k = PyLong_FromLongLong(id);
    if (k == NULL || PyDict_SetItem(known, prefix, k) < 0 || PyDict_SetItem(ids, prefix, k) < 0) {
        Py_XDECREF(k);
        return -2;
    }
    Py_DECREF(k);
    if (i64_push(parent, above) < 0 || i64_push(steps, above >= 0 ? steps->v[above] + 1 : 1) < 0) {
        return -2;
    }
    return id;
}

/* the id known for ``key`` in ``known``: >= -1, -3 when absent, -2 on error */
static int64_t chains_get(PyObject *known, PyObject *key) {
    PyObject *got = PyDict_GetItemWithError(known, key);
    if (got == NULL) {
        return PyErr_Occurred() ? -2 : -3;
    }
    long long v = PyLong_AsLongLong(got);
    return v == -1 && PyErr_Occurred() ? -2 : (int64_t)v;
}

static PyObject *path_chains(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *paths;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &paths)) {
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(paths);
    PyObject *ids = PyDict_New(), *known = PyDict_New(), *minus_one = PyLong_FromLong(-1);
    PyObject *result = NULL, *todo = PyList_New(0);
    I64Vec parent = {0}, steps = {0}, leaf = {0};
    if (ids == NULL || known == NULL || minus_one == NULL || todo == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *path = PyList_GET_ITEM(paths, i);
        if (!PyUnicode_Check(path)) {
            PyErr_SetString(PyExc_TypeError, "path_chains: paths must be str");
            goto done;
        }
        int64_t got = chains_get(known, path);
        if (got == -2) {
            goto done;
        }
        if (got == -3) {
            Py_ssize_t len = PyUnicode_GET_LENGTH(path);
            Py_ssize_t cut = len ? PyUnicode_FindChar(path, '/', 0, len, -1) : -1;
            if (cut == -2) {
                goto done;
            }
            int64_t above = -3;
            if (cut >= 0) {
                PyObject *prefix = PyUnicode_Substring(path, 0, cut);
                if (prefix == NULL) {
                    goto done;
                }
                above = chains_get(known, prefix);
                Py_DECREF(prefix);
                if (above == -2) {
                    goto done;
                }
            }
            if (above != -3) { /* the usual case: the parent element was seen */
                got = chains_new_id(known, ids, path, above, &parent, &steps);
            } else if (len == 0) {
                got = PyDict_SetItem(known, path, minus_one) < 0 ? -2 : -1;
            } else { /* up to the nearest ancestor already seen, then down again */
                if (PyList_SetSlice(todo, 0, PyList_GET_SIZE(todo), NULL) < 0 || PyList_Append(todo, path) < 0) {
                    goto done;
                }
                got = -1;
                while (cut != -1) {
                    PyObject *prefix = PyUnicode_Substring(path, 0, cut);
                    if (prefix == NULL) {
                        goto done;
                    }
                    int64_t seen = chains_get(known, prefix);
                    if (seen == -2) {
                        Py_DECREF(prefix);
                        goto done;
                    }
                    if (seen != -3) {
                        Py_DECREF(prefix);
                        got = seen;
                        break;
                    }
                    int err = PyList_Append(todo, prefix);
                    Py_DECREF(prefix);
                    if (err < 0) {
                        goto done;
                    }
                    cut = cut > 0 ? PyUnicode_FindChar(path, '/', 0, cut, -1) : -1;
                    if (cut == -2) {
                        goto done;
                    }
                }
                for (Py_ssize_t k = PyList_GET_SIZE(todo) - 1; k >= 0 && got != -2; k--) {
                    got = chains_new_id(known, ids, PyList_GET_ITEM(todo, k), got, &parent, &steps);
                }
            }
            if (got == -2) {
                goto done;
            }
        }
        if (i64_push(&leaf, got) < 0) {
            goto done;
        }
    }
    /* (an empty array is b"", never None: y# turns a NULL pointer into None) */
    result = Py_BuildValue("(Oy#y#y#)", ids, parent.v ? (const char *)parent.v : "",
                           parent.n * (Py_ssize_t)sizeof(int64_t), steps.v ? (const char *)steps.v : "",
                           steps.n * (Py_ssize_t)sizeof(int64_t), leaf.v ? (const char *)leaf.v : "",
                           leaf.n * (Py_ssize_t)sizeof(int64_t));
done:
    Py_XDECREF(ids);
    Py_XDECREF(known);
    Py_XDECREF(minus_one);
    Py_XDECREF(todo);
    PyMem_Free(parent.v);
    PyMem_Free(steps.v);
    PyMem_Free(leaf.v);
    return result;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_VARARGS,
     "walk(x, width, thr, feat, left, leaf, depth, value, roots, raw): leaf sums of every row into raw."},
    {"walk_table", walk_table, METH_VARARGS,
     "walk_table(thr32, thr64, feat, left, leaf, depth, value, roots): the node table checked once, for walk_prepared."},
    {"walk_prepared", walk_prepared, METH_VARARGS,
     "walk_prepared(table, x, width, raw): walk's leaf sums over a table from walk_table, no table checks."},
    {"row_dicts", row_dicts, METH_VARARGS,
     "row_dicts(names, values): [dict(zip(names, row)) for row in values.tolist()] (float64 matrix)."},
    {"path_chains", path_chains, METH_VARARGS,
     "path_chains(paths): (ids, parent, steps, leaf) of the tag paths' prefixes, as html_rules._Paths numbers them."},
    {"strip_indices", strip_indices, METH_VARARGS,
     "strip_indices(text): re.sub(r'\\[\\d+\\]', '', text) (sibling indices out of tag paths)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", "Hot loops in C: the gradient-boosted tree walk (thresher.classify.trees), per-block feature dicts (thresher.segment.features) and sibling paths (thresher.classify.html_model).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddFunctions(m, thresher_text_methods) < 0 ||
        PyModule_AddFunctions(m, thresher_lexbor_methods) < 0 ||
        PyModule_AddFunctions(m, thresher_stories_methods) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
