"""The application layer: the use cases the CLI, the API and the web pages share.

- :mod:`.runtime`: :class:`Runtime`, what a running service holds (case service, list store,
  screener rebuilt when a new list version becomes active);
- :mod:`.screening`: screen parties, remember them, open cases for alerts;
- :mod:`.payments`: screen a payment message; held/rejected payments become cases;
- :mod:`.declarations`: score declarations; risky rows become cases;
- :mod:`.rescreen`: re-screen remembered parties after a list update.

Each use case takes typed inputs and returns typed results (frozen dataclasses); the API and
web routers turn those into JSON or HTML. Services sit above the domain packages and
``cases``, and below ``engines``, ``api``, ``web`` and ``cli``.
"""
