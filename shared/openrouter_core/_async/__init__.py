"""The async client: the single source from which ``_sync`` is generated."""
