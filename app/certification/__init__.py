"""Module certification (see ../shared/spec). Registered by create_app()."""


def register(appbuilder) -> None:
    """Views and APIs of the module."""
