class ChatlogError(Exception):
    """A chat export could not be read at all (as opposed to lines left unplaced)."""
