"""The Audit tab."""
