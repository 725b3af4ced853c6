"""The main window's frame: menus, tabs, signing in, locking when idle, the File menu's actions."""
