"""GENERATED from ``openrouter_core/_async/__init__.py`` by
``scripts/unasync.py``: do not edit; change the async source and run
``make unasync``."""
