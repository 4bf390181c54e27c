/* The HTML segmentation walk over selectolax's lexbor tree in C (see thresher.segment.html).
 *
 * A line-for-line port of segment/html.py's ``_walk`` (the reference, and the fallback): the same
 * frames, flags, paths, hint tokens, flushes and white-space normalisation, so both give the same
 * raw blocks. selectolax ships no C headers, so the few lexbor structs read here are declared below
 * after selectolax's lexbor.pxd, and the few lexbor functions called are looked up at run time in
 * selectolax's own extension (``bind``), which exports them. Python checks the port against the
 * reference on a test page when it binds (segment/html.py ``_compiled_walk``) and keeps the Python
 * walk when anything disagrees, so another selectolax build can never change results silently.
 *
 * Text is handled as lexbor stores it (UTF-8). A page holding bytes that are not valid UTF-8 (where
 * selectolax's decoder would put U+FFFD, per node) makes ``walk`` answer None: the caller then
 * walks in Python.
 */
#include "_speedups.h"

#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- lexbor's layout (selectolax/lexbor.pxd) ---------------------------------------------- */

typedef struct LxNode LxNode;
struct LxNode {
    void *events; /* event_target */
    uintptr_t local_name;
    uintptr_t prefix;
    uintptr_t ns;
    void *owner_document;
    LxNode *next;
    LxNode *prev;
    LxNode *parent;
    LxNode *first_child;
    LxNode *last_child;
    void *user;
    int type; /* lxb_dom_node_type_t */
};

typedef struct {
    unsigned char *data;
    size_t length;
} LxStr;

typedef struct {
    LxNode node;
    LxStr data;
} LxCharData; /* lxb_dom_character_data_t: text and comment nodes */

typedef struct LxAttr LxAttr;
struct LxAttr {
    LxNode node;
    uintptr_t upper_name;
    uintptr_t qualified_name;
    LxStr *value;
    void *owner;
    LxAttr *next;
    LxAttr *prev;
};

#define NODE_ELEMENT 1
#define NODE_TEXT 3

typedef const unsigned char *(*element_qname_f)(const void *element, size_t *len);
typedef LxAttr *(*first_attr_f)(void *element);
typedef const unsigned char *(*attr_str_f)(LxAttr *attr, size_t *len);

static element_qname_f lx_element_qname;
static first_attr_f lx_first_attr;
static attr_str_f lx_attr_qname;
static attr_str_f lx_attr_value;
static uintptr_t id_text, id_comment, id_doctype, id_document;
static int bound;

/* ---- the tables of segment/html.py -------------------------------------------------------- */

#define F_ARTICLE 1
#define F_MAIN 2
#define F_NAV 4
#define F_HEADER 8
#define F_FOOTER 16
#define F_ASIDE 32
#define F_FORM 64
#define F_LIST 128
#define F_TABLE 256
#define F_QUOTE 512
#define F_LINK 1024
#define F_PRE 2048
#define F_LI 4096
#define F_FIGURE 8192
#define F_ROW 16384

#define PATH_MAX_DEPTH 64
#define MAX_HINTS 40
#define MAX_CATS 32
#define N_TAGDEPTHS 5 /* _DEPTH_TAGS: nav, header, footer, aside, article */
#define BR '\0'

/* Known tags, by index. The first ones are referred to by name in the walk. */
enum {
    T_BODY, T_TABLE, T_TR, T_TD, T_TH, T_A, T_BR, T_PRE, T_LI, T_DT, T_DD, T_FIGCAPTION, T_CAPTION,
    T_BLOCKQUOTE, T_H1, T_H2, T_H3, T_H4, T_H5, T_H6,
};

typedef struct {
    const char *name;
    int flag;
    char block;
    signed char depth_slot;
    char list_step;
    char skip;
} KnownTag;

static const KnownTag KNOWN[] = {
    /* the named ones, in enum order */
    {"body", 0, 1, -1, 0, 0},
    {"table", F_TABLE, 1, -1, 0, 0},
    {"tr", 0, 1, -1, 0, 0},
    {"td", 0, 1, -1, 0, 0},
    {"th", 0, 1, -1, 0, 0},
    {"a", F_LINK, 0, -1, 0, 0},
    {"br", 0, 0, -1, 0, 1},
    {"pre", F_PRE, 1, -1, 0, 0},
    {"li", F_LI, 1, -1, 0, 0},
    {"dt", 0, 1, -1, 0, 0},
    {"dd", 0, 1, -1, 0, 0},
    {"figcaption", 0, 1, -1, 0, 0},
    {"caption", 0, 1, -1, 0, 0},
    {"blockquote", F_QUOTE, 1, -1, 0, 0},
    {"h1", 0, 1, -1, 0, 0},
    {"h2", 0, 1, -1, 0, 0},
    {"h3", 0, 1, -1, 0, 0},
    {"h4", 0, 1, -1, 0, 0},
    {"h5", 0, 1, -1, 0, 0},
    {"h6", 0, 1, -1, 0, 0},
    /* the other block tags */
    {"p", 0, 1, -1, 0, 0},
    {"div", 0, 1, -1, 0, 0},
    {"section", 0, 1, -1, 0, 0},
    {"article", F_ARTICLE, 1, 4, 0, 0},
    {"main", F_MAIN, 1, -1, 0, 0},
    {"aside", F_ASIDE, 1, 3, 0, 0},
    {"header", F_HEADER, 1, 1, 0, 0},
    {"footer", F_FOOTER, 1, 2, 0, 0},
    {"nav", F_NAV, 1, 0, 0, 0},
    {"thead", 0, 1, -1, 0, 0},
    {"tbody", 0, 1, -1, 0, 0},
    {"tfoot", 0, 1, -1, 0, 0},
    {"dl", F_LIST, 1, -1, 1, 0},
    {"ul", F_LIST, 1, -1, 1, 0},
    {"ol", F_LIST, 1, -1, 1, 0},
    {"figure", F_FIGURE, 1, -1, 0, 0},
    {"form", F_FORM, 1, -1, 0, 0},
    {"fieldset", 0, 1, -1, 0, 0},
    {"legend", 0, 1, -1, 0, 0},
    {"address", 0, 1, -1, 0, 0},
    {"center", 0, 1, -1, 0, 0},
    {"details", 0, 1, -1, 0, 0},
    {"summary", 0, 1, -1, 0, 0},
    {"menu", F_LIST, 1, -1, 1, 0},
    {"dialog", 0, 1, -1, 0, 0},
    {"hgroup", 0, 1, -1, 0, 0},
    {"search", 0, 1, -1, 0, 0},
    {"noscript", 0, 1, -1, 0, 0},
    /* void elements (_SKIPPED) other than br */
    {"hr", 0, 0, -1, 0, 1},
    {"img", 0, 0, -1, 0, 1},
    {"wbr", 0, 0, -1, 0, 1},
    {"area", 0, 0, -1, 0, 1},
    {"source", 0, 0, -1, 0, 1},
    {"track", 0, 0, -1, 0, 1},
    {"col", 0, 0, -1, 0, 1},
    {"param", 0, 0, -1, 0, 1},
    {"embed", 0, 0, -1, 0, 1},
};
#define N_KNOWN ((int)(sizeof(KNOWN) / sizeof(KNOWN[0])))

/* _HINT_ATTRIBUTES, in order */
static const char *const HINT_ATTRS[] = {"class", "id", "role", "aria-label", "itemprop"};
#define N_HINT_ATTRS 5
#define A_ROLE 2
#define A_ITEMPROP 4

/* ---- UTF-8 --------------------------------------------------------------------------------- */

/* Whether s[0:n] is valid UTF-8 as Python's strict decoder sees it (no surrogates, no overlong
 * forms, nothing past U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i + 8 <= n) { /* ASCII, eight bytes at a time */
        uint64_t v;
        memcpy(&v, s + i, 8);
        if (v & 0x8080808080808080ULL) {
            break;
        }
        i += 8;
    }
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) {
                return 0;
            }
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) {
                return 0;
            }
            if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)) {
                return 0;
            }
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
                (s[i + 3] & 0xC0) != 0x80) {
                return 0;
            }
            if ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)) {
                return 0;
            }
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

/* The code point at s[*i] (valid UTF-8), *i moved past it. */
static inline Py_UCS4 next_cp(const unsigned char *s, size_t *i) {
    unsigned char c = s[*i];
    if (c < 0x80) {
        *i += 1;
        return c;
    }
    if (c < 0xE0) {
        Py_UCS4 cp = ((Py_UCS4)(c & 0x1F) << 6) | (s[*i + 1] & 0x3F);
        *i += 2;
        return cp;
    }
    if (c < 0xF0) {
        Py_UCS4 cp = ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(s[*i + 1] & 0x3F) << 6) | (s[*i + 2] & 0x3F);
        *i += 3;
        return cp;
    }
    Py_UCS4 cp = ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(s[*i + 1] & 0x3F) << 12) |
                 ((Py_UCS4)(s[*i + 2] & 0x3F) << 6) | (s[*i + 3] & 0x3F);
    *i += 4;
    return cp;
}

/* html.py's _SPACE: [ \t\r\n\f\v\u00a0\u200b\u2028\u2029\u3000] */
static inline int is_collapsed_space(Py_UCS4 cp) {
    switch (cp) {
    case ' ': case '\t': case '\r': case '\n': case '\f': case '\v':
    case 0xA0: case 0x200B: case 0x2028: case 0x2029: case 0x3000:
        return 1;
    default:
        return 0;
    }
}

/* len(s.strip()) in code points (s valid UTF-8). */
static Py_ssize_t stripped_len(const unsigned char *s, size_t n) {
    size_t i = 0, first = n, last_end = 0;
    while (i < n) {
        size_t at = i;
        Py_UCS4 cp = next_cp(s, &i);
        if (!Py_UNICODE_ISSPACE(cp)) {
            if (first == n) {
                first = at;
            }
            last_end = i;
        }
    }
    if (first == n) {
        return 0;
    }
    Py_ssize_t count = 0;
    for (size_t k = first; k < last_end; k++) {
        count += (s[k] & 0xC0) != 0x80;
    }
    return count;
}

/* ---- growable buffers ---------------------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

static int buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra <= b->cap) {
        return 0;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) {
        cap *= 2;
    }
    char *data = PyMem_Realloc(b->data, cap);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static inline int buf_add(Buf *b, const void *src, size_t n) {
    if (buf_reserve(b, n) < 0) {
        return -1;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

static inline int buf_byte(Buf *b, char c) {
    if (b->len == b->cap && buf_reserve(b, 1) < 0) {
        return -1;
    }
    b->data[b->len++] = c;
    return 0;
}

static inline int buf_i64(Buf *b, int64_t v) {
    return buf_add(b, &v, sizeof(v));
}

/* ---- white space (html.py's _normalise and _collapse) --------------------------------------- */

/* ASCII characters str.isspace() takes: \t \n \v \f \r \x1c-\x1f and the space */
static const unsigned char ASCII_SPACE[128] = {
    [9] = 1, [10] = 1, [11] = 1, [12] = 1, [13] = 1, [28] = 1, [29] = 1, [30] = 1, [31] = 1, [32] = 1,
};

/* Append _collapse(s[0:n]) to out: ``_SPACE.sub(" ", text).strip()``. The characters strip()
 * keeps are copied; the gaps between them become one space per run of _SPACE characters, other
 * white space staying as it is; the gaps at both ends go. */
static int collapse_into(Buf *out, const unsigned char *s, size_t n) {
    if (buf_reserve(out, n) < 0) { /* never longer than the input */
        return -1;
    }
    unsigned char *o = (unsigned char *)out->data + out->len;
    size_t i = 0, gap = 0;
    int wrote = 0;
    while (i < n) {
        size_t at = i;
        unsigned char c = s[i];
        if (c < 0x80) {
            if (ASCII_SPACE[c]) {
                i++;
                continue;
            }
            i++;
            while (i < n && s[i] < 0x80 && !ASCII_SPACE[s[i]]) {
                i++;
            }
        } else {
            Py_UCS4 cp = next_cp(s, &i);
            if (is_collapsed_space(cp) || Py_UNICODE_ISSPACE(cp)) {
                continue;
            }
        }
        if (wrote) {
            size_t k = gap;
            int in_run = 0;
            while (k < at) {
                size_t c0 = k;
                Py_UCS4 g = next_cp(s, &k);
                if (is_collapsed_space(g)) {
                    if (!in_run) {
                        *o++ = ' ';
                    }
                    in_run = 1;
                } else {
                    in_run = 0;
                    memcpy(o, s + c0, k - c0);
                    o += k - c0;
                }
            }
        }
        memcpy(o, s + at, i - at);
        o += i - at;
        wrote = 1;
        gap = i;
    }
    out->len = (size_t)(o - (unsigned char *)out->data);
    return 0;
}

/* _normalise(s[0:n], pre) into out (emptied first). */
static int normalise_into(Buf *out, const unsigned char *s, size_t n, int pre) {
    out->len = 0;
    if (n == 0) {
        return 0;
    }
    if (pre) {
        /* BR → "\n"; lines rstripped; leading and trailing empty lines dropped */
        size_t start = 0;
        int started = 0;
        size_t pending = 0;
        while (start <= n) {
            size_t end = start;
            while (end < n && s[end] != '\n' && s[end] != BR) {
                end++;
            }
            size_t i = start, keep = start;
            while (i < end) {
                Py_UCS4 cp = next_cp(s, &i);
                if (!Py_UNICODE_ISSPACE(cp)) {
                    keep = i;
                }
            }
            if (keep == start) {
                pending += started;
            } else {
                if (started) {
                    for (size_t k = 0; k <= pending; k++) {
                        if (buf_byte(out, '\n') < 0) {
                            return -1;
                        }
                    }
                }
                if (buf_add(out, s + start, keep - start) < 0) {
                    return -1;
                }
                started = 1;
                pending = 0;
            }
            start = end + 1;
        }
        return 0;
    }
    if (memchr(s, BR, n) == NULL) {
        return collapse_into(out, s, n);
    }
    size_t start = 0;
    while (start <= n) {
        size_t end = start;
        while (end < n && s[end] != BR) {
            end++;
        }
        size_t before = out->len;
        if (before && buf_byte(out, '\n') < 0) {
            return -1;
        }
        size_t mark = out->len;
        if (collapse_into(out, s + start, end - start) < 0) {
            return -1;
        }
        if (out->len == mark) {
            out->len = before; /* an empty line: dropped */
        }
        start = end + 1;
    }
    return 0;
}

/* ---- tags ---------------------------------------------------------------------------------- */

typedef struct {
    const unsigned char *name; /* KNOWN[i].name, or a copy owned by the table */
    size_t len;
    int known; /* index into KNOWN, or -1 */
    uint64_t hash;
} Tag;

typedef struct {
    Tag *tags;
    int n, cap;
    int *slots; /* open addressing over tags, -1 = empty */
    int n_slots;
} TagTable;

static uint64_t hash_bytes(const unsigned char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ s[i]) * 1099511628211ULL;
    }
    return h;
}

static int tags_rehash(TagTable *t, int n_slots) {
    int *slots = PyMem_Malloc(sizeof(int) * (size_t)n_slots);
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < n_slots; i++) {
        slots[i] = -1;
    }
    for (int k = 0; k < t->n; k++) {
        size_t j = (size_t)(t->tags[k].hash & (uint64_t)(n_slots - 1));
        while (slots[j] >= 0) {
            j = (j + 1) & (size_t)(n_slots - 1);
        }
        slots[j] = k;
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return 0;
}

/* The index of a tag name, added when new; -1 with an exception set on failure. */
static int tag_index(TagTable *t, const unsigned char *name, size_t len, int known) {
    uint64_t h = hash_bytes(name, len);
    size_t mask = (size_t)(t->n_slots - 1);
    size_t j = (size_t)(h & mask);
    while (t->slots[j] >= 0) {
        Tag *g = &t->tags[t->slots[j]];
        if (g->hash == h && g->len == len && memcmp(g->name, name, len) == 0) {
            return t->slots[j];
        }
        j = (j + 1) & mask;
    }
    if (t->n == t->cap) {
        int cap = t->cap * 2;
        Tag *tags = PyMem_Realloc(t->tags, sizeof(Tag) * (size_t)cap);
        if (tags == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        t->tags = tags;
        t->cap = cap;
    }
    Tag *g = &t->tags[t->n];
    g->len = len;
    g->hash = h;
    g->known = known;
    if (known >= 0) {
        g->name = (const unsigned char *)KNOWN[known].name;
    } else {
        unsigned char *copy = PyMem_Malloc(len ? len : 1);
        if (copy == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(copy, name, len);
        g->name = copy;
    }
    t->slots[j] = t->n;
    t->n++;
    if (2 * t->n > t->n_slots && tags_rehash(t, t->n_slots * 2) < 0) {
        return -1;
    }
    return t->n - 1;
}

static int tags_init(TagTable *t) {
    t->n = 0;
    t->cap = 128;
    t->tags = PyMem_Malloc(sizeof(Tag) * (size_t)t->cap);
    t->slots = NULL;
    if (t->tags == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (tags_rehash(t, 256) < 0) {
        return -1;
    }
    for (int k = 0; k < N_KNOWN; k++) {
        if (tag_index(t, (const unsigned char *)KNOWN[k].name, strlen(KNOWN[k].name), k) != k) {
            return -1;
        }
    }
    return 0;
}

static void tags_free(TagTable *t) {
    for (int k = 0; k < t->n; k++) {
        if (t->tags[k].known < 0) {
            PyMem_Free((void *)t->tags[k].name);
        }
    }
    PyMem_Free(t->tags);
    PyMem_Free(t->slots);
    t->tags = NULL;
    t->slots = NULL;
}

/* ---- per-parent child-tag counts: (frame uid, tag) → count ----------------------------------- */

static inline size_t mix(uint64_t key) {
    key ^= key >> 31;
    key *= 0x9E3779B97F4A7C15ULL;
    key ^= key >> 29;
    return (size_t)key;
}

typedef struct {
    uint64_t *keys; /* 0 = empty */
    int64_t *values;
    size_t n, cap;
} Counts;

static int counts_grow(Counts *c) {
    size_t cap = c->cap ? c->cap * 2 : 1024;
    uint64_t *keys = PyMem_Calloc(cap, sizeof(uint64_t));
    int64_t *values = PyMem_Malloc(cap * sizeof(int64_t));
    if (keys == NULL || values == NULL) {
        PyMem_Free(keys);
        PyMem_Free(values);
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < c->cap; i++) {
        if (c->keys[i]) {
            size_t j = mix(c->keys[i]) & (cap - 1);
            while (keys[j]) {
                j = (j + 1) & (cap - 1);
            }
            keys[j] = c->keys[i];
            values[j] = c->values[i];
        }
    }
    PyMem_Free(c->keys);
    PyMem_Free(c->values);
    c->keys = keys;
    c->values = values;
    c->cap = cap;
    return 0;
}

/* counts[key] += 1; the new count (-1 with an exception set on failure) */
static int64_t counts_bump(Counts *c, uint64_t key) {
    if (2 * (c->n + 1) > c->cap && counts_grow(c) < 0) {
        return -1;
    }
    size_t mask = c->cap - 1;
    size_t j = mix(key) & mask;
    while (c->keys[j] && c->keys[j] != key) {
        j = (j + 1) & mask;
    }
    if (!c->keys[j]) {
        c->keys[j] = key;
        c->values[j] = 0;
        c->n++;
    }
    return ++c->values[j];
}

/* ---- hint tokens (segment/features.py's hint_tokens) ------------------------------------------ */

#define MAX_HINT_WORDS 12
#define MAX_HINT_TOKENS 16
#define MAX_WHOLE 24

/* bytes -> (object, bit set): the tokens met so far (each token one str object, so that equal
 * tokens are the same object) and the token tuples of hint values met so far. */
typedef struct {
    uint64_t hash;
    size_t len;
    unsigned char *key;
    PyObject *obj;
    uint64_t mask;
} MapEntry;

typedef struct {
    MapEntry *entries;
    size_t n, cap;
    int32_t *slots;
    size_t n_slots;
} BytesMap;

static void map_clear(BytesMap *m) {
    for (size_t i = 0; i < m->n; i++) {
        PyMem_Free(m->entries[i].key);
        Py_DECREF(m->entries[i].obj);
    }
    PyMem_Free(m->entries);
    PyMem_Free(m->slots);
    memset(m, 0, sizeof(*m));
}

static MapEntry *map_find(BytesMap *m, const unsigned char *s, size_t n, uint64_t h) {
    if (m->n_slots == 0) {
        return NULL;
    }
    size_t mask = m->n_slots - 1;
    for (size_t j = (size_t)h & mask; m->slots[j] >= 0; j = (j + 1) & mask) {
        MapEntry *e = &m->entries[m->slots[j]];
        if (e->hash == h && e->len == n && memcmp(e->key, s, n) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Add a key known to be absent; steals obj (also on failure). */
static MapEntry *map_add(BytesMap *m, const unsigned char *s, size_t n, uint64_t h, PyObject *obj, uint64_t bits) {
    if (2 * (m->n + 1) > m->n_slots) {
        size_t n_slots = m->n_slots ? 2 * m->n_slots : 1024;
        int32_t *slots = PyMem_Malloc(sizeof(int32_t) * n_slots);
        if (slots == NULL) {
            Py_DECREF(obj);
            PyErr_NoMemory();
            return NULL;
        }
        for (size_t j = 0; j < n_slots; j++) {
            slots[j] = -1;
        }
        for (size_t i = 0; i < m->n; i++) {
            size_t j = (size_t)m->entries[i].hash & (n_slots - 1);
            while (slots[j] >= 0) {
                j = (j + 1) & (n_slots - 1);
            }
            slots[j] = (int32_t)i;
        }
        PyMem_Free(m->slots);
        m->slots = slots;
        m->n_slots = n_slots;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 512;
        MapEntry *entries = PyMem_Realloc(m->entries, sizeof(MapEntry) * cap);
        if (entries == NULL) {
            Py_DECREF(obj);
            PyErr_NoMemory();
            return NULL;
        }
        m->entries = entries;
        m->cap = cap;
    }
    unsigned char *key = PyMem_Malloc(n ? n : 1);
    if (key == NULL) {
        Py_DECREF(obj);
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(key, s, n);
    MapEntry *e = &m->entries[m->n];
    e->hash = h;
    e->len = n;
    e->key = key;
    e->obj = obj;
    e->mask = bits;
    size_t mask = m->n_slots - 1;
    size_t j = (size_t)h & mask;
    while (m->slots[j] >= 0) {
        j = (j + 1) & mask;
    }
    m->slots[j] = (int32_t)m->n;
    m->n++;
    return e;
}

/* The tokens and token tuples of the vocabulary ``maps_vocab``; emptied between walks when they
 * grow past their limits or the vocabulary changes (never during a walk: within one, equal tokens
 * are one object). */
static BytesMap token_map, value_map;
static PyObject *maps_vocab;
#define TOKEN_MAP_MAX 65536
#define VALUE_MAP_MAX 32768
#define VALUE_KEY_MAX 512 /* longer hint values are tokenised every time */

/* (Between two values of one walk the maps stay: nothing in tokenise_hints runs Python code. Two
 * walks in two threads may interleave at the walk's callbacks: the maps only ever lose entries at
 * the start of a walk, every tuple a walk holds is its own reference, and tokens are compared by
 * value where it matters, see same_token.) */
static void maps_ready(PyObject *vocab) {
    if (maps_vocab != vocab || token_map.n > TOKEN_MAP_MAX || value_map.n > VALUE_MAP_MAX) {
        map_clear(&value_map);
        map_clear(&token_map);
        Py_INCREF(vocab);
        Py_XSETREF(maps_vocab, vocab);
    }
}

static inline int ascii_upper(Py_UCS4 c) { return c >= 'A' && c <= 'Z'; }
static inline int ascii_lower(Py_UCS4 c) { return c >= 'a' && c <= 'z'; }

/* Whether two tokens (str) are equal: mostly the same object (token_map), else compared. */
static inline int same_token(PyObject *a, PyObject *b) {
    if (a == b) {
        return 1;
    }
    /* another thread's walk may have emptied token_map between two of this walk's values */
    return PyUnicode_GET_LENGTH(a) == PyUnicode_GET_LENGTH(b) && PyObject_Hash(a) == PyObject_Hash(b) &&
           PyUnicode_Compare(a, b) == 0;
}


/* Tokens of one hint value, in order, each once (by identity: tokens are interned). */
typedef struct {
    PyObject *items[MAX_HINT_TOKENS]; /* new references */
    uint64_t masks[MAX_HINT_TOKENS];
    int n;
} TokenSet;

/* Add the token s[0:n] (valid UTF-8); 1 when the set is full (later tokens cannot matter). */
static int add_token(TokenSet *out, const unsigned char *s, size_t n) {
    uint64_t h = hash_bytes(s, n);
    MapEntry *e = map_find(&token_map, s, n, h);
    if (e == NULL) {
        PyObject *t = PyUnicode_DecodeUTF8((const char *)s, (Py_ssize_t)n, "strict");
        if (t == NULL) {
            return -1;
        }
        uint64_t bits = 0;
        PyObject *b = PyDict_GetItemWithError(maps_vocab, t);
        if (b == NULL && PyErr_Occurred()) {
            Py_DECREF(t);
            return -1;
        }
        if (b != NULL) {
            unsigned long long v = PyLong_AsUnsignedLongLong(b);
            if (v == (unsigned long long)-1 && PyErr_Occurred()) {
                Py_DECREF(t);
                return -1;
            }
            bits = (uint64_t)v;
        }
        e = map_add(&token_map, s, n, h, t, bits);
        if (e == NULL) {
            return -1;
        }
    }
    for (int k = 0; k < out->n; k++) {
        if (same_token(out->items[k], e->obj)) {
            return 0;
        }
    }
    /* the object, not the entry: entries move when the map grows */
    out->items[out->n] = Py_NewRef(e->obj);
    out->masks[out->n++] = e->mask;
    return out->n == MAX_HINT_TOKENS;
}

static size_t utf8_put(unsigned char *o, Py_UCS4 c) {
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | (c >> 6));
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (c >> 12));
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (c >> 18));
    o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* _chunk_tokens(chunk) added to out: chunk = s[0:n], valid UTF-8, no white space; 1 when full. */
static int chunk_tokens(TokenSet *out, const unsigned char *s, size_t n, Buf *scratch) {
    Py_UCS4 cps_small[64];
    Py_UCS4 *cps = cps_small;
    size_t m = 0;
    int alpha = 1, cased = 0, lower = 1;
    if (n > 64) {
        cps = PyMem_Malloc(sizeof(Py_UCS4) * n);
        if (cps == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    for (size_t i = 0; i < n;) {
        Py_UCS4 c = next_cp(s, &i);
        cps[m++] = c;
        if (c < 0x80) {
            if (ascii_lower(c)) {
                cased = 1;
            } else if (ascii_upper(c)) {
                lower = 0;
            } else {
                alpha = 0;
            }
            continue;
        }
        alpha &= Py_UNICODE_ISALPHA(c) != 0;
        if (Py_UNICODE_ISUPPER(c) || Py_UNICODE_ISTITLE(c)) {
            lower = 0;
        } else if (Py_UNICODE_ISLOWER(c)) {
            cased = 1;
        }
    }
    int got = 0;
    if (alpha && lower && cased) { /* chunk.isalpha() and chunk.islower() */
        got = add_token(out, s, n);
    } else {
        /* _CAMEL.findall(chunk): [A-Z]?[a-z]+ | [A-Z]+(?![a-z]) | \d+ , pieces lowered; the
           letter pieces are tokens, and all pieces joined when there are several */
        scratch->len = 0;
        if (buf_reserve(scratch, 4 * m) < 0) {
            got = -1;
            goto done;
        }
        unsigned char *whole = (unsigned char *)scratch->data;
        size_t whole_len = 0, whole_cps = 0;
        int n_pieces = 0;
        size_t i = 0;
        while (i < m) {
            size_t end;
            int digits = 0;
            if (ascii_lower(cps[i]) || (ascii_upper(cps[i]) && i + 1 < m && ascii_lower(cps[i + 1]))) {
                end = i + 1;
                while (end < m && ascii_lower(cps[end])) {
                    end++;
                }
            } else if (ascii_upper(cps[i])) {
                end = i + 1;
                while (end < m && ascii_upper(cps[end])) {
                    end++;
                }
                if (end < m && ascii_lower(cps[end])) {
                    end--; /* the last capital starts the next word */
                }
            } else if (Py_UNICODE_ISDECIMAL(cps[i])) {
                end = i + 1;
                while (end < m && Py_UNICODE_ISDECIMAL(cps[end])) {
                    end++;
                }
                digits = 1;
            } else {
                i++;
                continue;
            }
            size_t start = whole_len;
            for (size_t k = i; k < end; k++) {
                whole_len += utf8_put(whole + whole_len, ascii_upper(cps[k]) ? cps[k] + 32 : cps[k]);
            }
            if (!digits) {
                got = add_token(out, whole + start, whole_len - start);
                if (got) {
                    goto done;
                }
            }
            whole_cps += end - i;
            n_pieces++;
            i = end;
        }
        if (n_pieces > 1 && whole_cps <= MAX_WHOLE) {
            got = add_token(out, whole, whole_len);
        }
    }
done:
    if (cps != cps_small) {
        PyMem_Free(cps);
    }
    return got;
}

/* hint_tokens(value) for value = s[0:n] (valid UTF-8): tokens into out, in order. */
static int tokenise_hints(const unsigned char *s, size_t n, TokenSet *out, Buf *scratch) {
    out->n = 0;
    int words = 0;
    size_t i = 0;
    while (i < n && words < MAX_HINT_WORDS) {
        size_t at = i;
        Py_UCS4 c = next_cp(s, &i);
        if (Py_UNICODE_ISSPACE(c)) {
            continue;
        }
        size_t end = i;
        while (end < n) {
            size_t k = end;
            Py_UCS4 d = next_cp(s, &k); /* not inside the macro: it reads its argument twice */
            if (Py_UNICODE_ISSPACE(d)) {
                break;
            }
            end = k;
        }
        words++;
        int got = chunk_tokens(out, s + at, end - at, scratch);
        if (got) {
            return got < 0 ? -1 : 0;
        }
        i = end;
    }
    return 0;
}

/* The tokens of the hint value s[0:n] (valid UTF-8) as a tuple (a new reference) and the bit set
 * of their categories. */
static PyObject *hint_tuple(const unsigned char *s, size_t n, uint64_t *bits, Buf *scratch) {
    uint64_t h = 0;
    if (n <= VALUE_KEY_MAX) {
        h = hash_bytes(s, n);
        MapEntry *e = map_find(&value_map, s, n, h);
        if (e != NULL) {
            *bits = e->mask;
            return Py_NewRef(e->obj);
        }
    }
    TokenSet out;
    PyObject *tokens = tokenise_hints(s, n, &out, scratch) < 0 ? NULL : PyTuple_New(out.n);
    *bits = 0;
    for (int k = 0; k < out.n; k++) {
        if (tokens != NULL) {
            PyTuple_SET_ITEM(tokens, k, out.items[k]); /* the set's reference */
            *bits |= out.masks[k];
        } else {
            Py_DECREF(out.items[k]);
        }
    }
    if (tokens == NULL) {
        return NULL;
    }
    if (n > VALUE_KEY_MAX) {
        return tokens;
    }
    MapEntry *e = map_add(&value_map, s, n, h, tokens, *bits);
    return e == NULL ? NULL : Py_NewRef(e->obj);
}

/* ---- the walk ------------------------------------------------------------------------------ */

typedef struct {
    LxNode *node;
    int tag;
    int depth;
    int flags;
    int list_depth;
    int block;
    uint32_t uid;
    size_t path_len;
    PyObject *own;    /* hint tokens of the element itself (a non-empty tuple), or NULL */
    int own_in;       /* whether own counts among the hints (_Frame.hints: fewer than MAX_HINTS above) */
    int n_hints;      /* len(_Frame.hints) */
    PyObject *unique; /* cached: _Frame.unique_hints */
    PyObject *path;   /* cached: the path as str */
    int64_t cats[MAX_CATS];
    int64_t tagdepths[N_TAGDEPTHS];
} Frame;

typedef struct {
    Frame *frames;
    int top; /* index of the innermost frame */
    int cap;
    uint32_t next_uid;
    TagTable tags;
    Counts counts;
    Buf path;  /* the innermost frame's path; every frame's path is a prefix of it */
    Buf parts; /* text of the open block */
    Buf out;   /* scratch: normalised text */
    Buf hint;  /* scratch: joined hint attribute values */
    int64_t link_chars, n_links;
    PyObject *cells; /* list of str: the open data-table row; NULL when none */
    char *layouts;   /* stack of layout flags of the open tables */
    int n_layouts, cap_layouts;
    int n_cat;
    int give_up; /* met something only the Python walk can mirror: answer None */
    /* the answer, column by column */
    PyObject *texts, *kinds, *levels, *paths, *parents, *hints, *cells_col;
    Buf depths, flags, cats, tagdepths, links, n_links_col;
    /* from the caller */
    PyObject *vocab, *check, *is_layout;
    Buf scratch; /* for the hint tokeniser */
} Walk;

static PyObject *s_empty, *s_heading, *s_list_item, *s_code, *s_caption, *s_quote, *s_paragraph,
    *s_table_row, *s_sep;

static void frame_clear(Frame *f) {
    Py_CLEAR(f->own);
    Py_CLEAR(f->unique);
    Py_CLEAR(f->path);
}

static PyObject *frame_path(Walk *w, int i) {
    Frame *f = &w->frames[i];
    if (f->path == NULL) {
        f->path = PyUnicode_DecodeUTF8(w->path.data, (Py_ssize_t)f->path_len, "strict");
    }
    return f->path; /* borrowed */
}

#define UNIQUE_SLOTS 128 /* a power of two above twice MAX_HINTS */
_Static_assert(UNIQUE_SLOTS >= 2 * MAX_HINTS && MAX_HINTS < 128, "frame_unique: slots for MAX_HINTS tokens");

/* _Frame.unique_hints: the first MAX_HINTS distinct tokens of _Frame.hints (own tokens before the
 * ancestors', an element's own left out when MAX_HINTS were gathered above it). An element with no
 * tokens of its own shares its parent's answer. */
static PyObject *frame_unique(Walk *w, int i) {
    int j = i;
    while (w->frames[j].unique == NULL && w->frames[j].own == NULL && j > 0) {
        j--;
    }
    Frame *f = &w->frames[j];
    if (f->unique == NULL) {
        PyObject *kept[MAX_HINTS];
        Py_hash_t kept_hash[MAX_HINTS]; /* each kept token's hash, taken once */
        signed char slots[UNIQUE_SLOTS]; /* open addressing by hash: the index in kept, or -1 */
        memset(slots, -1, sizeof(slots));
        int n = 0;
        for (int k = j; k >= 0 && n < MAX_HINTS; k--) {
            Frame *a = &w->frames[k];
            if (a->own == NULL || !a->own_in) {
                continue;
            }
            for (Py_ssize_t t = 0; t < PyTuple_GET_SIZE(a->own) && n < MAX_HINTS; t++) {
                PyObject *token = PyTuple_GET_ITEM(a->own, t);
                Py_hash_t h = PyObject_Hash(token);
                if (h == -1) {
                    return NULL;
                }
                size_t at = (size_t)h & (UNIQUE_SLOTS - 1);
                int seen = 0; /* same_token by value: equal tokens have equal hashes */
                for (; slots[at] >= 0; at = (at + 1) & (UNIQUE_SLOTS - 1)) {
                    PyObject *other = kept[(int)slots[at]];
                    if (other == token || (kept_hash[(int)slots[at]] == h &&
                                           PyUnicode_GET_LENGTH(other) == PyUnicode_GET_LENGTH(token) &&
                                           PyUnicode_Compare(other, token) == 0)) {
                        seen = 1;
                        break;
                    }
                }
                if (!seen) {
                    slots[at] = (signed char)n;
                    kept_hash[n] = h;
                    kept[n++] = token;
                }
            }
        }
        f->unique = PyTuple_New(n);
        if (f->unique == NULL) {
            return NULL;
        }
        for (int q = 0; q < n; q++) {
            Py_INCREF(kept[q]);
            PyTuple_SET_ITEM(f->unique, q, kept[q]);
        }
    }
    for (int k = j + 1; k <= i; k++) {
        Py_INCREF(f->unique);
        Py_XSETREF(w->frames[k].unique, f->unique);
    }
    return f->unique; /* borrowed */
}

static int list_add(PyObject *list, PyObject *item) { /* steals item */
    if (item == NULL) {
        return -1;
    }
    int err = PyList_Append(list, item);
    Py_DECREF(item);
    return err;
}

/* One raw block: _Raw(text, kind, level, frame, parent, link_chars, n_links, cells). */
static int emit(Walk *w, PyObject *text, PyObject *kind, long level, int fi, PyObject *parent,
                PyObject *cells) {
    Frame *f = &w->frames[fi];
    PyObject *path = frame_path(w, fi);
    PyObject *unique = path ? frame_unique(w, fi) : NULL;
    if (unique == NULL || PyList_Append(w->texts, text) < 0 || PyList_Append(w->kinds, kind) < 0 ||
        list_add(w->levels, PyLong_FromLong(level)) < 0 || PyList_Append(w->paths, path) < 0 ||
        PyList_Append(w->parents, parent) < 0 || PyList_Append(w->hints, unique) < 0 ||
        PyList_Append(w->cells_col, cells) < 0 || buf_i64(&w->depths, f->depth) < 0 ||
        buf_i64(&w->flags, f->flags) < 0 || buf_add(&w->cats, f->cats, sizeof(int64_t) * (size_t)w->n_cat) < 0 ||
        buf_add(&w->tagdepths, f->tagdepths, sizeof(f->tagdepths)) < 0 || buf_i64(&w->links, w->link_chars) < 0 ||
        buf_i64(&w->n_links_col, w->n_links) < 0) {
        return -1;
    }
    return 0;
}

static void kind_of(Walk *w, Frame *f, PyObject **kind, long *level) {
    int known = w->tags.tags[f->tag].known;
    *level = 0;
    if (known >= T_H1 && known <= T_H6) {
        *kind = s_heading;
        *level = known - T_H1 + 1;
    } else if (known == T_LI || known == T_DT || known == T_DD) {
        *kind = s_list_item;
        *level = f->list_depth > 1 ? f->list_depth : 1;
    } else if (known == T_PRE || (f->flags & F_PRE)) {
        *kind = s_code;
    } else if (known == T_FIGCAPTION || known == T_CAPTION) {
        *kind = s_caption;
    } else if (known == T_BLOCKQUOTE || (f->flags & F_QUOTE)) {
        *kind = s_quote;
    } else if (f->flags & F_LI) {
        *kind = s_list_item;
        *level = f->list_depth > 1 ? f->list_depth : 1;
    } else {
        *kind = s_paragraph;
    }
}

/* flush(owner, parent); parent -1 for None */
static int flush(Walk *w, int owner, int parent) {
    if (w->parts.len) {
        if (normalise_into(&w->out, (const unsigned char *)w->parts.data, w->parts.len,
                           w->frames[owner].flags & F_PRE) < 0) {
            return -1;
        }
        if (w->out.len) {
            PyObject *text = PyUnicode_DecodeUTF8(w->out.data, (Py_ssize_t)w->out.len, "strict");
            if (text == NULL) {
                return -1;
            }
            PyObject *kind;
            long level;
            kind_of(w, &w->frames[owner], &kind, &level);
            PyObject *ppath = parent >= 0 ? frame_path(w, parent) : s_empty;
            int err = ppath == NULL ? -1 : emit(w, text, kind, level, owner, ppath, Py_None);
            Py_DECREF(text);
            if (err < 0) {
                return -1;
            }
        }
    }
    w->parts.len = 0;
    w->link_chars = 0;
    w->n_links = 0;
    return 0;
}

/* block_owner(): the innermost block frame and the one outside it */
static void block_owner(Walk *w, int *owner, int *parent) {
    for (int i = w->top; i >= 0; i--) {
        if (w->frames[i].block) {
            *owner = i;
            *parent = i - 1;
            return;
        }
    }
    *owner = 0;
    *parent = -1;
}

/* Text of a text node (NULL when it is not one, or is empty); gives up on invalid UTF-8. */
static const unsigned char *text_of(Walk *w, LxNode *node, size_t *len) {
    if (node->type != NODE_TEXT) {
        return NULL;
    }
    LxCharData *cd = (LxCharData *)node;
    if (cd->data.data == NULL || cd->data.length == 0) {
        return NULL;
    }
    if (!utf8_valid(cd->data.data, cd->data.length)) {
        w->give_up = 1;
        return NULL;
    }
    *len = cd->data.length;
    return cd->data.data;
}

static int add_text(Walk *w, const unsigned char *s, size_t n, int in_link) {
    if (buf_add(&w->parts, s, n) < 0) {
        return -1;
    }
    if (in_link) {
        w->link_chars += stripped_len(s, n);
    }
    return 0;
}

/* Pop the innermost frame (the loop's ``node is None`` branch). */
static int pop_frame(Walk *w) {
    Frame *f = &w->frames[w->top];
    int p = w->top - 1;
    if (f->block) {
        int known = w->tags.tags[f->tag].known;
        if ((f->flags & F_ROW) && (known == T_TD || known == T_TH) && w->cells != NULL) {
            if (normalise_into(&w->out, (const unsigned char *)w->parts.data, w->parts.len, 0) < 0 ||
                list_add(w->cells, PyUnicode_DecodeUTF8(w->out.data, (Py_ssize_t)w->out.len, "strict")) < 0) {
                return -1;
            }
            w->parts.len = 0;
        } else if (known == T_TR && w->cells != NULL && !(w->frames[p].flags & F_ROW)) {
            PyObject *cells = PyList_AsTuple(w->cells);
            PyObject *nonempty = PyList_New(0);
            if (cells == NULL || nonempty == NULL) {
                Py_XDECREF(cells);
                Py_XDECREF(nonempty);
                return -1;
            }
            for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(cells); k++) {
                PyObject *c = PyTuple_GET_ITEM(cells, k);
                if (PyUnicode_GET_LENGTH(c) && PyList_Append(nonempty, c) < 0) {
                    Py_DECREF(cells);
                    Py_DECREF(nonempty);
                    return -1;
                }
            }
            int err = 0;
            if (PyList_GET_SIZE(nonempty)) {
                PyObject *text = PyUnicode_Join(s_sep, nonempty);
                PyObject *ppath = frame_path(w, p);
                err = text == NULL || ppath == NULL ? -1 : emit(w, text, s_table_row, 0, w->top, ppath, cells);
                Py_XDECREF(text);
            }
            Py_DECREF(cells);
            Py_DECREF(nonempty);
            if (err < 0) {
                return -1;
            }
            w->parts.len = 0;
            w->link_chars = 0;
            w->n_links = 0;
            Py_CLEAR(w->cells);
        } else if (known == T_TABLE) {
            if (w->n_layouts) {
                w->n_layouts--;
            }
            if (w->cells == NULL && flush(w, w->top, p) < 0) {
                return -1;
            }
        } else if (w->cells == NULL) {
            if (w->parts.len) {
                if (flush(w, w->top, p) < 0) {
                    return -1;
                }
            } else {
                w->n_links = 0;
            }
        } else if (buf_byte(&w->parts, ' ') < 0) {
            return -1;
        }
    }
    frame_clear(f);
    w->top--;
    return 0;
}

/* Hint attributes of an element: its own hint tokens (new reference, NULL when none) and what
 * they change in flags and cats; -1 on error. */
static int element_hints(Walk *w, LxNode *node, int depth, int *flags, int64_t *cats, PyObject **own) {
    *own = NULL;
    LxAttr *attr = lx_first_attr(node);
    if (attr == NULL) {
        return 0;
    }
    const unsigned char *val[N_HINT_ATTRS] = {NULL};
    size_t vlen[N_HINT_ATTRS] = {0};
    for (; attr != NULL; attr = attr->next) {
        size_t nlen = 0;
        const unsigned char *name = lx_attr_qname(attr, &nlen);
        if (name == NULL || nlen < 2 || nlen > 10) {
            continue;
        }
        for (int k = 0; k < N_HINT_ATTRS; k++) {
            if (strlen(HINT_ATTRS[k]) == nlen && memcmp(HINT_ATTRS[k], name, nlen) == 0) {
                size_t len = 0;
                const unsigned char *v = lx_attr_value(attr, &len);
                /* the last of a repeated name wins, as in selectolax's dict */
                val[k] = v && len ? v : NULL;
                vlen[k] = v ? len : 0;
                break;
            }
        }
    }
#define IS(k, lit) (val[k] != NULL && vlen[k] == sizeof(lit) - 1 && memcmp(val[k], lit, sizeof(lit) - 1) == 0)
    if (IS(A_ROLE, "main") || IS(A_ITEMPROP, "articleBody")) {
        *flags |= F_ARTICLE;
    } else if (IS(A_ROLE, "navigation")) {
        *flags |= F_NAV;
    } else if (IS(A_ROLE, "contentinfo")) {
        *flags |= F_FOOTER;
    } else if (IS(A_ROLE, "complementary")) {
        *flags |= F_ASIDE;
    }
#undef IS
    w->hint.len = 0;
    for (int k = 0; k < N_HINT_ATTRS; k++) {
        if (val[k] == NULL) {
            continue;
        }
        if (!utf8_valid(val[k], vlen[k])) {
            w->give_up = 1;
            return 0;
        }
        if ((w->hint.len && buf_byte(&w->hint, ' ') < 0) || buf_add(&w->hint, val[k], vlen[k]) < 0) {
            return -1;
        }
    }
    if (w->hint.len == 0) {
        return 0;
    }
    uint64_t mask = 0;
    PyObject *tokens = hint_tuple((const unsigned char *)w->hint.data, w->hint.len, &mask, &w->scratch);
    if (tokens == NULL) {
        return -1;
    }
    for (int i = 0; i < w->n_cat; i++) {
        if (mask & ((uint64_t)1 << i)) {
            cats[i] = depth;
        }
    }
    if (PyTuple_GET_SIZE(tokens) == 0) {
        Py_DECREF(tokens);
    } else {
        *own = tokens;
    }
    return 0;
}

static int push_frame(Walk *w) {
    if (w->top + 1 == w->cap) {
        int cap = w->cap * 2;
        Frame *frames = PyMem_Realloc(w->frames, sizeof(Frame) * (size_t)cap);
        if (frames == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        w->frames = frames;
        w->cap = cap;
    }
    w->top++;
    Frame *f = &w->frames[w->top];
    f->own = f->unique = f->path = NULL;
    f->uid = ++w->next_uid;
    return 0;
}

/* The walk itself; 0 when done (w->give_up may be set), -1 on error. */
static int run(Walk *w, LxNode *body, Py_ssize_t max_elements) {
    /* the root frame */
    if (buf_add(&w->path, "body", 4) < 0) {
        return -1;
    }
    w->top = -1;
    if (push_frame(w) < 0) {
        return -1;
    }
    Frame *root = &w->frames[0];
    root->node = body;
    root->tag = T_BODY;
    root->depth = 1;
    root->flags = 0;
    root->list_depth = 0;
    root->block = 1;
    root->path_len = 4;
    root->own = NULL;
    root->own_in = 0;
    root->n_hints = 0;
    memset(root->cats, 0, sizeof(root->cats));
    memset(root->tagdepths, 0, sizeof(root->tagdepths));

    Py_ssize_t n_elements = 0;
    LxNode *node = body->first_child;
    for (;;) {
        if (w->give_up) {
            return 0;
        }
        if (node == NULL) {
            if (w->top == 0) {
                break;
            }
            LxNode *done = w->frames[w->top].node;
            if (pop_frame(w) < 0) {
                return -1;
            }
            node = done->next;
            continue;
        }
        uintptr_t id = node->local_name;
        if (id == id_text) {
            size_t len = 0;
            const unsigned char *s = text_of(w, node, &len);
            if (s != NULL && add_text(w, s, len, w->frames[w->top].flags & F_LINK) < 0) {
                return -1;
            }
            node = node->next;
            continue;
        }
        if (id == id_comment || id == id_doctype || id == id_document || node->type != NODE_ELEMENT) {
            node = node->next;
            continue;
        }
        size_t nlen = 0;
        const unsigned char *name = lx_element_qname(node, &nlen);
        if (name == NULL) {
            node = node->next;
            continue;
        }
        if (nlen == 0) { /* tag[0] raises in Python */
            w->give_up = 1;
            return 0;
        }
        if (name[0] == '-') {
            node = node->next;
            continue;
        }
        n_elements++;
        if (n_elements > max_elements) {
            break;
        }
        if ((n_elements & 1023) == 0) {
            PyObject *r = PyObject_CallNoArgs(w->check);
            if (r == NULL) {
                return -1;
            }
            Py_DECREF(r);
        }
        int tag = tag_index(&w->tags, name, nlen, -1);
        if (tag < 0) {
            return -1;
        }
        if (tag >= N_KNOWN && !utf8_valid(name, nlen)) {
            w->give_up = 1;
            return 0;
        }
        const KnownTag *info = tag < N_KNOWN ? &KNOWN[tag] : NULL;
        if (info && info->skip) {
            if (tag == T_BR && buf_byte(&w->parts, w->cells == NULL ? BR : ' ') < 0) {
                return -1;
            }
            node = node->next;
            continue;
        }
        Frame *parent = &w->frames[w->top];
        int depth = parent->depth + 1;
        int info_flag = info ? info->flag : 0;
        int is_block = info ? info->block : 0;
        LxNode *child = node->first_child;
        if (!is_block && tag != T_TABLE &&
            (child == NULL || (child->local_name == id_text && child->next == NULL))) {
            /* an inline element holding at most one text: no frame */
            if (depth <= PATH_MAX_DEPTH && counts_bump(&w->counts, ((uint64_t)parent->uid << 32) | (uint32_t)tag) < 0) {
                return -1;
            }
            if (tag == T_A) {
                w->n_links++;
            }
            if (child != NULL) {
                size_t len = 0;
                const unsigned char *s = text_of(w, child, &len);
                if (s != NULL && add_text(w, s, len, (parent->flags | info_flag) & F_LINK) < 0) {
                    return -1;
                }
            }
            node = node->next;
            continue;
        }
        size_t path_len = parent->path_len;
        if (depth <= PATH_MAX_DEPTH) {
            int64_t k = counts_bump(&w->counts, ((uint64_t)parent->uid << 32) | (uint32_t)tag);
            if (k < 0) {
                return -1;
            }
            const Tag *g = &w->tags.tags[tag];
            char num[24];
            int nn = 0;
            num[sizeof(num) - 1] = ']';
            do {
                num[sizeof(num) - 2 - nn++] = (char)('0' + k % 10);
                k /= 10;
            } while (k);
            num[sizeof(num) - 2 - nn] = '[';
            w->path.len = parent->path_len;
            if (buf_byte(&w->path, '/') < 0 || buf_add(&w->path, g->name, g->len) < 0 ||
                buf_add(&w->path, num + sizeof(num) - 2 - nn, (size_t)nn + 2) < 0) {
                return -1;
            }
            path_len = w->path.len;
        }
        int flags = parent->flags | info_flag;
        int64_t cats[MAX_CATS];
        memcpy(cats, parent->cats, sizeof(cats));
        PyObject *own = NULL;
        if (element_hints(w, node, depth, &flags, cats, &own) < 0) {
            return -1;
        }
        if (w->give_up) {
            Py_XDECREF(own);
            return 0;
        }
        int64_t tagdepths[N_TAGDEPTHS];
        memcpy(tagdepths, parent->tagdepths, sizeof(tagdepths));
        if (info && info->depth_slot >= 0) {
            tagdepths[(int)info->depth_slot] = depth;
        }
        if (tag == T_TABLE) {
            PyObject *key = PyLong_FromSize_t((size_t)node);
            PyObject *answer = key == NULL ? NULL : PyObject_CallOneArg(w->is_layout, key);
            Py_XDECREF(key);
            int layout = answer == NULL ? -1 : PyObject_IsTrue(answer);
            Py_XDECREF(answer);
            if (layout < 0) {
                Py_XDECREF(own);
                return -1;
            }
            if (w->n_layouts == w->cap_layouts) {
                int cap = w->cap_layouts ? 2 * w->cap_layouts : 16;
                char *l = PyMem_Realloc(w->layouts, (size_t)cap);
                if (l == NULL) {
                    Py_XDECREF(own);
                    PyErr_NoMemory();
                    return -1;
                }
                w->layouts = l;
                w->cap_layouts = cap;
            }
            w->layouts[w->n_layouts++] = (char)layout;
        } else if (tag == T_TR && w->n_layouts && !w->layouts[w->n_layouts - 1] && w->cells == NULL) {
            int o, g;
            block_owner(w, &o, &g);
            if (flush(w, o, g) < 0 || (w->cells = PyList_New(0)) == NULL) {
                Py_XDECREF(own);
                return -1;
            }
            flags |= F_ROW;
            is_block = 1;
        } else if (tag == T_A) {
            w->n_links++;
        }
        if (is_block) {
            if (w->cells == NULL) {
                if (w->parts.len) {
                    int o, g;
                    block_owner(w, &o, &g);
                    if (flush(w, o, g) < 0) {
                        Py_XDECREF(own);
                        return -1;
                    }
                } else {
                    w->n_links = 0;
                }
            } else {
                flags |= F_ROW;
                if (buf_byte(&w->parts, ' ') < 0) {
                    Py_XDECREF(own);
                    return -1;
                }
            }
        }
        int list_depth = parent->list_depth + (info ? info->list_step : 0);
        if (push_frame(w) < 0) { /* may move the frames: parent is stale from here */
            Py_XDECREF(own);
            return -1;
        }
        Frame *f = &w->frames[w->top];
        f->node = node;
        f->tag = tag;
        f->depth = depth;
        f->flags = flags;
        f->list_depth = list_depth;
        f->block = is_block;
        f->path_len = path_len;
        f->own = own;
        /* _Frame.hints: own + the parent's, while the parent's are fewer than MAX_HINTS */
        f->own_in = own != NULL && w->frames[w->top - 1].n_hints < MAX_HINTS;
        f->n_hints = w->frames[w->top - 1].n_hints + (f->own_in ? (int)PyTuple_GET_SIZE(own) : 0);
        memcpy(f->cats, cats, sizeof(cats));
        memcpy(f->tagdepths, tagdepths, sizeof(tagdepths));
        node = child;
    }
    /* close whatever is still open (element cap reached, or the loop ended) */
    while (w->top > 0) {
        if (w->frames[w->top].block && w->cells == NULL && flush(w, w->top, w->top - 1) < 0) {
            return -1;
        }
        frame_clear(&w->frames[w->top]);
        w->top--;
    }
    return flush(w, 0, -1);
}

static PyObject *bytes_of(Buf *b) {
    return PyBytes_FromStringAndSize(b->data ? b->data : "", (Py_ssize_t)b->len);
}

/* walk_html(body, max_elements, n_cat, vocab, check, is_layout)
 *   body: the body node's ``mem_id``; vocab: hint token -> bit set of its categories (bit i for
 *   CATEGORIES[i]);
 *   check: called every 1024 elements (the deadline); is_layout: a table's ``mem_id`` -> whether
 *   the table lays out the page.
 * Returns None (walk in Python instead) or the raw blocks as columns: (texts, kinds, levels,
 * paths, parents, hints, cells, depths, flags, cats, tagdepths, link_chars, n_links), the last
 * six as bytes of int64 (cats: n_cat per block, tagdepths: 5 per block). */
static PyObject *walk_html(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *o_body;
    Py_ssize_t max_elements;
    int n_cat;
    Walk w;
    memset(&w, 0, sizeof(w));
    w.top = -1;
    if (!PyArg_ParseTuple(args, "OniO!OO", &o_body, &max_elements, &n_cat, &PyDict_Type, &w.vocab, &w.check,
                          &w.is_layout)) {
        return NULL;
    }
    if (!bound) {
        PyErr_SetString(PyExc_RuntimeError, "walk_html: lexbor not bound (call lexbor_bind first)");
        return NULL;
    }
    if (n_cat < 0 || n_cat > MAX_CATS) {
        PyErr_SetString(PyExc_ValueError, "walk_html: too many hint categories");
        return NULL;
    }
    LxNode *body = (LxNode *)PyLong_AsVoidPtr(o_body);
    if (body == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "walk_html: null body");
        }
        return NULL;
    }
    w.n_cat = n_cat;
    maps_ready(w.vocab);
    PyObject *result = NULL;
    w.cap = 64;
    w.frames = PyMem_Malloc(sizeof(Frame) * (size_t)w.cap);
    w.texts = PyList_New(0);
    w.kinds = PyList_New(0);
    w.levels = PyList_New(0);
    w.paths = PyList_New(0);
    w.parents = PyList_New(0);
    w.hints = PyList_New(0);
    w.cells_col = PyList_New(0);
    if (w.frames == NULL || !w.texts || !w.kinds || !w.levels || !w.paths || !w.parents || !w.hints ||
        !w.cells_col || tags_init(&w.tags) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_NoMemory();
        }
        goto done;
    }
    w.top = -1;
    if (run(&w, body, max_elements) < 0) {
        goto done;
    }
    if (w.give_up) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    result = Py_BuildValue("(OOOOOOONNNNNN)", w.texts, w.kinds, w.levels, w.paths, w.parents, w.hints,
                           w.cells_col, bytes_of(&w.depths), bytes_of(&w.flags), bytes_of(&w.cats),
                           bytes_of(&w.tagdepths), bytes_of(&w.links), bytes_of(&w.n_links_col));
done:
    for (int i = 0; i <= w.top; i++) {
        frame_clear(&w.frames[i]);
    }
    PyMem_Free(w.frames);
    tags_free(&w.tags);
    PyMem_Free(w.counts.keys);
    PyMem_Free(w.counts.values);
    PyMem_Free(w.path.data);
    PyMem_Free(w.parts.data);
    PyMem_Free(w.out.data);
    PyMem_Free(w.hint.data);
    PyMem_Free(w.scratch.data);
    PyMem_Free(w.depths.data);
    PyMem_Free(w.flags.data);
    PyMem_Free(w.cats.data);
    PyMem_Free(w.tagdepths.data);
    PyMem_Free(w.links.data);
    PyMem_Free(w.n_links_col.data);
    PyMem_Free(w.layouts);
    Py_XDECREF(w.cells);
    Py_XDECREF(w.texts);
    Py_XDECREF(w.kinds);
    Py_XDECREF(w.levels);
    Py_XDECREF(w.paths);
    Py_XDECREF(w.parents);
    Py_XDECREF(w.hints);
    Py_XDECREF(w.cells_col);
    return result;
}

/* bind_lexbor(path, text_id, comment_id, doctype_id, document_id): look the lexbor functions up
 * in selectolax's extension (already loaded, at ``path``); True when all were found. */
static PyObject *bind_lexbor(PyObject *Py_UNUSED(self), PyObject *args) {
    const char *path;
    unsigned long long ids[4];
    if (!PyArg_ParseTuple(args, "sKKKK", &path, &ids[0], &ids[1], &ids[2], &ids[3])) {
        return NULL;
    }
    bound = 0;
    void *lib = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (lib == NULL) {
        Py_RETURN_FALSE;
    }
    lx_element_qname = (element_qname_f)dlsym(lib, "lxb_dom_element_qualified_name");
    lx_first_attr = (first_attr_f)dlsym(lib, "lxb_dom_element_first_attribute_noi");
    lx_attr_qname = (attr_str_f)dlsym(lib, "lxb_dom_attr_qualified_name");
    lx_attr_value = (attr_str_f)dlsym(lib, "lxb_dom_attr_value_noi");
    /* the handle stays open: selectolax's module is never unloaded */
    if (lx_element_qname == NULL || lx_first_attr == NULL || lx_attr_qname == NULL || lx_attr_value == NULL) {
        Py_RETURN_FALSE;
    }
    id_text = (uintptr_t)ids[0];
    id_comment = (uintptr_t)ids[1];
    id_doctype = (uintptr_t)ids[2];
    id_document = (uintptr_t)ids[3];
    if (s_empty == NULL) {
        s_empty = PyUnicode_InternFromString("");
        s_heading = PyUnicode_InternFromString("heading");
        s_list_item = PyUnicode_InternFromString("list_item");
        s_code = PyUnicode_InternFromString("code");
        s_caption = PyUnicode_InternFromString("caption");
        s_quote = PyUnicode_InternFromString("quote");
        s_paragraph = PyUnicode_InternFromString("paragraph");
        s_table_row = PyUnicode_InternFromString("table_row");
        s_sep = PyUnicode_InternFromString(" | ");
        if (!s_empty || !s_heading || !s_list_item || !s_code || !s_caption || !s_quote || !s_paragraph ||
            !s_table_row || !s_sep) {
            return NULL;
        }
    }
    bound = 1;
    Py_RETURN_TRUE;
}

/* lexbor_check(p, text, comment): whether the structs declared here read as selectolax sees them,
 * on the nodes of ``<p class="c" id="i">a<!--b--></p>`` (their ``mem_id``): the links between them,
 * their types and tag ids, the text and the attributes. Only the first fields of each node are read,
 * so that a different layout is found out before the walk follows a pointer it would misread. */
static PyObject *check_layout(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *o_p, *o_text, *o_comment;
    if (!PyArg_ParseTuple(args, "OOO", &o_p, &o_text, &o_comment)) {
        return NULL;
    }
    if (!bound) {
        Py_RETURN_FALSE;
    }
    LxNode *p = PyLong_AsVoidPtr(o_p), *text = PyLong_AsVoidPtr(o_text), *comment = PyLong_AsVoidPtr(o_comment);
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (p == NULL || text == NULL || comment == NULL) {
        Py_RETURN_FALSE;
    }
    int ok = p->first_child == text && p->last_child == comment && text->parent == p && comment->parent == p &&
             text->next == comment && comment->prev == text && text->prev == NULL && comment->next == NULL &&
             p->type == NODE_ELEMENT && text->type == NODE_TEXT && text->local_name == id_text &&
             comment->local_name == id_comment;
    if (ok) {
        LxCharData *cd = (LxCharData *)text;
        ok = cd->data.length == 1 && cd->data.data != NULL && cd->data.data[0] == 'a';
    }
    if (ok) {
        size_t len = 0;
        const unsigned char *name = lx_element_qname(p, &len);
        ok = name != NULL && len == 1 && name[0] == 'p';
    }
    const char *want[2][2] = {{"class", "c"}, {"id", "i"}};
    LxAttr *attr = ok ? lx_first_attr(p) : NULL;
    for (int k = 0; k < 2 && ok; k++) {
        size_t nlen = 0, vlen = 0;
        const unsigned char *name = attr ? lx_attr_qname(attr, &nlen) : NULL;
        const unsigned char *value = attr ? lx_attr_value(attr, &vlen) : NULL;
        ok = name != NULL && value != NULL && nlen == strlen(want[k][0]) && memcmp(name, want[k][0], nlen) == 0 &&
             vlen == strlen(want[k][1]) && memcmp(value, want[k][1], vlen) == 0;
        attr = ok ? attr->next : NULL;
    }
    if (ok && attr != NULL) {
        ok = 0;
    }
    return PyBool_FromLong(ok);
}

/* lexbor_tables(): the C walk's copy of segment/html.py's tables, for a test to compare:
 * ({tag: (flag, block, depth_slot, list_step, skip)}, hint attributes, PATH_MAX_DEPTH, MAX_HINTS) */
static PyObject *lexbor_tables(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args)) {
    PyObject *tags = PyDict_New();
    if (tags == NULL) {
        return NULL;
    }
    for (int k = 0; k < N_KNOWN; k++) {
        PyObject *v = Py_BuildValue("(iiiii)", KNOWN[k].flag, KNOWN[k].block, KNOWN[k].depth_slot,
                                    KNOWN[k].list_step, KNOWN[k].skip);
        if (v == NULL || PyDict_SetItemString(tags, KNOWN[k].name, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(tags);
            return NULL;
        }
        Py_DECREF(v);
    }
    return Py_BuildValue("(N(sssss)ii)", tags, HINT_ATTRS[0], HINT_ATTRS[1], HINT_ATTRS[2], HINT_ATTRS[3],
                         HINT_ATTRS[4], PATH_MAX_DEPTH, MAX_HINTS);
}

/* normalise(text, pre): html.py's _normalise, for a test to compare (text must be encodable). */
static PyObject *normalise(PyObject *Py_UNUSED(self), PyObject *args) {
    const char *s;
    Py_ssize_t n;
    int pre;
    if (!PyArg_ParseTuple(args, "s#p", &s, &n, &pre)) {
        return NULL;
    }
    Buf out = {0};
    PyObject *r = NULL;
    if (normalise_into(&out, (const unsigned char *)s, (size_t)n, pre) == 0) {
        r = PyUnicode_DecodeUTF8(out.data ? out.data : "", (Py_ssize_t)out.len, "strict");
    }
    PyMem_Free(out.data);
    return r;
}

/* lexbor_hint_tokens(value, vocab) -> (tokens, bit set), for a test to compare with hint_tokens */
static PyObject *hint_tokens_c(PyObject *Py_UNUSED(self), PyObject *args) {
    const char *s;
    Py_ssize_t n;
    PyObject *vocab;
    if (!PyArg_ParseTuple(args, "s#O!", &s, &n, &PyDict_Type, &vocab)) {
        return NULL;
    }
    if (!utf8_valid((const unsigned char *)s, (size_t)n)) {
        PyErr_SetString(PyExc_ValueError, "lexbor_hint_tokens: not valid UTF-8");
        return NULL;
    }
    Buf scratch = {0};
    uint64_t mask = 0;
    maps_ready(vocab);
    PyObject *tokens = hint_tuple((const unsigned char *)s, (size_t)n, &mask, &scratch);
    PyMem_Free(scratch.data);
    return tokens == NULL ? NULL : Py_BuildValue("(NK)", tokens, (unsigned long long)mask);
}

/* ---- block features (segment/features.py's block_features) --------------------------------- */

/* The CJK ranges of features.py's _CJK: one character is one word there. */
static inline int is_cjk(Py_UCS4 c) {
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x0E00 && c <= 0x0EFF) || (c >= 0x1000 && c <= 0x109F) ||
           (c >= 0x1780 && c <= 0x17FF);
}

/* re's \w for str patterns */
static inline int is_word(Py_UCS4 c) {
    if (c < 0x80) {
        return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    }
    return Py_UNICODE_ISALNUM(c);
}

/* the next word of ``WORD.findall`` from ``*i`` on: moves ``*i`` to its start and returns its end,
 * or -1 when none is left (a CJK character is a word of its own) */
static inline Py_ssize_t next_word(int kind, const void *data, Py_ssize_t len, Py_ssize_t *i) {
    while (*i < len) {
        Py_UCS4 c = PyUnicode_READ(kind, data, *i);
        if (is_cjk(c)) {
            return *i + 1;
        }
        if (is_word(c)) {
            Py_ssize_t j = *i + 1;
            while (j < len) {
                Py_UCS4 d = PyUnicode_READ(kind, data, j);
                if (is_cjk(d) || !is_word(d)) {
                    break;
                }
                j++;
            }
            return j;
        }
        (*i)++;
    }
    return -1;
}

#define N_STATS 11

/* lexbor_text_stats(texts, stops, max_stop_len, char_mode, class_table, closers, enders) -> bytes
 *   texts: list of str; stops: set/frozenset of stop words (or characters, char_mode) or None;
 *   max_stop_len: no longer word is looked up; class_table: 65536 bytes, features._CLASS_TABLE;
 *   closers, enders: features._CLOSERS and the characters of features._SENTENCE_END.
 * Per text, N_STATS float64: len(text); of WORD.findall(text.lower()): how many, their characters;
 * stop words among them (char_mode: CJK characters of text in stops) and what they are counted
 * among; punctuation, commas, ASCII digits, capitals (features.char_class_counts); lines;
 * text.rstrip(closers).endswith(enders). */
static PyObject *text_stats(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *texts, *stops, *closers, *enders;
    Py_ssize_t max_stop_len;
    int char_mode;
    Py_buffer table;
    if (!PyArg_ParseTuple(args, "O!Onpy*UU", &PyList_Type, &texts, &stops, &max_stop_len, &char_mode, &table,
                          &closers, &enders)) {
        return NULL;
    }
    if (table.len != 65536) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "lexbor_text_stats: class_table must hold 65536 bytes");
        return NULL;
    }
    if (stops == Py_None || PyObject_Length(stops) == 0) {
        PyErr_Clear();
        stops = NULL;
    } else if (!PyAnySet_Check(stops)) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_TypeError, "lexbor_text_stats: stops must be a set");
        return NULL;
    }
    const unsigned char *classes = (const unsigned char *)table.buf;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(double) * N_STATS * n);
    if (out == NULL) {
        PyBuffer_Release(&table);
        return NULL;
    }
    double *o = (double *)PyBytes_AS_STRING(out);
    for (Py_ssize_t r = 0; r < n; r++, o += N_STATS) {
        PyObject *text = PyList_GET_ITEM(texts, r);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "lexbor_text_stats: texts must be str");
            goto fail;
        }
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        int64_t cls[4] = {0, 0, 0, 0}, lines = 1, cjk = 0, cjk_hits = 0;
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            unsigned char bits = c <= 0xFFFF ? classes[c] : 0;
            cls[0] += bits & 1;
            cls[1] += (bits >> 1) & 1;
            cls[2] += (bits >> 2) & 1;
            cls[3] += (bits >> 3) & 1;
            lines += c == '\n';
            if (char_mode && is_cjk(c)) {
                cjk++;
                if (stops != NULL) {
                    PyObject *ch = PyUnicode_FromOrdinal((int)c);
                    int has = ch == NULL ? -1 : PySet_Contains(stops, ch);
                    Py_XDECREF(ch);
                    if (has < 0) {
                        goto fail;
                    }
                    cjk_hits += has;
                }
            }
        }
        /* sentence_end */
        Py_ssize_t end = len;
        while (end > 0 && PyUnicode_FindChar(closers, PyUnicode_READ(kind, data, end - 1), 0,
                                            PyUnicode_GET_LENGTH(closers), 1) >= 0) {
            end--;
        }
        int ends = end > 0 && PyUnicode_FindChar(enders, PyUnicode_READ(kind, data, end - 1), 0,
                                                 PyUnicode_GET_LENGTH(enders), 1) >= 0;
        /* words of the lower-cased text */
        PyObject *low = PyObject_CallMethod(text, "lower", NULL);
        if (low == NULL) {
            goto fail;
        }
        int lkind = PyUnicode_KIND(low);
        const void *ldata = PyUnicode_DATA(low);
        Py_ssize_t llen = PyUnicode_GET_LENGTH(low);
        int64_t words = 0, word_chars = 0, hits = 0;
        Py_ssize_t i = 0, j;
        while ((j = next_word(lkind, ldata, llen, &i)) >= 0) {
            words++;
            word_chars += j - i;
            if (!char_mode && stops != NULL && j - i <= max_stop_len && !is_cjk(PyUnicode_READ(lkind, ldata, i))) {
                PyObject *w = PyUnicode_Substring(low, i, j);
                int has = w == NULL ? -1 : PySet_Contains(stops, w);
                Py_XDECREF(w);
                if (has < 0) {
                    Py_DECREF(low);
                    goto fail;
                }
                hits += has;
            }
            i = j;
        }
        Py_DECREF(low);
        o[0] = (double)len;
        o[1] = (double)words;
        o[2] = (double)word_chars;
        if (char_mode) {
            o[3] = (double)cjk_hits;
            o[4] = (double)cjk;
        } else if (stops != NULL) {
            o[3] = (double)hits;
            o[4] = (double)words;
        } else {
            o[3] = o[4] = 0.0;
        }
        o[5] = (double)cls[0];
        o[6] = (double)cls[1];
        o[7] = (double)cls[2];
        o[8] = (double)cls[3];
        o[9] = (double)lines;
        o[10] = ends ? 1.0 : 0.0;
    }
    PyBuffer_Release(&table);
    return out;
fail:
    PyBuffer_Release(&table);
    Py_DECREF(out);
    return NULL;
}

/* lexbor_word_heads(texts) -> (counts, firsts): per text, of ``features.WORD.findall(text)`` (the
 * text as it is, not lower-cased) how many words there are (float64 bytes) and the first one
 * lower-cased (None for a text without words): classify/html_model.py's ``_word_heads`` in C. */
static PyObject *word_heads(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *texts;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &texts)) {
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(texts);
    PyObject *counts = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizeof(double) * n);
    PyObject *firsts = PyList_New(n);
    if (counts == NULL || firsts == NULL) {
        goto fail;
    }
    double *o = (double *)PyBytes_AS_STRING(counts);
    for (Py_ssize_t r = 0; r < n; r++) {
        PyObject *text = PyList_GET_ITEM(texts, r);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "lexbor_word_heads: texts must be str");
            goto fail;
        }
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        int64_t words = 0;
        Py_ssize_t first_start = -1, first_end = -1;
        Py_ssize_t i = 0, j;
        while ((j = next_word(kind, data, len, &i)) >= 0) {
            if (words++ == 0) {
                first_start = i;
                first_end = j;
            }
            i = j;
        }
        o[r] = (double)words;
        PyObject *first;
        if (words == 0) {
            first = Py_NewRef(Py_None);
        } else {
            PyObject *word = PyUnicode_Substring(text, first_start, first_end);
            first = word == NULL ? NULL : PyObject_CallMethod(word, "lower", NULL);
            Py_XDECREF(word);
            if (first == NULL) {
                goto fail;
            }
        }
        PyList_SET_ITEM(firsts, r, first);
    }
    return Py_BuildValue("(NN)", counts, firsts);
fail:
    Py_XDECREF(counts);
    Py_XDECREF(firsts);
    return NULL;
}

/* lexbor_blocks(cls, fields, columns, names, values) -> list
 *   cls: a slotted class (model.Block); fields: tuple of the names of all its slots; columns: a
 *   tuple, one list per field (n items), or None for the field that gets the feature mappings;
 *   names: tuple of str; values: float64 matrix (n rows, a column per name).
 * The blocks, each made without calling __init__, its slots set from the columns (segment/html.py
 * checks the result against the class's own constructor before it uses this), and its features a
 * dict name -> float of its row (as ``dict(zip(names, row))``; equal floats 0.0 and 1.0 are shared
 * objects). */
static PyObject *make_blocks(PyObject *Py_UNUSED(self), PyObject *args) {
    PyTypeObject *cls;
    PyObject *fields, *columns, *names;
    Py_buffer values;
    if (!PyArg_ParseTuple(args, "O!O!O!O!y*", &PyType_Type, &cls, &PyTuple_Type, &fields, &PyTuple_Type, &columns,
                          &PyTuple_Type, &names, &values)) {
        return NULL;
    }
    Py_ssize_t n_fields = PyTuple_GET_SIZE(fields);
    Py_ssize_t width = PyTuple_GET_SIZE(names);
    PyObject *result = NULL, *tmpl = NULL, *zero = NULL, *one = NULL;
    PyObject **descrs = PyMem_Calloc((size_t)(n_fields ? n_fields : 1), sizeof(PyObject *));
    if (descrs == NULL) {
        PyBuffer_Release(&values);
        return PyErr_NoMemory();
    }
    if (PyTuple_GET_SIZE(columns) != n_fields || width == 0 || values.len % ((Py_ssize_t)sizeof(double) * width)) {
        PyErr_SetString(PyExc_ValueError, "lexbor_blocks: sizes do not match");
        goto done;
    }
    Py_ssize_t n = values.len / ((Py_ssize_t)sizeof(double) * width);
    Py_ssize_t features_at = -1;
    for (Py_ssize_t k = 0; k < n_fields; k++) {
        PyObject *col = PyTuple_GET_ITEM(columns, k);
        if (col == Py_None) {
            if (features_at >= 0) {
                PyErr_SetString(PyExc_ValueError, "lexbor_blocks: one column only can be None");
                goto done;
            }
            features_at = k;
        } else if (!PyList_Check(col) || PyList_GET_SIZE(col) != n) {
            PyErr_SetString(PyExc_ValueError, "lexbor_blocks: a column per field, a list of one item per row");
            goto done;
        }
        descrs[k] = PyObject_GetAttr((PyObject *)cls, PyTuple_GET_ITEM(fields, k));
        if (descrs[k] == NULL) {
            goto done;
        }
        if (!Py_IS_TYPE(descrs[k], &PyMemberDescr_Type) || Py_TYPE(descrs[k])->tp_descr_set == NULL) {
            PyErr_SetString(PyExc_TypeError, "lexbor_blocks: every field must be a slot of the class");
            goto done;
        }
    }
    tmpl = PyDict_New();
    zero = PyFloat_FromDouble(0.0);
    one = PyFloat_FromDouble(1.0);
    result = PyList_New(n);
    if (tmpl == NULL || zero == NULL || one == NULL || result == NULL) {
        goto fail;
    }
    /* every name maps to the shared 0.0 in the template, so a row's copy only needs the values that
       are not +0.0 (most of them are, and a dict assignment costs a lookup); with a repeated name
       (a later column overrides an earlier one) every value is set, in order, as dict(zip()) would */
    for (Py_ssize_t j = 0; j < width; j++) {
        if (PyDict_SetItem(tmpl, PyTuple_GET_ITEM(names, j), zero) < 0) {
            goto fail;
        }
    }
    int distinct = PyDict_GET_SIZE(tmpl) == width;
    const double *x = (const double *)values.buf;
    for (Py_ssize_t r = 0; r < n; r++) {
        PyObject *features = PyDict_Copy(tmpl);
        if (features == NULL) {
            goto fail;
        }
        for (Py_ssize_t j = 0; j < width; j++) {
            double v = x[r * width + j];
            PyObject *f;
            if (v == 0.0 && !signbit(v)) {
                if (distinct) {
                    continue; /* the template's own 0.0 */
                }
                f = Py_NewRef(zero);
            } else if (v == 1.0) {
                f = Py_NewRef(one);
            } else if ((f = PyFloat_FromDouble(v)) == NULL) {
                Py_DECREF(features);
                goto fail;
            }
            int err = PyDict_SetItem(features, PyTuple_GET_ITEM(names, j), f);
            Py_DECREF(f);
            if (err < 0) {
                Py_DECREF(features);
                goto fail;
            }
        }
        PyObject *block = cls->tp_alloc(cls, 0);
        if (block == NULL) {
            Py_DECREF(features);
            goto fail;
        }
        PyList_SET_ITEM(result, r, block);
        for (Py_ssize_t k = 0; k < n_fields; k++) {
            PyObject *v = k == features_at ? features : PyList_GET_ITEM(PyTuple_GET_ITEM(columns, k), r);
            if (Py_TYPE(descrs[k])->tp_descr_set(descrs[k], block, v) < 0) {
                Py_DECREF(features);
                goto fail;
            }
        }
        Py_DECREF(features);
    }
    goto done;
fail:
    Py_CLEAR(result);
done:
    for (Py_ssize_t k = 0; k < n_fields; k++) {
        Py_XDECREF(descrs[k]);
    }
    PyMem_Free(descrs);
    Py_XDECREF(tmpl);
    Py_XDECREF(zero);
    Py_XDECREF(one);
    PyBuffer_Release(&values);
    return result;
}

/* ---- the cheap checks before parsing (parse/html.py) -------------------------------------- */

/* lexbor_prescan(text, chunk, max_depth, long_min) -> (deep, starts)
 *   deep: parse/html.py _limit_depth's rough count says the markup may nest deeper than max_depth
 *     (per stretch of ``chunk`` characters, "<" count less twice the "</" less the "<!" in it,
 *     summed stretch by stretch, passes max_depth after one);
 *   starts: _long_stretch_starts(text) (empty when the text is shorter than long_min): the
 *     character offsets, in order, of every "<" followed by an ASCII letter and, more than
 *     long_min + 1 UTF-8 bytes on, by the next "<" or ">", which is ">". Every match of
 *     parse/html.py's _LONG_TAG starts at one of them (a character takes one UTF-8 byte or more). */
typedef struct {
    Py_ssize_t chunk, max_depth, long_min;
    Py_ssize_t rough;
    int deep;
    Py_ssize_t *starts; /* offsets of the long stretches found (PyMem), n_starts of cap */
    Py_ssize_t n_starts, cap;
    int no_memory;
} Prescan;

static void prescan_add(Prescan *ps, Py_ssize_t at) {
    if (ps->n_starts == ps->cap) {
        Py_ssize_t cap = ps->cap ? 2 * ps->cap : 16;
        Py_ssize_t *grown = PyMem_Realloc(ps->starts, sizeof(Py_ssize_t) * (size_t)cap);
        if (grown == NULL) {
            ps->no_memory = 1;
            return;
        }
        ps->starts = grown;
        ps->cap = cap;
    }
    ps->starts[ps->n_starts++] = at;
}

/* The first position from i on (before end) that may hold a "<" or ">": 16 bytes at a time where
 * SSE2 is there (every x86-64), else i itself; the caller checks each position it is given. */
#if defined(__SSE2__)
#include <emmintrin.h>
#define SKIP_TO_MARK(T, CMPEQ, SET1)                                                                \
    static inline Py_ssize_t skip_##T(const T *p, Py_ssize_t i, Py_ssize_t end) {                   \
        const Py_ssize_t lanes = 16 / (Py_ssize_t)sizeof(T);                                        \
        const __m128i two = SET1(2), gt = SET1('>');                                                \
        while (i + lanes <= end) {                                                                  \
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));                                  \
            int m = _mm_movemask_epi8(CMPEQ(_mm_or_si128(v, two), gt));                             \
            if (m) {                                                                                \
                return i + __builtin_ctz((unsigned)m) / (int)sizeof(T);                             \
            }                                                                                       \
            i += lanes;                                                                             \
        }                                                                                           \
        return i;                                                                                   \
    }
SKIP_TO_MARK(Py_UCS1, _mm_cmpeq_epi8, _mm_set1_epi8)
SKIP_TO_MARK(Py_UCS2, _mm_cmpeq_epi16, _mm_set1_epi16)
SKIP_TO_MARK(Py_UCS4, _mm_cmpeq_epi32, _mm_set1_epi32)
#else
#define SKIP_TO_MARK(T)                                                                             \
    static inline Py_ssize_t skip_##T(const T *p, Py_ssize_t i, Py_ssize_t end) {                   \
        (void)p;                                                                                    \
        (void)end;                                                                                  \
        return i;                                                                                   \
    }
SKIP_TO_MARK(Py_UCS1)
SKIP_TO_MARK(Py_UCS2)
SKIP_TO_MARK(Py_UCS4)
#endif

/* One pass over the text, for each width of str characters (MAXB: the most UTF-8 bytes one such
 * character takes). The UTF-8 length of a stretch between two marks is counted only when its
 * characters could take more than long_min + 1 bytes: a page walks past its text once, skipping
 * to the next "<" or ">" ((c | 2) == '>' holds for those two only). */
#define PRESCAN_LOOP(T, MAXB)                                                                       \
    static void prescan_##T(const T *p, Py_ssize_t n, Prescan *ps) {                                \
        int want_long = n >= ps->long_min;                                                          \
        Py_ssize_t last_at = -1;                                                                    \
        int last_opens_tag = 0;                                                                     \
        for (Py_ssize_t start = 0; start < n; start += ps->chunk) {                                 \
            Py_ssize_t end = start + ps->chunk < n ? start + ps->chunk : n;                         \
            for (Py_ssize_t i = skip_##T(p, start, end); i < end; i = skip_##T(p, i + 1, end)) {    \
                Py_UCS4 c = p[i];                                                                   \
                if ((c | 2) != '>') {                                                               \
                    continue;                                                                       \
                }                                                                                   \
                Py_UCS4 next = i + 1 < n ? p[i + 1] : 0;                                            \
                if (c == '<') {                                                                     \
                    ps->rough += 1 - (i + 1 < end ? (next == '/' ? 2 : next == '!' ? 1 : 0) : 0);   \
                }                                                                                   \
                if (want_long) {                                                                    \
                    if (last_at >= 0 && last_opens_tag && c == '>' &&                               \
                        (size_t)(i - last_at) * MAXB > (size_t)ps->long_min + 1) {                  \
                        size_t bytes = 0; /* UTF-8 bytes of the characters from the "<" to here */  \
                        for (Py_ssize_t k = last_at; k < i; k++) {                                  \
                            Py_UCS4 d = p[k];                                                       \
                            bytes += 1 + (d >= 0x80) + (d >= 0x800) + (d >= 0x10000);               \
                        }                                                                           \
                        if (bytes > (size_t)ps->long_min + 1) {                                     \
                            prescan_add(ps, last_at);                                               \
                        }                                                                           \
                    }                                                                               \
                    last_at = i;                                                                    \
                    last_opens_tag = c == '<' && ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z')); \
                }                                                                                   \
            }                                                                                       \
            if (ps->rough > ps->max_depth) {                                                        \
                ps->deep = 1;                                                                       \
            }                                                                                       \
            if ((ps->deep && !want_long) || ps->no_memory) {                                        \
                break;                                                                              \
            }                                                                                       \
        }                                                                                           \
    }

PRESCAN_LOOP(Py_UCS1, 2)
PRESCAN_LOOP(Py_UCS2, 3)
PRESCAN_LOOP(Py_UCS4, 4)

static PyObject *prescan(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    Prescan ps = {0};
    if (!PyArg_ParseTuple(args, "Unnn", &text, &ps.chunk, &ps.max_depth, &ps.long_min)) {
        return NULL;
    }
    if (ps.chunk <= 0) {
        PyErr_SetString(PyExc_ValueError, "lexbor_prescan: chunk must be positive");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        prescan_Py_UCS1(PyUnicode_1BYTE_DATA(text), n, &ps);
        break;
    case PyUnicode_2BYTE_KIND:
        prescan_Py_UCS2(PyUnicode_2BYTE_DATA(text), n, &ps);
        break;
    default:
        prescan_Py_UCS4(PyUnicode_4BYTE_DATA(text), n, &ps);
        break;
    }
    if (ps.no_memory) {
        PyMem_Free(ps.starts);
        return PyErr_NoMemory();
    }
    PyObject *starts = PyList_New(ps.n_starts);
    if (starts == NULL) {
        PyMem_Free(ps.starts);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < ps.n_starts; k++) {
        PyObject *at = PyLong_FromSsize_t(ps.starts[k]);
        if (at == NULL) {
            PyMem_Free(ps.starts);
            Py_DECREF(starts);
            return NULL;
        }
        PyList_SET_ITEM(starts, k, at);
    }
    PyMem_Free(ps.starts);
    PyObject *result = Py_BuildValue("(ON)", ps.deep ? Py_True : Py_False, starts);
    return result;
}

/* lexbor_long_styles(data, min_len) -> cuts
 *   data: UTF-8 markup (bytes). cuts: flat [a0, b0, a1, b1, ...], in order: the contents of the
 *     "<style" start tags ("style" in any case, then white space, "/" or ">"; the end of the tag found
 *     as the HTML tokenizer reads attributes, quotes included) that run at least min_len bytes with
 *     no "<", up to a "</style" the tokenizer takes as their end tag. Whether each "<style" really
 *     opened an element (not in a comment, a script, an attribute) is for the parsed tree to show
 *     (parse/html.py _parse_markup). */
static inline int html_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static inline int ends_tag_name(unsigned char c) {
    return html_space(c) || c == '/' || c == '>';
}

/* Whether p[0..len) is ``lower`` (ASCII letters) in any case. */
static inline int letters_ieq(const unsigned char *p, const char *lower, Py_ssize_t len) {
    for (Py_ssize_t k = 0; k < len; k++) {
        if ((p[k] | 0x20) != (unsigned char)lower[k]) {
            return 0;
        }
    }
    return 1;
}

/* Whether a tag named ``lower`` (len letters) opens at p[i] ("<" then the name, then white space,
 * "/" or ">"); ``close``: "</" then the name. */
static inline int names_tag(const unsigned char *p, Py_ssize_t i, Py_ssize_t n, const char *lower,
                            Py_ssize_t len, int close) {
    Py_ssize_t at = i + 1 + close;
    return at + len < n && (!close || p[i + 1] == '/') && letters_ieq(p + at, lower, len) &&
           ends_tag_name(p[at + len]);
}

/* Where the start tag whose name ends at p[i] ends (just past its ">"), reading its attributes as
 * the HTML tokenizer does (WHATWG 13.2.5.8-13.2.5.40: a quote opens a value only after "="); -1 when
 * the data ends first. */
static Py_ssize_t start_tag_end(const unsigned char *p, Py_ssize_t i, Py_ssize_t n) {
    enum { BEFORE_NAME, NAME, AFTER_NAME, BEFORE_VALUE, DOUBLE, SINGLE, UNQUOTED, AFTER_QUOTED, SELF_CLOSING };
    int state = BEFORE_NAME; /* p[i] ends the tag name: white space, "/" or ">" */
    for (; i < n; i++) {
        unsigned char c = p[i];
        switch (state) {
        case BEFORE_NAME:
            if (c == '/' || c == '>') {
                state = AFTER_NAME;
                i--; /* reconsume */
            } else if (!html_space(c)) {
                state = NAME; /* "=" here starts a name too */
            }
            break;
        case NAME:
            if (html_space(c) || c == '/' || c == '>') {
                state = AFTER_NAME;
                i--;
            } else if (c == '=') {
                state = BEFORE_VALUE;
            }
            break;
        case AFTER_NAME:
            if (c == '/') {
                state = SELF_CLOSING;
            } else if (c == '=') {
                state = BEFORE_VALUE;
            } else if (c == '>') {
                return i + 1;
            } else if (!html_space(c)) {
                state = NAME;
            }
            break;
        case BEFORE_VALUE:
            if (c == '"') {
                state = DOUBLE;
            } else if (c == '\'') {
                state = SINGLE;
            } else if (c == '>') {
                return i + 1;
            } else if (!html_space(c)) {
                state = UNQUOTED;
            }
            break;
        case DOUBLE:
            if (c == '"') {
                state = AFTER_QUOTED;
            }
            break;
        case SINGLE:
            if (c == '\'') {
                state = AFTER_QUOTED;
            }
            break;
        case UNQUOTED:
            if (html_space(c)) {
                state = BEFORE_NAME;
            } else if (c == '>') {
                return i + 1;
            }
            break;
        case AFTER_QUOTED:
            if (c == '/') {
                state = SELF_CLOSING;
            } else if (c == '>') {
                return i + 1;
            } else {
                state = BEFORE_NAME;
                if (!html_space(c)) {
                    i--;
                }
            }
            break;
        default: /* SELF_CLOSING */
            if (c == '>') {
                return i + 1;
            }
            state = BEFORE_NAME;
            i--;
            break;
        }
    }
    return -1;
}

static PyObject *long_styles(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer data;
    Py_ssize_t min_len;
    if (!PyArg_ParseTuple(args, "y*n", &data, &min_len)) {
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)data.buf;
    Py_ssize_t n = data.len;
    PyObject *cuts = PyList_New(0);
    if (cuts == NULL) {
        PyBuffer_Release(&data);
        return NULL;
    }
    Py_ssize_t i = 0;
    while (i < n) {
        const unsigned char *lt = memchr(p + i, '<', (size_t)(n - i));
        if (lt == NULL) {
            break;
        }
        i = lt - p;
        if (!names_tag(p, i, n, "style", 5, 0)) {
            i++;
            continue;
        }
        Py_ssize_t start = start_tag_end(p, i + 6, n);
        if (start < 0) {
            break; /* the data ends inside the tag */
        }
        /* the content runs to the first "</style" that ends it; cut when that is its first "<" */
        Py_ssize_t end = start, first = -1;
        while (end < n) {
            const unsigned char *q = memchr(p + end, '<', (size_t)(n - end));
            if (q == NULL) {
                end = n;
                break;
            }
            end = q - p;
            if (first < 0) {
                first = end;
            }
            if (names_tag(p, end, n, "style", 5, 1)) {
                break;
            }
            end++;
        }
        if (end < n && end == first && end - start >= min_len) {
            PyObject *a = PyLong_FromSsize_t(start), *b = PyLong_FromSsize_t(end);
            int failed = a == NULL || b == NULL || PyList_Append(cuts, a) < 0 || PyList_Append(cuts, b) < 0;
            Py_XDECREF(a);
            Py_XDECREF(b);
            if (failed) {
                Py_DECREF(cuts);
                PyBuffer_Release(&data);
                return NULL;
            }
        }
        i = end; /* a "<style" inside the content is text */
    }
    PyBuffer_Release(&data);
    return cuts;
}

PyMethodDef thresher_lexbor_methods[] = {
    {"lexbor_bind", bind_lexbor, METH_VARARGS,
     "lexbor_bind(path, text_id, comment_id, doctype_id, document_id): find lexbor in selectolax's module."},
    {"lexbor_walk", walk_html, METH_VARARGS,
     "lexbor_walk(body, max_elements, n_cat, vocab, check, is_layout): raw blocks as columns, or None."},
    {"lexbor_hint_tokens", hint_tokens_c, METH_VARARGS,
     "lexbor_hint_tokens(value, vocab): segment.features.hint_tokens in C, categories as a bit set (for tests)."},
    {"lexbor_word_heads", word_heads, METH_VARARGS,
     "lexbor_word_heads(texts): (float64 bytes of len(WORD.findall(t)), first words lower-cased or None)."},
    {"lexbor_text_stats", text_stats, METH_VARARGS,
     "lexbor_text_stats(texts, stops, max_stop_len, char_mode, class_table, closers, enders): per-text counts."},
    {"lexbor_blocks", make_blocks, METH_VARARGS,
     "lexbor_blocks(cls, fields, columns, names, values): the blocks, with their feature mappings."},
    {"lexbor_prescan", prescan, METH_VARARGS,
     "lexbor_prescan(text, chunk, max_depth, long_min): (may nest too deep, where an overlong tag may start)."},
    {"lexbor_long_styles", long_styles, METH_VARARGS,
     "lexbor_long_styles(data, min_len): where long <style> contents start and end, as flat offsets."},
    {"lexbor_check", check_layout, METH_VARARGS,
     "lexbor_check(p, text, comment): whether the declared lexbor structs read a known tree right."},
    {"lexbor_tables", lexbor_tables, METH_NOARGS, "lexbor_tables(): the walk's tag tables (for tests)."},
    {"lexbor_normalise", normalise, METH_VARARGS, "lexbor_normalise(text, pre): segment.html._normalise in C (for tests)."},
    {NULL, NULL, 0, NULL},
};
