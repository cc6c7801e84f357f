"""DRF plumbing shared by every app's `api.py` and by the `api` app above them: pagination,
permissions, and the base of every endpoint. Nothing here knows an app."""
