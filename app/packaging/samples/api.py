"""REST API of packaging samples: /api/v1/packaging_sample (list, show, create, edit; company-
and role-scoped through the OT's visibility; MUE-001..003 in services.py) and the company's
catalogs of CADs, cartons and gluing types (read by every ENV role, written by the admins)."""
from __future__ import annotations

from flask import request
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.core.api import API_PERMISSIONS, TenantModelRestApi, answers_errors, json_body
from app.core.commands import run
from app.core.validation import integer
from app.extensions import db
from app.packaging import rules
from app.packaging.catalogs.api import catalog_resource
from app.packaging.orders import queries
from app.packaging.orders.filters import current_actor
from app.packaging.samples import queries as sq
from app.packaging.samples import services as samples
from app.packaging.samples.models import (
    SAMPLE_ENTITY,
    Sample,
    SampleCad,
    SampleCarton,
    SampleGluing,
)


class PackagingSampleApi(TenantModelRestApi):
    datamodel = SQLAInterface(Sample)
    resource_name = SAMPLE_ENTITY
    class_permission_name = "PackagingWorkOrder"  # the matrix decides in services.py (403 with its reason)
    method_permission_name = API_PERMISSIONS
    include_route_methods = {"get", "get_list", "post", "put"}
    list_columns = show_columns = ["id", "work_order_id", "state", "recipient", "cad_id", "carton_id", "gluing_id",
                                   "sample_carton_id", "unit_time"]
    add_columns = edit_columns = ["cad", "carton", "gluing", "sample_carton", "unit_time"]
    openapi_spec_tag = "OT de envases"

    @answers_errors
    def get_list_headless(self, **kwargs):
        """The samples of the OTs the caller sees (FLT-001..FLT-004); filters work_order,
        state (0..3), page, page_size."""
        actor = current_actor()
        rules.require(actor, "VER_OTS")
        args = sq.parse_list_args(request.args)
        total, rows = sq.list_samples(session=db.session, actor=actor, **args)
        rooms = sq.room_names(db.session)
        return self.response(200, count=total, result=[sq.sample_to_dict(s, rooms) for s in rows])

    @answers_errors
    def get_headless(self, pk, **kwargs):
        actor = current_actor()
        rules.require(actor, "VER_OTS")
        sample, _ot = sq.get_sample(session=db.session, actor=actor, sample_id=pk)
        return self.response(200, id=sample.id, result=sq.sample_to_dict(sample, sq.room_names(db.session)))

    @answers_errors
    def post_headless(self):
        """MUE-001..003: {"work_order", "recipients": [...], "cad", "carton", ...} -> 201
        {"ids": [...]}, one sample per recipient."""
        data = json_body()
        actor = current_actor()
        ot_id = integer(data.get("work_order"), "work_order", "OT", min=1)
        ot = queries.get_order(session=db.session, actor=actor, order_id=ot_id)
        made, _entry = run(samples.create, ot=ot, data=data)
        rooms = sq.room_names(db.session)
        return self.response(201, ids=[s.id for s in made], result=[sq.sample_to_dict(s, rooms) for s in made])

    @answers_errors
    def put_headless(self, pk):
        """MUE-001: the sample's fields; Jefe/Técnico de Muestras only unit_time, cut_<k>,
        quantity_<k> and sample_carton (another field: 403 naming it)."""
        data = json_body()
        sample, ot = sq.get_sample(session=db.session, actor=current_actor(), sample_id=pk)
        run(samples.edit, sample=sample, ot=ot, data=data)
        return self.response(200, id=sample.id, result=sq.sample_to_dict(sample, sq.room_names(db.session)))


SAMPLE_APIS = [
    PackagingSampleApi,
    catalog_resource(SampleCad, "packaging_sample_cad", ["name", "active"]),
    catalog_resource(SampleCarton, "packaging_sample_carton", ["name", "active"]),
    catalog_resource(SampleGluing, "packaging_sample_gluing", ["name", "active"]),
]
