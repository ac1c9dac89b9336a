"""Web pages of operator certifications (stub while the API is being proved)."""


def register_views(appbuilder) -> None:
    pass
