"""``smguard serve``: the HTTP API for other tools and the review desk for people.

Its modules, lowest first:

* :mod:`.tokens` — API tokens (hashed, with scopes), created and revoked by ``smguard tokens``;
* :mod:`.usage` — token use counted per window into the audit log (why not per request: there);
* :mod:`.limits` (rate limits per token), :mod:`.metrics` (Prometheus), :mod:`.errors` (JSON
  errors with the CLI's exit code), :mod:`.openapi` (the document, held to the routes by a test);
* :mod:`.service` — what one worker holds: the store, the guard built once, the counters;
* :mod:`.api` — the ``/v1`` endpoints; :mod:`.desk` — the review desk's pages;
* :mod:`.app` — :func:`create_app`, the Starlette app uvicorn runs.

Starlette and uvicorn come with the ``server`` extra (``pip install "smguard[server]"``); the
core install does without them. May import every layer below the CLI.
"""
