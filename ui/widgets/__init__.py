"""Pieces every screen uses: the one form base, inputs, messages, table models."""
