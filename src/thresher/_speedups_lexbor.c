/* The HTML segmentation walk over selectolax's lexbor tree in C (see thresher.segment.html). */
#include "_speedups.h"

PyMethodDef thresher_lexbor_methods[] = {
    {NULL, NULL, 0, NULL},
};
