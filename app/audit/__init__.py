"""The append-only audit trail: recording changes, and reading them back."""
