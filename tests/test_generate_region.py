"""``manage.py generate_region``: a tiny generated region on top of the demo world.

The sizes are the command's options at their smallest useful: 3 municipalities, 12 schools,
3 centers, 2 academic years (the past one approved and executed, the current one on
agreement), 60 lines, 40 users, 600 indicator values, 1 stored PDF.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from monitoring.models import IndicatorValue
from network_center.centers.models import Center, Composition
from network_center.documents.models import LegalDocument
from network_center.regiongen import BASE_YEAR, REGION_NAME, region_digest
from plans.models import Execution, Line, Plan, Revision, Transition, Visa
from schools.models import Municipality, Organisation

from .conftest import SCHOOL_A

pytestmark = pytest.mark.django_db

TINY = [
    "--municipalities=3",
    "--schools=12",
    "--centers=3",
    "--years=2",
    "--lines=60",
    "--users=40",
    "--values=600",
    "--pdfs=1",
]


def _generate(*extra, seed=1):
    out = StringIO()
    call_command("generate_region", *TINY, f"--seed={seed}", *extra, stdout=out)
    return out.getvalue()


def _region_plans():
    return Plan.objects.filter(center__municipality__region__name=REGION_NAME)


def test_it_generates_the_sizes_asked_and_prints_each_phase():
    output = _generate()

    schools = Organisation.objects.filter(region__name=REGION_NAME, kind=Organisation.Kind.SCHOOL)
    assert Municipality.objects.filter(region__name=REGION_NAME).count() == 3
    assert schools.count() == 12
    assert Center.objects.filter(municipality__region__name=REGION_NAME).count() == 3
    assert _region_plans().count() == 3 * 2
    assert Line.objects.filter(revision__plan__in=_region_plans()).count() == 60
    users = get_user_model().objects.filter(memberships__organisation__region__name=REGION_NAME)
    assert users.distinct().count() == 40
    assert (
        IndicatorValue.objects.filter(campaign__municipality__region__name=REGION_NAME).count()
        == 600
    )
    signed = LegalDocument.objects.filter(issuer__region__name=REGION_NAME, parent=None)
    assert signed.exclude(pdf="").count() == 1
    # Each phase is printed with its counts and seconds, and the total.
    assert "Планы: строки, предложения, визы, утверждение: планов 6, строк 60" in output
    assert " с\n" in output and "Всего:" in output
    # Names are Russian and plausible.
    assert schools.filter(short_name__regex=r"^МКОУ «СОШ № \d+ г\. .+»$").exists()
    assert (
        Municipality.objects.filter(region__name=REGION_NAME, name__endswith="район").count() == 3
    )


def test_generated_plans_keep_the_invariants_of_the_workflow():
    _generate()

    for plan in _region_plans().select_related("center"):
        participants = set(plan.center.participations.values_list("school_id", flat=True))
        revision = plan.revisions.get()
        actions = set(Transition.objects.filter(revision=revision).values_list("action", flat=True))
        assert {"create", "line_added", "submit", "visa"} <= actions
        if plan.year < BASE_YEAR:
            # The past year's plan: agreed by every participant school, approved, in force,
            # its approving act signed, every event reported and accepted or cancelled.
            assert revision.state == Revision.State.APPROVED
            assert {"agreed", "approve"} <= actions
            visas = list(revision.visas.values_list("school_id", "decision"))
            assert {school for school, _ in visas} == participants
            assert {decision for _, decision in visas} <= {
                Visa.Decision.AGREED,
                Visa.Decision.AGREED_WITH_REMARKS,
            }
            assert revision.approval_document.state == LegalDocument.State.SIGNED
            executions = Execution.objects.filter(plan=plan)
            assert executions.count() == revision.lines.count()
            assert set(executions.values_list("state", flat=True)) <= {
                Execution.State.ACCEPTED,
                Execution.State.CANCELLED,
            }
            for execution in executions.prefetch_related("events"):
                assert [e.action for e in execution.events.order_by("pk")] in (
                    ["create", "report", "accept"],
                    ["create", "cancel"],
                )
        else:
            assert revision.state == Revision.State.ON_AGREEMENT
            assert plan.proposals.filter(state="submitted").exists()
        # Numbers follow the positions; the content version counts every line added.
        positions = list(revision.lines.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1))
        assert revision.content_version == 1 + len(positions)
    # Every center's working group is in force by its signed order.
    compositions = Composition.objects.filter(center__municipality__region__name=REGION_NAME)
    assert compositions.filter(status=Composition.Status.IN_FORCE).count() == 3
    assert all(c.order.is_signed for c in compositions.select_related("order"))


def test_generated_users_see_their_own_region_only(client_of):
    _generate()
    User = get_user_model()
    department = User.objects.get(username="gen01_uo")
    municipality = department.memberships.get().organisation.municipality
    own_school = (
        Organisation.objects.filter(municipality=municipality, kind=Organisation.Kind.SCHOOL)
        .order_by("pk")
        .first()
    )
    dmitriev_school = Organisation.objects.get(short_name=SCHOOL_A)
    client = client_of("gen01_uo")
    assert client.get(reverse("schools:detail", args=[own_school.pk])).status_code == 200
    assert client.get(reverse("schools:detail", args=[dmitriev_school.pk])).status_code == 404
    listing = client.get(reverse("schools:list")).content.decode()
    assert own_school.short_name in listing
    assert "Дмитриева" not in listing

    plan = _region_plans().filter(center__municipality=own_school.municipality).order_by("year")[0]
    for username in ("gen01_uo", "gen01_h1_head", "gen01_h1_dir"):
        c = client_of(username)
        assert c.get("/").status_code == 200
        assert c.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
    coordinator = (
        User.objects.filter(
            memberships__organisation__in=plan.center.participations.values("school"),
            memberships__role="coordinator",
        )
        .order_by("username")
        .first()
    )
    c = client_of(coordinator.username)
    assert c.get("/").status_code == 200
    assert c.get(reverse("plans:detail", args=[plan.pk])).status_code == 200


def test_the_same_seed_gives_the_same_region_and_a_second_run_needs_replace():
    _generate()
    first = region_digest()

    with pytest.raises(CommandError, match="--replace"):
        _generate()
    _generate("--replace")
    assert region_digest() == first
    assert Organisation.objects.filter(region__name=REGION_NAME).count() == (
        3 + 3 + 12 + 1  # departments, РМК, schools, the regional ministry
    )

    _generate("--replace", seed=2)
    assert region_digest() != first
