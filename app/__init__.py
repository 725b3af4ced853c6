"""Kit Share's services: the rules, the database and the command line. Imports no ``ui``."""

# Whatever part of the services is used first, the models' column defaults must already
# take "now" from the one clock (see app.core.clock).
from app.core import clock as _clock  # noqa: F401
