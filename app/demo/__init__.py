"""The Cambridgeshire demo catalogue and loading it."""
