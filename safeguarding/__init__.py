"""The knowledge of the field, in pure Python.

Nothing in this package imports Django, reads settings, touches a database or
reads the clock: values go in, decisions and findings come out.
"""
