"""Command-line interface. Each module here with a ``register(app)`` adds its commands."""
