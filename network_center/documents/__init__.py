"""Legal acts: requisites, structured bodies, numbering, signing, verification and printing.

This app knows nothing of centers, plans or monitoring: the apps above it say who may read the
acts they create (``LegalDocument.readers``) and subscribe to ``signals.document_signed``.
"""
