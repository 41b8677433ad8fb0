"""Matplotlib drawings of the course's models.

Every module here may register figures with :func:`tcpmodel.figures.figure`;
``make figures`` imports them all. Importing this package imports matplotlib,
which is why ``tcpmodel/__init__.py`` never imports it.
"""
