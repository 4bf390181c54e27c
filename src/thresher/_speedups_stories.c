/* Story clustering's hot loops in C (see thresher.stories). */
#include "_speedups.h"

PyMethodDef thresher_stories_methods[] = {
    {NULL, NULL, 0, NULL},
};
