"""The People tab and the person dialog."""
