"""Installation orders (spec installation-orders-matrix.md): the TUMEX permission matrix
(seed/workflows/installation.yaml) as the single source of truth. Registered by create_app();
demo data in demo.py (`flask seed --demo`)."""


def register(appbuilder) -> None:
    """Views and APIs of the module."""
    from app.installation import views
    from app.installation.api import InstallationOrderApi
    from app.installation.catalog_api import InstallationEquipmentApi

    appbuilder.add_api(InstallationOrderApi)
    appbuilder.add_api(InstallationEquipmentApi)
    views.register(appbuilder)

