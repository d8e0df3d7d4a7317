"""The HTTP API (FastAPI): ``create_app()`` in ``circumspect.api.app``."""
