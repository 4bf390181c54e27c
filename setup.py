"""Build of the optional C extension (the HTML walk over lexbor's tree, the tree-model walk, text mode's
and story clustering's hot loops); everything else is in pyproject.toml.

``optional=True``: without a C compiler the install still succeeds and every module falls back to its
Python/numpy twin (same output, slower; ``thresher.compiled.extension()`` says which is in use).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "thresher._speedups",
            sources=[
                "src/thresher/_speedups.c",
                "src/thresher/_speedups_text.c",
                "src/thresher/_speedups_lexbor.c",
                "src/thresher/_speedups_stories.c",
            ],
            depends=["src/thresher/_speedups.h"],
            optional=True,
        )
    ]
)
