/* Method tables of thresher._speedups, one per source file (setup.py compiles them into one
 * extension; _speedups.c's module init adds each table). */
#ifndef THRESHER_SPEEDUPS_H
#define THRESHER_SPEEDUPS_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* An array handed in through the buffer protocol (no numpy headers), its item type checked. */
typedef struct {
    Py_buffer view;
    int held;
} Arr;

/* Get ``obj``'s C-contiguous buffer of ``itemsize``-byte items of struct type code ``format``
 * (writable when asked); 0, or -1 with a TypeError naming ``name``. */
int get_array(PyObject *obj, Arr *b, char format, Py_ssize_t itemsize, int writable, const char *name);
/* Release the first ``n`` of ``bufs`` that are held. */
void release_arrays(Arr *bufs, int n);

extern PyMethodDef thresher_text_methods[];   /* _speedups_text.c: text-mode line features */
extern PyMethodDef thresher_lexbor_methods[]; /* _speedups_lexbor.c: the HTML segmentation walk */
extern PyMethodDef thresher_stories_methods[]; /* _speedups_stories.c: story clustering */

#endif
