"""Build of the optional C extension (the tree walk, text mode's hot loops); everything else is in pyproject.toml.

``optional=True``: without a C compiler the install still succeeds and thresher.classify.trees falls
back to its numpy walk (same numbers, slower).
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
