"""The HTTP API (FastAPI): ``/v1`` routers in :mod:`circumspect.api.routers`, shared
dependencies in :mod:`circumspect.api.deps`; the app is built by ``circumspect.server``."""
