"""Append-only history rows: a document's events, a plan's transitions, a proposal's events.

A history row is the record of who did what and when: the plan page, the agreement sheet and any
later dispute read it back as the story of the workflow. Were rows editable or deletable, that
story could be rewritten after the fact — a visa moved, an approval undone without a trace — so
they are only ever appended. Subclass ``AppendOnlyModel`` (instead of ``models.Model``):

- ``save()`` of an existing row and ``delete()`` of any row raise ``AppendOnlyError``;
- the default manager's ``update()`` and ``delete()`` (``AppendOnlyQuerySet``) raise too, since
  bulk writes bypass ``save()`` and ``delete()``;
- deleting a parent (a plan, a revision, a proposal, a document) whose deletion would cascade to
  history rows is refused as well. Django's deletion collector calls neither the rows'
  ``delete()`` nor their queryset's ``delete()``: it sends ``pre_delete`` for every collected row
  and removes them with ``sql.DeleteQuery``, or — for models without delete signal receivers —
  "fast-deletes" them with ``QuerySet._raw_delete`` without loading them at all. Every subclass
  therefore gets a ``pre_delete`` receiver (connected when the class is prepared), which both
  turns fast deletion off for it and refuses each row. The row is still in the database when
  the receiver runs, and the whole deletion is rolled back.

A model may let the cascade from some parents through with ``may_delete_with(row, origin)``:
the draft of a document goes together with its own «created» and «edited» events.

What this does not stop: raw SQL, ``QuerySet._raw_delete`` called directly, ``manage.py flush``,
and the ``SET_NULL`` of a row's actor when a user account is deleted (an update the collector
makes through the base manager; the row itself stays).

A refusal raised inside the collector's transaction marks an enclosing ``atomic`` block for
rollback: a caller that wants to go on after a refused deletion wraps it in its own
``transaction.atomic()`` (a savepoint), as ``documents.services.delete_draft`` does.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import class_prepared, pre_delete
from django.utils.translation import gettext_lazy as _

MESSAGE = _("История только дополняется.")


class AppendOnlyError(ValidationError):
    """Raised when something tries to change or delete a history row."""

    def __init__(self, message=None):
        super().__init__(message or MESSAGE, code="append_only")


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk writes: ``update()`` and ``delete()`` would bypass the model's guards."""

    def update(self, **kwargs):
        raise AppendOnlyError()

    def delete(self):
        raise AppendOnlyError()

    def bulk_create(self, objs, *args, **kwargs):
        # Appending in bulk is fine; overwriting the rows it conflicts with is not.
        if kwargs.get("update_conflicts"):
            raise AppendOnlyError()
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnlyModel(models.Model):
    """An abstract base for history rows: created once, never changed, never deleted.

    The default manager is built on ``AppendOnlyQuerySet``; a subclass that declares its own
    manager must build it on that queryset (or a subclass of it)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A row loaded from the database, or a new instance given the key of an existing row
        # (which save() would UPDATE), is refused; only an INSERT goes through.
        existing = not self._state.adding or (
            self.pk is not None and not kwargs.get("force_insert")
        )
        if existing or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AppendOnlyError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError()

    @classmethod
    def may_delete_with(cls, row, origin) -> bool:
        """Whether ``row`` may go in the cascade of deleting ``origin`` (the instance or the
        queryset whose deletion was asked for; never a row of this model). No, by default."""
        return False


def _refuse_deletion(sender, instance, origin=None, **kwargs):
    """``pre_delete`` of a history row: refused unless it goes in the cascade of a parent the
    model lets through (a deletion asked of the history rows themselves never is)."""
    if isinstance(origin, models.QuerySet):
        origin_model = origin.model
    elif isinstance(origin, models.Model):
        origin_model = type(origin)
    else:
        origin_model = None
    if (
        origin_model is not None
        and not issubclass(origin_model, AppendOnlyModel)
        and sender.may_delete_with(instance, origin)
    ):
        return
    raise AppendOnlyError()


def _guard_history_model(sender, **kwargs):
    if issubclass(sender, AppendOnlyModel) and not sender._meta.abstract:
        pre_delete.connect(
            _refuse_deletion,
            sender=sender,
            weak=False,
            dispatch_uid=f"append_only:{sender._meta.label}",
        )


class_prepared.connect(_guard_history_model, dispatch_uid="append_only_history")


def recorded_by(obj, actor):
    """Name ``actor`` as the author of ``obj``'s next django-simple-history row and return
    ``obj``: the history takes the request's user otherwise, and commands and tasks have none.
    Every service that saves or deletes a model with ``HistoricalRecords`` passes its actor."""
    obj._history_user = actor
    return obj
