"""``kitshare-admin``: one module per command group, and what they share in ``common``."""
