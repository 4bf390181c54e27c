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
#include <limits.h>
#include <math.h>
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
    /* the same trees for a float32 walk by false nodes (NULL when not built, see build_bits) */
    const struct BitNode *bits;  /* inner nodes feature by feature, thresholds ascending, each
                                    feature's nodes followed by a sentinel (threshold +inf) */
    const int *bit_feats;        /* (feature, first node in bits) per feature with nodes */
    const int *leaf_base;        /* per tree, its first leaf in leaf_value / leaf_depth */
    const double *leaf_value;    /* leaves tree by tree, left to right */
    const int *leaf_depth;
    int n_bit_feats;
} Table;

/* One inner node for the walk by false nodes: a row whose feature value is above ``thr`` goes
 * right, so none of the leaves under the node's left child can be its exit leaf: ``mask`` clears
 * their bits in tree ``tree``'s leaf set. */
typedef struct BitNode {
    float thr;
    int tree;
    uint64_t mask;
} BitNode;

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

/* the index of the lowest set bit of a non-zero word */
static inline int lowest_bit(uint64_t w) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(w);
#else
    int i = 0;
    while (!(w & 1)) {
        w >>= 1;
        i++;
    }
    return i;
#endif
}

/* A float32 walk over a table with ``bits`` (QuickScorer: Lucchese et al., SIGIR 2015): per row,
 * every tree's leaves start as candidates; for each feature, the inner nodes it splits are visited
 * in ascending threshold order while the row's value is above the threshold (``v > thr``: the walk's
 * own test, so the same nodes send the row right), each clearing the leaves of its left subtree;
 * the exit leaf of a tree is then its leftmost leaf still a candidate, the leaf the node-by-node
 * walk reaches. Leaf values are added per row in tree order to the partial sum of the leaf's depth,
 * and the partial sums added shallowest first, as walk_rows does: the same numbers to the last bit.
 * Same caller contract as walk_rows. */
static int walk_bits(const Table *tb, const float *x, Py_ssize_t n_rows, Py_ssize_t width, double *raw) {
    Py_ssize_t n_trees = tb->n_trees;
    int width_sums = tb->max_depth + 1;
    uint64_t *cand = (uint64_t *)PyMem_Malloc(sizeof(uint64_t) * (size_t)n_trees);
    double *sums = (double *)PyMem_Malloc(sizeof(double) * (size_t)width_sums);
    if (cand == NULL || sums == NULL) {
        PyMem_Free(cand);
        PyMem_Free(sums);
        PyErr_NoMemory();
        return -1;
    }
    const BitNode *bits = tb->bits;
    const int *bit_feats = tb->bit_feats;
    const int *leaf_base = tb->leaf_base, *leaf_depth = tb->leaf_depth;
    const double *leaf_value = tb->leaf_value;
    int n_feats = tb->n_bit_feats;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < n_rows; r++) {
        const float *row = x + r * width;
        for (Py_ssize_t t = 0; t < n_trees; t++) {
            cand[t] = ~(uint64_t)0;
        }
        for (int i = 0; i < n_feats; i++) {
            float v = row[bit_feats[2 * i]];
            v = v != v ? 0.0f : v; /* NaN reads as 0 */
            /* each feature's nodes end with a sentinel (threshold +inf, never below v) */
            for (const BitNode *nd = bits + bit_feats[2 * i + 1]; v > nd->thr; nd++) {
                cand[nd->tree] &= nd->mask;
            }
        }
        memset(sums, 0, sizeof(double) * (size_t)width_sums);
        for (Py_ssize_t t = 0; t < n_trees; t++) {
            int leaf = leaf_base[t] + lowest_bit(cand[t]);
            sums[leaf_depth[leaf]] += leaf_value[leaf];
        }
        double total = 0.0;
        for (int d = 0; d < width_sums; d++) {
            total += sums[d];
        }
        raw[r] = total;
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(cand);
    PyMem_Free(sums);
    return 0;
}

/* the walk itself over a checked table (width > max_feat checked by the caller); 0 or -1 (no memory) */
static int walk_rows(const Table *tb, const void *xbuf, int f32, Py_ssize_t n_rows, Py_ssize_t width,
                     double *raw) {
    if (f32 && tb->bits != NULL) {
        return walk_bits(tb, (const float *)xbuf, n_rows, width, raw);
    }
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

#define OWNED_MEM 13

typedef struct {
    Table tb;
    void *mem[OWNED_MEM]; /* the heap copies the table points into */
} OwnedTable;

static void free_table(PyObject *capsule) {
    OwnedTable *ot = (OwnedTable *)PyCapsule_GetPointer(capsule, TABLE_CAPSULE);
    if (ot == NULL) {
        PyErr_Clear();
        return;
    }
    for (int i = 0; i < OWNED_MEM; i++) {
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

/* Leaves of the subtree at ``k`` numbered left to right from ``*next`` (their values and depths
 * written at ``leaf_value[base + i]``, ``leaf_depth[base + i]``), each inner node's BitNode (with
 * its feature in ``node_feat``) appended at ``*n_out``; the subtree's leaf range [lo, hi) in
 * ``*lo``, ``*hi``. The caller checked the tree's shape (children after their parents, inside the
 * tree, depths one more than the parent's, at most 64 leaves). */
static void number_leaves(const Table *tb, const float *thr32, const unsigned char *leaf, int t, int k, int base,
                          int *next, double *leaf_value, int *leaf_depth, BitNode *out, int *node_feat,
                          Py_ssize_t *n_out, int *lo, int *hi) {
    if (leaf[k]) {
        *lo = *next;
        *hi = *next + 1;
        leaf_value[base + *next] = tb->value[k];
        leaf_depth[base + *next] = tb->depth[k];
        (*next)++;
        return;
    }
    int l_lo, l_hi, r_lo, r_hi;
    number_leaves(tb, thr32, leaf, t, tb->left[k], base, next, leaf_value, leaf_depth, out, node_feat, n_out,
                  &l_lo, &l_hi);
    number_leaves(tb, thr32, leaf, t, tb->left[k] + 1, base, next, leaf_value, leaf_depth, out, node_feat, n_out,
                  &r_lo, &r_hi);
    uint64_t left_leaves = (l_hi - l_lo == 64 ? ~(uint64_t)0 : (((uint64_t)1 << (l_hi - l_lo)) - 1)) << l_lo;
    out[*n_out].thr = thr32[k];
    out[*n_out].tree = t;
    out[*n_out].mask = ~left_leaves;
    node_feat[*n_out] = tb->feat[k];
    (*n_out)++;
    *lo = l_lo;
    *hi = r_hi;
}

static int compare_bit_nodes(const void *a, const void *b) {
    float x = ((const BitNode *)a)->thr, y = ((const BitNode *)b)->thr;
    return (x > y) - (x < y);
}

/* The walk by false nodes' layout (walk_bits) for a checked table with float32 thresholds, its
 * arrays stored in ``ot->mem[8..12]``; nothing is built (tb->bits stays NULL, the walk node by
 * node) when a tree has more than 64 leaves, a NaN threshold or a shape other than trees.py's
 * paired layout gives. 0, or -1 (no memory). */
static int build_bits(OwnedTable *ot, const float *thr32, const unsigned char *leaf) {
    Table *tb = &ot->tb;
    Py_ssize_t n_nodes = tb->n_nodes, n_trees = tb->n_trees;
    Py_ssize_t n_inner = 0, n_leaves = 0;
    /* each node the child of one parent at most: what hangs from a root is a tree, not a graph */
    unsigned char *is_child = (unsigned char *)PyMem_Calloc((size_t)n_nodes, 1);
    if (is_child == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int shaped = 1;
    for (Py_ssize_t t = 0; t < n_trees && shaped; t++) {
        Py_ssize_t start = tb->roots[t], end = t + 1 < n_trees ? tb->roots[t + 1] : n_nodes;
        Py_ssize_t leaves = 0;
        shaped = tb->depth[start] == 0;
        for (Py_ssize_t k = start; k < end && shaped; k++) {
            if (leaf[k]) {
                leaves++;
                continue;
            }
            int c = tb->left[k];
            shaped = c > k && c + 1 < end && thr32[k] == thr32[k] && tb->depth[c] == tb->depth[k] + 1 &&
                     tb->depth[c + 1] == tb->depth[k] + 1 && !is_child[c] && !is_child[c + 1];
            if (shaped) {
                is_child[c] = is_child[c + 1] = 1;
                n_inner++;
            }
        }
        shaped = shaped && leaves > 0 && leaves <= 64;
        n_leaves += leaves;
    }
    PyMem_Free(is_child);
    if (!shaped || n_leaves > INT_MAX / 2 || n_inner > INT_MAX / 2) {
        return 0;
    }
    BitNode *bits = (BitNode *)PyMem_Malloc(sizeof(BitNode) * (size_t)(n_inner ? n_inner : 1));
    BitNode *sorted = NULL; /* the nodes and one sentinel per feature */
    int *node_feat = (int *)PyMem_Malloc(sizeof(int) * (size_t)(n_inner ? n_inner : 1));
    int *count = (int *)PyMem_Calloc((size_t)tb->max_feat + 2, sizeof(int));
    int *leaf_base = (int *)PyMem_Malloc(sizeof(int) * (size_t)n_trees);
    double *leaf_value = (double *)PyMem_Malloc(sizeof(double) * (size_t)n_leaves);
    int *leaf_depth = (int *)PyMem_Malloc(sizeof(int) * (size_t)n_leaves);
    int *bit_feats = NULL;
    if (bits == NULL || node_feat == NULL || count == NULL || leaf_base == NULL ||
        leaf_value == NULL || leaf_depth == NULL) {
        goto no_memory;
    }
    Py_ssize_t n_out = 0;
    int base = 0;
    for (Py_ssize_t t = 0; t < n_trees; t++) {
        int next = 0, lo, hi;
        leaf_base[t] = base;
        number_leaves(tb, thr32, leaf, (int)t, tb->roots[t], base, &next, leaf_value, leaf_depth, bits, node_feat,
                      &n_out, &lo, &hi);
        base += next;
    }
    /* nodes grouped by feature (counting sort), each group then sorted by threshold and closed
       by its sentinel */
    int n_feats = 0;
    for (Py_ssize_t i = 0; i < n_out; i++) {
        n_feats += count[node_feat[i] + 1]++ == 0;
    }
    bit_feats = (int *)PyMem_Malloc(sizeof(int) * (size_t)(2 * n_feats + 1));
    sorted = (BitNode *)PyMem_Malloc(sizeof(BitNode) * (size_t)(n_out + n_feats + 1));
    if (bit_feats == NULL || sorted == NULL) {
        goto no_memory;
    }
    int i_feat = 0, at = 0;
    for (int f = 0; f <= tb->max_feat; f++) {
        int n = count[f + 1];
        count[f + 1] = at; /* where feature f's next node goes */
        if (n) {
            bit_feats[2 * i_feat] = f;
            bit_feats[2 * i_feat + 1] = at;
            i_feat++;
            sorted[at + n].thr = INFINITY;
            sorted[at + n].tree = 0;
            sorted[at + n].mask = ~(uint64_t)0;
            at += n + 1;
        }
    }
    for (Py_ssize_t i = 0; i < n_out; i++) {
        sorted[count[node_feat[i] + 1]++] = bits[i];
    }
    for (int i = 0; i < n_feats; i++) {
        int a = bit_feats[2 * i + 1];
        int z = count[bit_feats[2 * i] + 1]; /* the sentinel's place */
        qsort(sorted + a, (size_t)(z - a), sizeof(BitNode), compare_bit_nodes);
    }
    PyMem_Free(bits);
    PyMem_Free(node_feat);
    PyMem_Free(count);
    ot->mem[8] = sorted;
    ot->mem[9] = bit_feats;
    ot->mem[10] = leaf_base;
    ot->mem[11] = leaf_value;
    ot->mem[12] = leaf_depth;
    tb->bits = sorted;
    tb->bit_feats = bit_feats;
    tb->leaf_base = leaf_base;
    tb->leaf_value = leaf_value;
    tb->leaf_depth = leaf_depth;
    tb->n_bit_feats = n_feats;
    return 0;
no_memory:
    PyMem_Free(bits);
    PyMem_Free(sorted);
    PyMem_Free(node_feat);
    PyMem_Free(count);
    PyMem_Free(leaf_base);
    PyMem_Free(leaf_value);
    PyMem_Free(leaf_depth);
    PyMem_Free(bit_feats);
    PyErr_NoMemory();
    return -1;
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
    if (!ok) {
        release_arrays(b, 8);
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
    if (build_bits(ot, (const float *)b[0].view.buf, (const unsigned char *)b[4].view.buf) < 0) {
        release_arrays(b, 8);
        for (int i = 0; i < OWNED_MEM; i++) {
            PyMem_Free(ot->mem[i]);
        }
        PyMem_Free(ot);
        return NULL;
    }
    release_arrays(b, 8);
    PyObject *capsule = PyCapsule_New(ot, TABLE_CAPSULE, free_table);
    if (capsule == NULL) {
        for (int i = 0; i < OWNED_MEM; i++) {
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


/* round(x, ndigits) for 0 < x < 2**52 / 10**ndigits, what CPython computes (floatobject.c's
 * double_round: x's exact binary value rounded to ndigits decimals, half to even, then the double
 * nearest that decimal) without its decimal strings. With s = 10**ndigits (exact), x * s is exactly
 * hi + lo (fma), |lo| <= ulp(hi) / 2; hi's fraction d = hi - floor(hi) is exact, and once d >= 1/4
 * so is d - 1/2 (Sterbenz), a multiple of ulp(hi) (hi < 2**52), so its sign decides unless it is 0,
 * when lo's sign does (and lo = 0 is a true tie). k / s, both exact integers, is the nearest double
 * to the decimal k / 10**ndigits. */
static double round_positive(double x, double scale) {
    double hi = x * scale;
    double lo = fma(x, scale, -hi);
    double k = floor(hi);
    double d = hi - k;
    if (d >= 0.25) {
        double e = d - 0.5;
        if (e > 0.0 || (e == 0.0 && (lo > 0.0 || (lo == 0.0 && fmod(k, 2.0) != 0.0)))) {
            k += 1.0;
        }
    }
    return k / scale;
}

/* round_floats(values, ndigits) -> [round(v, ndigits) for v in values.tolist()] for a C-contiguous
 * float64 array and 0 <= ndigits <= 15; the same floats, without a decimal conversion each (values
 * outside round_positive's range go through float.__round__ itself). */
static PyObject *round_floats(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *obj;
    int ndigits;
    if (!PyArg_ParseTuple(args, "Oi", &obj, &ndigits)) {
        return NULL;
    }
    if (ndigits < 0 || ndigits > 15) {
        PyErr_SetString(PyExc_ValueError, "round_floats: ndigits must be in 0..15");
        return NULL;
    }
    Arr b;
    memset(&b, 0, sizeof(b));
    if (get_array(obj, &b, 'd', 8, 0, "values") < 0) {
        release_arrays(&b, 1);
        return NULL;
    }
    double scale = 1.0;
    for (int i = 0; i < ndigits; i++) {
        scale *= 10.0; /* exact up to 10**22 */
    }
    double limit = 4503599627370496.0 / scale; /* 2**52 */
    Py_ssize_t n = b.view.len / 8;
    const double *v = (const double *)b.view.buf;
    PyObject *out = PyList_New(n);
    if (out == NULL) {
        release_arrays(&b, 1);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        double x = v[i];
        PyObject *f;
        if (x > 0.0 && x < limit) {
            f = PyFloat_FromDouble(round_positive(x, scale));
        } else {
            PyObject *boxed = PyFloat_FromDouble(x);
            f = boxed == NULL ? NULL : PyObject_CallMethod(boxed, "__round__", "i", ndigits);
            Py_XDECREF(boxed);
        }
        if (f == NULL) {
            Py_DECREF(out);
            release_arrays(&b, 1);
            return NULL;
        }
        PyList_SET_ITEM(out, i, f);
    }
    release_arrays(&b, 1);
    return out;
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

/* path_records(paths, min_count) -> (rec, run): classify/html_model.py ``_records`` (its Python loop
 * is the reference). Every prefix of every path (cut at "/") is numbered; a prefix with a "/" has the
 * run key ``prefix[:cut + 1]`` + its last step up to its first "[" (parent and tag), and a run is
 * as many prefixes as share its key. Per path, the nearest prefix (the path itself first) whose
 * run has ``min_count`` prefixes or more is its record: ``rec`` numbers the records and ``run``
 * their keys, both in the order the paths first reach them, -1 for a path in no run. Both as
 * bytes of int64. */
static PyObject *path_records(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *paths;
    Py_ssize_t min_count;
    if (!PyArg_ParseTuple(args, "O!n", &PyList_Type, &paths, &min_count)) {
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(paths);
    PyObject *ids = PyDict_New(), *names = PyList_New(0), *keys = PyDict_New(), *result = NULL;
    I64Vec parent = {0}, cuts = {0}, leaf = {0}, key_of = {0}, count = {0}, memo = {0}, chain = {0};
    int64_t *rec = NULL, *run = NULL, *rec_id = NULL, *run_id = NULL;
    if (ids == NULL || names == NULL || keys == NULL) {
        goto done;
    }
    /* number the prefixes: up from each path to the first one already numbered */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = PyList_GET_ITEM(paths, i);
        if (!PyUnicode_Check(name)) {
            PyErr_SetString(PyExc_TypeError, "path_records: paths must be str");
            goto done;
        }
        Py_INCREF(name);
        int64_t first = -1, prev = -1, found = -1;
        for (;;) {
            int64_t got = chains_get(ids, name);
            if (got == -2) {
                Py_DECREF(name);
                goto done;
            }
            if (got != -3) {
                found = got;
                Py_DECREF(name);
                break;
            }
            int64_t id = (int64_t)PyList_GET_SIZE(names);
            PyObject *k = PyLong_FromLongLong(id);
            if (k == NULL || PyDict_SetItem(ids, name, k) < 0 || PyList_Append(names, name) < 0) {
                Py_XDECREF(k);
                Py_DECREF(name);
                goto done;
            }
            Py_DECREF(k);
            Py_ssize_t len = PyUnicode_GET_LENGTH(name);
            Py_ssize_t cut = len ? PyUnicode_FindChar(name, '/', 0, len, -1) : -1;
            if (cut == -2 || i64_push(&parent, -1) < 0 || i64_push(&cuts, cut) < 0) {
                Py_DECREF(name);
                goto done;
            }
            if (prev >= 0) {
                parent.v[prev] = id;
            } else {
                first = id;
            }
            prev = id;
            if (cut < 0) {
                Py_DECREF(name);
                break;
            }
            PyObject *up = PyUnicode_Substring(name, 0, cut);
            Py_DECREF(name);
            if (up == NULL) {
                goto done;
            }
            name = up;
        }
        if (prev >= 0) {
            parent.v[prev] = found;
        }
        if (i64_push(&leaf, first >= 0 ? first : found) < 0) {
            goto done;
        }
    }
    /* run keys: the prefix up to the first "[" of its last step */
    Py_ssize_t m = PyList_GET_SIZE(names);
    for (Py_ssize_t id = 0; id < m; id++) {
        int64_t key = -1;
        if (cuts.v[id] >= 0) {
            PyObject *name = PyList_GET_ITEM(names, id);
            Py_ssize_t len = PyUnicode_GET_LENGTH(name);
            Py_ssize_t end = PyUnicode_FindChar(name, '[', cuts.v[id] + 1, len, 1);
            if (end == -2) {
                goto done;
            }
            PyObject *text = PyUnicode_Substring(name, 0, end < 0 ? len : end);
            if (text == NULL) {
                goto done;
            }
            key = chains_get(keys, text);
            if (key == -3) {
                key = (int64_t)count.n;
                PyObject *k = PyLong_FromLongLong(key);
                if (k == NULL || PyDict_SetItem(keys, text, k) < 0 || i64_push(&count, 0) < 0) {
                    Py_XDECREF(k);
                    Py_DECREF(text);
                    goto done;
                }
                Py_DECREF(k);
            }
            Py_DECREF(text);
            if (key == -2) {
                goto done;
            }
            count.v[key]++;
        }
        if (i64_push(&key_of, key) < 0 || i64_push(&memo, -2) < 0) {
            goto done;
        }
    }
    /* each path's record: up to the first prefix with a key of min_count prefixes (remembered) */
    rec = PyMem_Malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    run = PyMem_Malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    rec_id = PyMem_Malloc(sizeof(int64_t) * (size_t)(m ? m : 1));
    run_id = PyMem_Malloc(sizeof(int64_t) * (size_t)(count.n ? count.n : 1));
    if (rec == NULL || run == NULL || rec_id == NULL || run_id == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t id = 0; id < m; id++) {
        rec_id[id] = -1;
    }
    for (Py_ssize_t k = 0; k < count.n; k++) {
        run_id[k] = -1;
    }
    int64_t n_rec = 0, n_run = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t id = leaf.v[i], hit = -1;
        chain.n = 0;
        while (id >= 0) {
            if (memo.v[id] != -2) {
                hit = memo.v[id];
                break;
            }
            if (key_of.v[id] < 0) {
                break;
            }
            if (count.v[key_of.v[id]] >= min_count) {
                hit = memo.v[id] = id;
                break;
            }
            if (i64_push(&chain, id) < 0) {
                goto done;
            }
            id = parent.v[id];
        }
        for (Py_ssize_t k = 0; k < chain.n; k++) {
            memo.v[chain.v[k]] = hit;
        }
        if (hit < 0) {
            rec[i] = run[i] = -1;
            continue;
        }
        if (rec_id[hit] < 0) {
            rec_id[hit] = n_rec++;
        }
        if (run_id[key_of.v[hit]] < 0) {
            run_id[key_of.v[hit]] = n_run++;
        }
        rec[i] = rec_id[hit];
        run[i] = run_id[key_of.v[hit]];
    }
    result = Py_BuildValue("(y#y#)", (const char *)rec, n * (Py_ssize_t)sizeof(int64_t), (const char *)run,
                           n * (Py_ssize_t)sizeof(int64_t));
done:
    Py_XDECREF(ids);
    Py_XDECREF(names);
    Py_XDECREF(keys);
    PyMem_Free(parent.v);
    PyMem_Free(cuts.v);
    PyMem_Free(leaf.v);
    PyMem_Free(key_of.v);
    PyMem_Free(count.v);
    PyMem_Free(memo.v);
    PyMem_Free(chain.v);
    PyMem_Free(rec);
    PyMem_Free(run);
    PyMem_Free(rec_id);
    PyMem_Free(run_id);
    return result;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_VARARGS,
     "walk(x, width, thr, feat, left, leaf, depth, value, roots, raw): leaf sums of every row into raw."},
    {"walk_table", walk_table, METH_VARARGS,
     "walk_table(thr32, thr64, feat, left, leaf, depth, value, roots): the node table checked once, for walk_prepared."},
    {"walk_prepared", walk_prepared, METH_VARARGS,
     "walk_prepared(table, x, width, raw): walk's leaf sums over a table from walk_table, no table checks."},
    {"round_floats", round_floats, METH_VARARGS,
     "round_floats(values, ndigits): [round(v, ndigits) for v in values.tolist()] (float64 array)."},
    {"row_dicts", row_dicts, METH_VARARGS,
     "row_dicts(names, values): [dict(zip(names, row)) for row in values.tolist()] (float64 matrix)."},
    {"path_chains", path_chains, METH_VARARGS,
     "path_chains(paths): (ids, parent, steps, leaf) of the tag paths' prefixes, as html_rules._Paths numbers them."},
    {"path_records", path_records, METH_VARARGS,
     "path_records(paths, min_count): (rec, run) of classify/html_model._records, as int64 bytes."},
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
