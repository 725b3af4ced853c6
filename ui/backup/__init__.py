"""Back up, restore and automatic backup dialogs."""
