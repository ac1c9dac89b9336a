"""Mantenedores of the cascade (Admin only, permission PackagingMaintenance): the options of
each of the eight levels (label, active) and the allowed combinations
(relacion_filtro_ingresos_principales), added and deactivated here (CASC-001/002)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.catalogs import catalog_view
from app.packaging.cascade.models import LEVELS, Combination
from app.packaging.catalogs.views import CATEGORY, MAINTENANCE

LABELS = {"id": _l("Id"), "label": _l("Nombre"), "active": _l("Activa"),
          **{lv.field: lv.label for lv in LEVELS}}
MENUS = {
    "product_type": ("Tipos de ítem", _l("Tipos de ítem")),
    "printing": ("Impresiones", _l("Impresiones")),
    "fsc": ("FSC", _l("FSC")),
    "tape": ("Cintas", _l("Cintas")),
    "coverage_internal": ("Recubrimientos internos", _l("Recubrimientos internos")),
    "coverage_external": ("Recubrimientos externos", _l("Recubrimientos externos")),
    "plant": ("Plantas", _l("Plantas")),
    "carton_color": ("Colores de cartón", _l("Colores de cartón")),
}
COMBINATIONS_MENU = ("Combinaciones permitidas", _l("Combinaciones permitidas"))


def _view(model, columns, title, route, **extra):
    return catalog_view(model, columns, permission=MAINTENANCE, route_base=f"/envases/mantenedores/{route}",
                        title=title, labels=LABELS, add=True, **extra)


VIEWS = [
    *[(_view(lv.model, ["label", "active"], MENUS[lv.field][1], lv.model.__tablename__.replace("packaging_", "")),
       *MENUS[lv.field]) for lv in LEVELS],
    (_view(Combination, [*(lv.field for lv in LEVELS), "active"], COMBINATIONS_MENU[1], "combinaciones",
           search_columns=[*(lv.field for lv in LEVELS), "active"], page_size=50), *COMBINATIONS_MENU),
]


def register(appbuilder) -> None:
    for view, name, label in VIEWS:
        appbuilder.add_view(view, name, label=label, icon="fa-sitemap", category=CATEGORY,
                            category_label=_l("Envases"), category_icon="fa-box")
