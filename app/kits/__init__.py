"""Kits: several items one agency lends as one, and lending them through the loans."""
