"""Build of the compiled core (circumspect/names/_core.pyx); the rest is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension(
                "circumspect.names._core",
                ["circumspect/names/_core.pyx"],
                extra_compile_args=["-O2"],
            )
        ],
        compiler_directives={"language_level": "3"},
    )
)
