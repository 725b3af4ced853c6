"""``python -m ui`` opens the desktop app, as ``kitshare`` does."""

from ui.main import main

raise SystemExit(main())
