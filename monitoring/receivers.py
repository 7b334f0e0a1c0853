"""What monitoring does when an act is signed (``documents.signals.document_signed``)."""

from django.dispatch import receiver

from network_center.documents.signals import document_signed

from .lists import put_list_in_force


@receiver(document_signed, dispatch_uid="monitoring.put_list_in_force")
def list_order_signed(sender, *, document, on_date, actor, **kwargs):
    # The order approving a run's list sets the schools' statuses of its year.
    put_list_in_force(document, on_date=on_date, actor=actor)
