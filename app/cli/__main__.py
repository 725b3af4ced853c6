"""``python -m app.cli``: the command line of ``kitshare-admin``, without its PDF writer."""

from app.cli.main import main

raise SystemExit(main())
