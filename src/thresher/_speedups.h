/* Method tables of thresher._speedups, one per source file (setup.py compiles them into one
 * extension; _speedups.c's module init adds each table). */
#ifndef THRESHER_SPEEDUPS_H
#define THRESHER_SPEEDUPS_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>

extern PyMethodDef thresher_text_methods[];   /* _speedups_text.c: text-mode line features */
extern PyMethodDef thresher_lexbor_methods[]; /* _speedups_lexbor.c: the HTML segmentation walk */
extern PyMethodDef thresher_stories_methods[]; /* _speedups_stories.c: story clustering */

#endif
