"""The plans UI, by what a page is about: ``plans`` (the list, a new plan, the plan page),
``revisions`` (the workflow's buttons, the PDF, the XLSX, the comparison), ``lines``, ``visas``
and ``proposals``.

Thin views: every object is loaded through its ``visible_to`` (out of scope answers 404, as
one that does not exist), every action is asked of ``plans.rules`` through ``require`` (refused
answers 403), input is validated by a form and the change is the service's, whose refusal goes
back onto the form or into a message. Templates get what a user may do as booleans computed
here — ``can(…)`` and the workflow tables' ``available`` — and decide nothing.
"""
