"""The few things every feature shares: the clock, errors, clean text, permissions."""
