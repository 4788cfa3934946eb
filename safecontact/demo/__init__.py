"""The demonstration organisation (``load_demo``), above every other app."""
