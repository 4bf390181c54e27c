/* Text mode's hot loops in C (see thresher.segment.text / thresher.classify.text_*). */
#include "_speedups.h"

PyMethodDef thresher_text_methods[] = {
    {NULL, NULL, 0, NULL},
};
