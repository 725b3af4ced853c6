"""Inspection regimes, inspections and defects, and what they stop."""
