"""ipywidgets user interfaces over the course's models.

Each module builds one widget from :class:`tcpmodel.widgets.base.CourseWidget`.
Importing this package imports ipywidgets and matplotlib, which is why
``tcpmodel/__init__.py`` never imports it.
"""
