"""Permission-matrix rows of the legal-documents URLs (merged into tests/matrix.py)."""

from .matrix import Case, count_of, expect, row_of


def _doc(number):
    from network_center.documents.models import LegalDocument

    return lambda: LegalDocument.objects.get(number=number).pk


def _department_draft():
    """A draft order of the Dmitriev department, with one point, made by its specialist."""
    from django.contrib.auth import get_user_model

    from network_center.documents import services as services
    from network_center.documents.models import LegalDocument, SigningRight
    from schools.models import Organisation

    uo = get_user_model().objects.get(username="uo_dmitriev")
    department = Organisation.objects.get(short_name="Управление образования Дмитриевского района")
    draft = LegalDocument.objects.filter(issuer=department, state="draft", parent=None).first()
    if draft is None:
        draft = services.create_document(
            department,
            actor=uo,
            kind="order",
            heading="О проведении муниципального семинара",
            signing_right=SigningRight.objects.default_for(department),
        )
        services.add_point(draft, actor=uo, text="Провести семинар 10.12.2026.")
    return draft


def _draft_pk():
    return _department_draft().pk


def _draft_point_pk():
    return _department_draft().points.first().pk


def _draft_relation_pk():
    from django.contrib.auth import get_user_model

    from network_center.documents import services as services
    from network_center.documents.models import LegalDocument

    uo = get_user_model().objects.get(username="uo_dmitriev")
    target = LegalDocument.objects.get(number="1-139/1")
    return services.set_relation(_department_draft(), actor=uo, kind="amends", target=target).pk


def _kupino_draft_pk():
    from django.contrib.auth import get_user_model

    from network_center.documents import services as services
    from schools.models import Organisation

    uo = get_user_model().objects.get(username="uo_kupino")
    department = Organisation.objects.get(short_name="Управление образования Купинского района")
    draft = services.create_document(department, actor=uo, kind="order", heading="О семинаре")
    services.add_point(draft, actor=uo, text="Провести семинар.")
    return draft.pk


def _kupino_point_pk():
    from network_center.documents.models import DocumentPoint

    from .matrix import resolve

    return DocumentPoint.objects.get(document_id=resolve("kupino_draft")).pk


def _verification_code(number):
    def get():
        from network_center.documents.models import LegalDocument

        return LegalDocument.objects.get(number=number).verification_code

    return get


def _hub_composition_order():
    """The hub's draft order approving a new composition of the Dmitriev working group."""
    from django.contrib.auth import get_user_model

    from network_center.centers.models import Center
    from network_center.centers.services import working_group

    director = get_user_model().objects.get(username="director_sosh2")
    center = Center.objects.get(hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»")
    draft = working_group.draft_composition(center, actor=director)
    return working_group.sync_composition_order(draft, actor=director).pk


def _signed_and_in_force():
    """Who ended up as the order's signatory (its state, signatory and the right's holder) and
    which composition of the Dmitriev group is in force."""
    from network_center.centers.models import Composition
    from network_center.documents.models import LegalDocument

    from .matrix import resolve

    order = LegalDocument.objects.select_related("signing_right__person").get(
        pk=resolve("hub_composition_order")
    )
    in_force = Composition.objects.filter(
        center__hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»",
        status=Composition.Status.IN_FORCE,
    ).values_list("version", flat=True)
    return (order.state, order.signatory_id, order.signed_by_id, tuple(in_force))


def _dmitriev_head_right():
    from network_center.documents.models import SigningRight

    return SigningRight.objects.get(
        organisation__short_name="Управление образования Дмитриевского района", kind="head"
    ).pk


DOCUMENT_TARGETS = {
    "hub_composition_order": _hub_composition_order,
    "dmitriev_head_right": _dmitriev_head_right,
    "order_1_139": _doc("1-139/1"),
    "kupino_order": _doc("312"),
    "dmitriev_draft": _draft_pk,
    "dmitriev_draft_point": _draft_point_pk,
    "dmitriev_draft_relation": _draft_relation_pk,
    "kupino_draft": _kupino_draft_pk,
    "kupino_draft_point": _kupino_point_pk,
    "code_1_139": _verification_code("1-139/1"),
}

# Who sees the signed 1-139/1 (it creates the Dmitriev center): the municipality, the hub's
# staff, the participant schools, the observer and the administrator.
SEES_1_139 = dict(
    uo_dmitriev=200,
    rmk_dmitriev=200,
    director_sosh2=200,
    head_center=200,
    wg_member=200,
    school_a=200,
    school_b=200,
    region=200,
    admin=200,
)
SEES_KUPINO = dict(uo_kupino=200, region=200, admin=200)
# Drafts of the department: the municipality's department and РМК, the observer, the admin.
SEES_DRAFT = dict(uo_dmitriev=200, rmk_dmitriev=200, region=200, admin=200)
# Changing a department draft: its drafters; the observer sees but may not.
EDITS_DRAFT = dict(uo_dmitriev=200, rmk_dmitriev=200, region=403, admin=200)
EDITS_KUPINO_DRAFT = dict(uo_kupino=200, region=403, admin=200)
REGISTERS_DRAFT = dict(uo_dmitriev=200, rmk_dmitriev=403, region=403, admin=200)


def redirecting(codes):
    """The same personas, answering a successful POST with a redirect."""
    return {k: (302 if v == 200 else v) for k, v in codes.items()}


def changing(codes):
    """The personas for whom a POST answered with a redirect changed the state."""
    return tuple(k for k, v in codes.items() if v in (200, 302))


# What a POST may change: the draft (its requisites, version, points, relations), a point.
DRAFT = row_of("documents.LegalDocument", "dmitriev_draft", "points", "relations", "events")
KUPINO_DRAFT = row_of("documents.LegalDocument", "kupino_draft", "points", "relations")
ORDER_1_139 = row_of("documents.LegalDocument", "order_1_139", "points", "relations", "events")
DOCUMENTS = count_of("documents.LegalDocument")


DOCUMENT_MATRIX = {
    "documents:list": [Case("documents:list", expect(200))],
    "documents:export": [Case("documents:export", expect(200))],
    "documents:create": [
        Case(
            "documents:create",
            expect(
                403,
                uo_dmitriev=200,
                rmk_dmitriev=200,
                director_sosh2=200,
                head_center=200,
                uo_kupino=200,
                admin=200,
            ),
        ),
        Case(
            "documents:create",
            expect(
                403,
                uo_dmitriev=200,
                rmk_dmitriev=200,
                director_sosh2=200,
                head_center=200,
                uo_kupino=200,
                admin=200,
            ),
            method="post",
            data={"heading": ""},
            label="invalid POST re-displays the form",
            state=DOCUMENTS,
            changes=(),
        ),
    ],
    "documents:detail": [
        Case("documents:detail", expect(404, **SEES_1_139), args=("order_1_139",)),
        Case("documents:detail", expect(404, **SEES_KUPINO), args=("kupino_order",)),
        Case("documents:detail", expect(404, **SEES_DRAFT), args=("dmitriev_draft",)),
    ],
    "documents:pdf": [
        Case("documents:pdf", expect(404, **SEES_1_139), args=("order_1_139",)),
        Case("documents:pdf", expect(404, **SEES_KUPINO), args=("kupino_order",)),
        Case("documents:pdf", expect(404, **SEES_DRAFT), args=("dmitriev_draft",)),
    ],
    "documents:scan": [
        # Neither demo act has a scan attached: 404 for everyone, before and after scoping.
        Case("documents:scan", expect(404), args=("order_1_139",)),
        Case("documents:scan", expect(404), args=("kupino_order",)),
    ],
    "documents:edit": [
        Case(
            "documents:edit",
            expect(404, **{**SEES_1_139, **dict.fromkeys(SEES_1_139, 403)}),
            args=("order_1_139",),
            label="signed act is refused",
        ),
        Case("documents:edit", expect(404, **EDITS_DRAFT), args=("dmitriev_draft",)),
        Case("documents:edit", expect(404, **EDITS_KUPINO_DRAFT), args=("kupino_draft",)),
        Case(
            "documents:edit",
            expect(404, **EDITS_DRAFT),
            method="post",
            args=("dmitriev_draft",),
            data={"heading": ""},
            label="invalid POST",
            state=DRAFT,
            changes=(),
        ),
    ],
    "documents:delete": [
        Case(
            "documents:delete",
            expect(404, **redirecting(EDITS_DRAFT)),
            method="post",
            args=("dmitriev_draft",),
            state=DRAFT,
            changes=changing(EDITS_DRAFT),
        ),
        Case(
            "documents:delete",
            expect(404, **dict.fromkeys(SEES_1_139, 403)),
            method="post",
            args=("order_1_139",),
            label="signed act is refused",
            state=ORDER_1_139,
            changes=(),
        ),
        Case("documents:delete", expect(405, anonymous=302), args=("dmitriev_draft",)),
    ],
    "documents:body": [
        Case("documents:body", expect(404, **EDITS_DRAFT), args=("dmitriev_draft",)),
        Case("documents:body", expect(404, **EDITS_KUPINO_DRAFT), args=("kupino_draft",)),
    ],
    "documents:body_text": [
        Case("documents:body_text", expect(404, **EDITS_DRAFT), args=("dmitriev_draft",)),
        Case(
            "documents:body_text",
            expect(404, **redirecting(EDITS_DRAFT)),
            method="post",
            args=("dmitriev_draft",),
            data={"text": "1. Провести семинар.\n2. Контроль оставляю за собой."},
            state=DRAFT,
            changes=changing(EDITS_DRAFT),
        ),
    ],
    "documents:point_add": [
        Case(
            "documents:point_add",
            expect(404, **redirecting(EDITS_DRAFT)),
            method="post",
            args=("dmitriev_draft",),
            data={"new-text": "Новый пункт", "new-style": "numbered"},
            state=DRAFT,
            changes=changing(EDITS_DRAFT),
        ),
        Case(
            "documents:point_add",
            expect(404, **redirecting(EDITS_KUPINO_DRAFT)),
            method="post",
            args=("kupino_draft",),
            data={"new-text": "Новый пункт", "new-style": "numbered"},
            state=KUPINO_DRAFT,
            changes=changing(EDITS_KUPINO_DRAFT),
        ),
        Case("documents:point_add", expect(405, anonymous=302), args=("dmitriev_draft",)),
    ],
    "documents:point_edit": [
        Case("documents:point_edit", expect(404, **EDITS_DRAFT), args=("dmitriev_draft_point",)),
        Case(
            "documents:point_edit",
            expect(404, **EDITS_KUPINO_DRAFT),
            args=("kupino_draft_point",),
        ),
        Case(
            "documents:point_edit",
            expect(404, **redirecting(EDITS_DRAFT)),
            method="post",
            args=("dmitriev_draft_point",),
            data={"text": "Изменённый пункт", "style": "numbered"},
            state=DRAFT,
            changes=changing(EDITS_DRAFT),
        ),
    ],
    "documents:point_move": [
        Case(
            "documents:point_move",
            expect(404, **redirecting(EDITS_DRAFT)),
            method="post",
            args=("dmitriev_draft_point",),
            data={"direction": "down"},
            state=DRAFT,
            changes=(),
        ),
        Case(
            "documents:point_move",
            expect(404, **redirecting(EDITS_KUPINO_DRAFT)),
            method="post",
            args=("kupino_draft_point",),
            data={"direction": "up"},
            state=KUPINO_DRAFT,
            changes=(),
        ),
    ],
    "documents:point_delete": [
        Case(
            "documents:point_delete",
            expect(404, **redirecting(EDITS_DRAFT)),
            method="post",
            args=("dmitriev_draft_point",),
            state=DRAFT,
            changes=changing(EDITS_DRAFT),
        ),
        Case(
            "documents:point_delete",
            expect(404, **redirecting(EDITS_KUPINO_DRAFT)),
            method="post",
            args=("kupino_draft_point",),
            state=KUPINO_DRAFT,
            changes=changing(EDITS_KUPINO_DRAFT),
        ),
    ],
    "documents:appendix_add": [
        Case("documents:appendix_add", expect(404, **EDITS_DRAFT), args=("dmitriev_draft",)),
        Case(
            "documents:appendix_add",
            expect(404, **dict.fromkeys(SEES_1_139, 403)),
            args=("order_1_139",),
            label="signed act is refused",
        ),
    ],
    "documents:relation_add": [
        Case(
            "documents:relation_add",
            expect(404, **redirecting(EDITS_DRAFT)),
            method="post",
            args=("dmitriev_draft",),
            data={"kind": "amends"},
            state=DRAFT,
            changes=(),
        ),
        Case(
            "documents:relation_add",
            expect(404, **redirecting(EDITS_KUPINO_DRAFT)),
            method="post",
            args=("kupino_draft",),
            data={"kind": "amends"},
            state=KUPINO_DRAFT,
            changes=(),
        ),
    ],
    "documents:relation_delete": [
        Case(
            "documents:relation_delete",
            expect(404, **redirecting(EDITS_DRAFT)),
            method="post",
            args=("dmitriev_draft_relation",),
            state=DRAFT,
            changes=changing(EDITS_DRAFT),
        ),
    ],
    "documents:sign": [
        # Only the signatory (О.Л. Тулиёва, login chief_dmitriev) may sign; the administrator
        # included: rules are asked directly, without the superuser shortcut of has_perm.
        Case(
            "documents:sign",
            expect(404, uo_dmitriev=403, rmk_dmitriev=403, region=403, admin=403),
            args=("dmitriev_draft",),
        ),
        Case(
            "documents:sign",
            expect(404, uo_dmitriev=403, rmk_dmitriev=403, region=403, admin=403),
            method="post",
            args=("dmitriev_draft",),
            data={"password": "demo12345"},
            state=DRAFT,
            changes=(),
        ),
        Case(
            "documents:sign",
            expect(404, **dict.fromkeys(SEES_1_139, 403)),
            args=("order_1_139",),
            label="signed act is refused",
        ),
        # The hub's composition order: only its director signs it, and only then is the new
        # composition in force — the center head, who drafts it with him, is refused.
        Case(
            "documents:sign",
            expect(
                404,
                director_sosh2=302,
                head_center=403,
                wg_member=403,
                uo_dmitriev=403,
                rmk_dmitriev=403,
                region=403,
                admin=403,
            ),
            method="post",
            args=("hub_composition_order",),
            data={"password": "demo12345"},
            label="composition order by the hub's director only",
            state=_signed_and_in_force,
            changes=("director_sosh2",),
        ),
    ],
    # The issuer's registrars: the department (not its methodologists) for the department's
    # and the administration's acts; who signed on paper and what came into force are asserted
    # in test_signing_rights.
    "documents:register": [
        Case("documents:register", expect(404, **REGISTERS_DRAFT), args=("dmitriev_draft",)),
        Case("documents:register", expect(404, **EDITS_KUPINO_DRAFT), args=("kupino_draft",)),
        Case(
            "documents:register",
            expect(404, **REGISTERS_DRAFT),
            method="post",
            args=("dmitriev_draft",),
            data={"number": ""},
            label="invalid POST",
            state=DRAFT,
            changes=(),
        ),
        # Neither the center head nor the department registers the hub's order as a paper act
        # (which would put the composition in force without the director).
        Case(
            "documents:register",
            expect(
                404,
                director_sosh2=200,
                head_center=403,
                wg_member=403,
                uo_dmitriev=403,
                rmk_dmitriev=403,
                region=403,
                admin=200,
            ),
            method="post",
            args=("hub_composition_order",),
            data={"number": "9-ОД", "date": "2026-01-10"},
            label="hub's order: its director registers (no scan: form again)",
            state=_signed_and_in_force,
            changes=(),
        ),
    ],
    "verify": [
        Case("verify", expect(200, anonymous=200), args=("code_1_139",)),
    ],
    # The department keeps who may sign for the organisations of its municipality.
    "documents:signing_rights": [
        Case("documents:signing_rights", expect(200)),
        Case(
            "documents:signing_rights",
            expect(403, uo_dmitriev=200, uo_kupino=200, admin=200),
            method="post",
            data={"kind": "acting", "position": ""},
            label="invalid POST re-displays the form",
            state=count_of("documents.SigningRight"),
            changes=(),
        ),
    ],
    "documents:signing_right_end": [
        Case(
            "documents:signing_right_end",
            expect(404, uo_dmitriev=302, admin=302, rmk_dmitriev=403, region=403),
            method="post",
            args=("dmitriev_head_right",),
            data={"last_day": "2099-12-31"},
            state=row_of("documents.SigningRight", "dmitriev_head_right"),
            changes=("uo_dmitriev", "admin"),
        ),
    ],
}
