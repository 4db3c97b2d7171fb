"""The portal's date and time formats (``FORMAT_MODULE_PATH``): one style on every page."""
