"""A bare Django project: the floor the pages benchmark measures coursekeeper's pages against.

Django's defaults as `startproject` writes them (its middleware, SQLite, DEBUG off) and one view,
so the difference to a coursekeeper page is what the project adds: its middleware, its queries,
its templates. A package, not a bench/*.py file, so `make bench` does not run it as a benchmark.
"""
