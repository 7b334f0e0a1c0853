"""Random sequences of transitions and edits by random personas keep the plan's invariants:

- an approved revision never changes (its lines are as they were at approval);
- «agreed» means every participant school agreed on the current content;
- the history has a row for every change of state, with the right from / to, and a row for
  every change of a revision's content (a line added, edited or deleted);
- a refused call changes nothing.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from plans import services
from plans.models import Plan, Revision, Transition, Visa
from schools.models import Membership

PERSONAS = [
    "head_center",
    "uo_dmitriev",
    "chief_dmitriev",
    "director_sosh2",
    "wg_member",
    "rmk_dmitriev",
    "school_a",
    "school_b",
    "school_c",
    "school_d",
    "school_e",
    "region",
]
DECISIONS = [Visa.Decision.AGREED, Visa.Decision.AGREED_WITH_REMARKS, Visa.Decision.OBJECTED]
REFUSALS = (PermissionDenied, ValidationError)


def snapshot(revision):
    return sorted(
        (line.key, line.title, line.date_from, line.version) for line in revision.lines.all()
    )


class PlanMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.users = {
            u.username: u
            for u in get_user_model().objects.filter(username__in=[*PERSONAS, "chief_dmitriev"])
        }
        self.plan = Plan.objects.get(
            center__hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»", year=2026
        )
        self.frozen = {}
        for revision in self.plan.revisions.filter(state=Revision.State.APPROVED):
            self.frozen[revision.pk] = snapshot(revision)
        self.coordinated = dict(
            Membership.objects.filter(role="coordinator").values_list(
                "user__username", "organisation_id"
            )
        )

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    # --- helpers ---------------------------------------------------------------------------
    def latest(self):
        return self.plan.revisions.order_by("-number").first()

    def attempt(self, fn):
        """Run a service call; refusals are fine, and change nothing. Check the history row of
        any change of state or of content."""
        revisions = {r.pk: r.state for r in self.plan.revisions.all()}
        versions = dict(self.plan.revisions.values_list("pk", "content_version"))
        rows_before = Transition.objects.filter(revision__plan=self.plan).count()
        try:
            with transaction.atomic():
                fn()
        except REFUSALS:
            assert {r.pk: r.state for r in self.plan.revisions.all()} == revisions
            assert dict(self.plan.revisions.values_list("pk", "content_version")) == versions
            assert Transition.objects.filter(revision__plan=self.plan).count() == rows_before
        after = {r.pk: r.state for r in self.plan.revisions.all()}
        changes = [
            (pk, revisions.get(pk), state)
            for pk, state in after.items()
            if revisions.get(pk) != state
        ]
        new_rows = list(
            Transition.objects.filter(revision__plan=self.plan).order_by("pk")[rows_before:]
        )
        for pk, before, state in changes:
            if before is None:
                continue  # a new revision (amendment) records its creation
            assert any(
                t.revision_id == pk and t.from_state == before and t.to_state == state
                for t in new_rows
            ), f"no history row for revision {pk}: {before} → {state}"
        for pk, version in self.plan.revisions.values_list("pk", "content_version"):
            if pk in versions and version != versions[pk]:
                assert any(
                    t.revision_id == pk and t.action.startswith("line_") for t in new_rows
                ), f"no history row for the change of revision {pk}'s content"
        for revision in self.plan.revisions.filter(state=Revision.State.APPROVED):
            self.frozen.setdefault(revision.pk, snapshot(revision))

    # --- rules -----------------------------------------------------------------------------
    @rule(who=st.sampled_from(PERSONAS))
    def submit(self, who):
        self.attempt(lambda: services.submit(self.latest(), actor=self.users[who]))

    @rule(who=st.sampled_from(PERSONAS))
    def return_(self, who):
        self.attempt(
            lambda: services.return_for_revision(
                self.latest(), actor=self.users[who], comment="Доработать"
            )
        )

    @rule(who=st.sampled_from(PERSONAS), decision=st.sampled_from(DECISIONS))
    def visa(self, who, decision):
        school_id = self.coordinated.get(who)
        if school_id is None:
            school_id = self.plan.center.participations.values_list("school_id", flat=True)[0]
        from schools.models import Organisation

        school = Organisation.objects.get(pk=school_id)
        self.attempt(
            lambda: services.give_visa(
                self.latest(), school, actor=self.users[who], decision=decision, remarks="Есть"
            )
        )

    @rule(who=st.sampled_from(PERSONAS))
    def agree_all(self, who):
        revision = self.latest()
        for visa in revision.visas.select_related("school"):
            user = next(
                (self.users[u] for u, s in self.coordinated.items() if s == visa.school_id), None
            )
            self.attempt(
                lambda visa=visa, user=user: services.give_visa(
                    revision, visa.school, actor=user, decision="agreed"
                )
            )

    @rule(
        who=st.sampled_from(PERSONAS),
        title=st.text(
            alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20
        ),
    )
    def edit_line(self, who, title):
        revision = self.latest()
        line = revision.lines.order_by("pk").first()
        if line is None:
            return
        self.attempt(lambda: services.update_line(line, actor=self.users[who], title=title))

    @rule(who=st.sampled_from(PERSONAS))
    def delete_line(self, who):
        line = self.latest().lines.order_by("-pk").first()
        if line is not None:
            self.attempt(lambda: services.delete_line(line, actor=self.users[who]))

    # The department's head signs the approving order: she is among those who try.
    @rule(who=st.sampled_from([*PERSONAS, "chief_dmitriev"]))
    def approve(self, who):
        self.attempt(
            lambda: services.approve(self.latest(), actor=self.users[who], password="demo12345")
        )

    @rule(who=st.sampled_from(PERSONAS))
    def amend(self, who):
        approved = self.plan.revisions.filter(state=Revision.State.APPROVED).first()
        if approved:
            self.attempt(lambda: services.amend(approved, actor=self.users[who]))

    # --- invariants --------------------------------------------------------------------------
    @invariant()
    def approved_revisions_never_change(self):
        for pk, lines in self.frozen.items():
            assert snapshot(Revision.objects.get(pk=pk)) == lines

    @invariant()
    def agreed_means_every_school_agreed_on_the_current_content(self):
        for revision in self.plan.revisions.filter(state=Revision.State.AGREED):
            visas = list(revision.visas.all())
            assert visas
            assert all(v.decision in Visa.AGREEING for v in visas)
            assert all(v.content_version == revision.content_version for v in visas)

    @invariant()
    def at_most_one_revision_in_work_and_one_in_force(self):
        states = list(self.plan.revisions.values_list("state", flat=True))
        assert sum(s in ("draft", "on_agreement", "agreed") for s in states) <= 1
        assert states.count("approved") <= 1


@pytest.mark.django_db
def test_random_sequences_keep_the_plan_invariants():
    PlanMachine.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(PlanMachine, settings=PlanMachine.TestCase.settings)
