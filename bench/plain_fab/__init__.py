"""The baseline of the load benchmark (issue 13): plain Flask-AppBuilder over a copy of the
installation order table. See app.py."""
