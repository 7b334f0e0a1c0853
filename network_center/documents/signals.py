"""The documents app's one extension point.

``document_signed`` is sent by ``services.seal`` **inside** the signing transaction, after the act
and its appendices are signed and numbered, for an act signed electronically and for one
registered from its paper original alike. Receivers change what the act brings into force
(a working group's composition, a list of ШНОР/ШНСУ) in the same transaction, so the act and its
effect commit together or not at all; a receiver that raises undoes the signature. Receivers must
not do slow I/O (mail, files): they enqueue it as a task (``schools.outbox``: committed with the
act) or defer it with ``transaction.on_commit``.

Arguments: ``sender`` — the ``LegalDocument`` class; ``document`` — the signed root act (locked);
``on_date`` — its registration date; ``actor`` — the user who signed or registered it.

The documents app names no receiver; the apps above it connect theirs in ``AppConfig.ready``.
"""

from django.dispatch import Signal

document_signed = Signal()
