"""History rows are only appended: no change, no deletion, outside the admin too (schools.history).

Every refused deletion runs in its own savepoint: the refusal comes from inside Django's deletion
transaction, which marks the enclosing block for rollback.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from network_center.documents import services as documents
from network_center.documents.models import DocumentEvent, LegalDocument, SigningRight
from plans.models import Plan, Proposal, ProposalEvent, Revision, Transition
from schools.history import AppendOnlyError

pytestmark = pytest.mark.django_db

MESSAGE = "История только дополняется."


def refused(call):
    with pytest.raises(AppendOnlyError) as info, transaction.atomic():
        call()
    assert info.value.messages == [MESSAGE]


def _draft(**fields):
    uo = get_user_model().objects.get(username="uo_dmitriev")
    department = uo.memberships.get(role="department").organisation
    draft = documents.create_document(
        department, actor=uo, kind="order", heading="О проведении семинара", **fields
    )
    documents.add_point(draft, actor=uo, text="Провести семинар.")
    return uo, draft


def signed_document():
    """A signed order of the department that nothing else refers to (1-139/1 is protected by
    the center it creates, which would hide the refusal of its history)."""
    _uo, draft = _draft()
    head = draft.issuer.head
    draft = documents.update_document(
        draft, actor=_uo, signing_right=SigningRight.objects.default_for(draft.issuer)
    )
    return documents.sign_document(draft, actor=head.user, password="demo12345")


def rows():
    """(row, its model's parent, the parent's parent) of each kind of history."""
    # Of a plan none of whose events the department recommended: a practice protects its
    # event too, which would hide the refusal of the history.
    transition = (
        Transition.objects.select_related("revision__plan")
        .exclude(revision__plan__executions__practices__isnull=False)
        .exclude(revision__plan__executions__files__practices__isnull=False)
        .order_by("pk")
        .first()
    )
    event = ProposalEvent.objects.select_related("proposal__plan").order_by("pk").first()
    document_event = signed_document().events.order_by("pk").first()
    return {
        "transition": (transition, transition.revision, transition.revision.plan),
        "proposal_event": (event, event.proposal, event.proposal.plan),
        "document_event": (document_event, document_event.document, None),
    }


KINDS = ["transition", "proposal_event", "document_event"]


def snapshot(row):
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


@pytest.mark.parametrize("kind", KINDS)
def test_a_history_row_refuses_to_be_changed(kind):
    row, _parent, _grandparent = rows()[kind]
    model = type(row)
    before = snapshot(model.objects.get(pk=row.pk))
    row.actor = None
    refused(row.save)
    refused(lambda: row.save(update_fields=["actor"]))
    refused(lambda: model.objects.filter(pk=row.pk).update(actor=None))
    # A new instance given the key of an existing row would UPDATE it.
    copy = model(**{**before, "actor_id": None})
    refused(copy.save)
    refused(lambda: model.objects.bulk_create([copy], update_conflicts=True, unique_fields=["id"]))
    assert snapshot(model.objects.get(pk=row.pk)) == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_history_row_refuses_to_be_deleted(kind):
    row, _parent, _grandparent = rows()[kind]
    model = type(row)
    refused(row.delete)
    refused(lambda: model.objects.filter(pk=row.pk).delete())
    # The base manager's plain queryset reaches Django's collector: refused there.
    refused(lambda: model._base_manager.filter(pk=row.pk).delete())
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("kind", KINDS)
def test_the_parent_of_history_rows_is_not_deleted_with_them(kind):
    row, parent, grandparent = rows()[kind]
    model = type(row)
    count = model.objects.filter(**{_fk(row): parent}).count()
    refused(lambda: type(parent)._base_manager.filter(pk=parent.pk).delete())
    if grandparent is not None:
        refused(grandparent.delete)
        refused(lambda: type(grandparent).objects.filter(pk=grandparent.pk).delete())
    assert type(parent).objects.filter(pk=parent.pk).exists()
    assert model.objects.filter(**{_fk(row): parent}).count() == count


def _fk(row):
    return {Transition: "revision", ProposalEvent: "proposal", DocumentEvent: "document"}[type(row)]


def test_a_revision_and_a_proposal_with_history_refuse_deletion():
    revision = Revision.objects.filter(transitions__isnull=False).first()
    proposal = Proposal.objects.filter(events__isnull=False).first()
    refused(revision.delete)
    refused(proposal.delete)
    assert Revision.objects.filter(pk=revision.pk).exists()
    assert Proposal.objects.filter(pk=proposal.pk).exists()


def test_a_signed_document_taken_for_a_draft_in_memory_is_still_not_deleted():
    order = signed_document()
    events = order.events.count()
    order.state = LegalDocument.State.DRAFT  # LegalDocument.delete() checks the instance only
    refused(order.delete)
    order.refresh_from_db()
    assert order.is_signed and order.events.count() == events


def test_a_plan_is_not_deleted_with_its_transitions():
    plan = Plan.objects.filter(revisions__transitions__isnull=False).first()
    transitions = Transition.objects.filter(revision__plan=plan).count()
    refused(plan.delete)
    assert Transition.objects.filter(revision__plan=plan).count() == transitions


def test_a_draft_goes_together_with_its_own_events():
    uo, draft = _draft()
    assert draft.events.exists()
    documents.delete_draft(draft, actor=uo)
    assert not LegalDocument.objects.filter(pk=draft.pk).exists()
    assert not DocumentEvent.objects.filter(document_id=draft.pk).exists()


def test_the_events_of_a_draft_are_not_deleted_on_their_own():
    _uo, draft = _draft()
    refused(lambda: draft.events.all().delete())
    refused(draft.events.first().delete)
    assert draft.events.exists()


def test_new_history_rows_are_appended():
    transition = Transition.objects.order_by("pk").first()
    added = Transition.objects.create(
        revision=transition.revision,
        action="submit",
        from_state=transition.to_state,
        to_state=transition.to_state,
    )
    assert added.pk and Transition.objects.filter(pk=added.pk).exists()


def test_deleting_a_user_keeps_the_rows_without_their_actor():
    """The actor's link is the one thing that may go (SET_NULL): the rows stay."""
    someone = get_user_model().objects.create_user("temporary", password="x")
    transition = Transition.objects.order_by("pk").first()
    row = Transition.objects.create(
        revision=transition.revision,
        action="submit",
        from_state=transition.to_state,
        to_state=transition.to_state,
        actor=someone,
    )
    someone.delete()
    row = Transition.objects.get(pk=row.pk)
    assert row.actor_id is None
