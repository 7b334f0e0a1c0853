"""What the centers app does when an act is signed (``documents.signals.document_signed``)."""

from django.dispatch import receiver

from network_center.documents.signals import document_signed

from .services.working_group import activate_composition_for


@receiver(document_signed, dispatch_uid="centers.activate_composition")
def put_composition_in_force(sender, *, document, on_date, actor, **kwargs):
    # The order approving a working group's composition puts that composition in force.
    activate_composition_for(document, on_date=on_date, actor=actor)
