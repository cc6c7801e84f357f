"""DRF plumbing shared by every app's `api.py` and by the `api` app above them: pagination,
permissions, the base of every endpoint, and per-request lookups. Nothing here knows an app."""
