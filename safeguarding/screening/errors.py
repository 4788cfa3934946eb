"""The screening package's own exception."""


class ScreeningError(Exception):
    """Bad input to the scanner or an unknown indicator or model file."""
