"""Every change of a plan, its lines, visas and proposals — one function per change, split by
what it changes (``revisions``, ``lines``, ``visas``, ``proposals``; ``compare`` reads two
revisions side by side). Callers use this package: ``from plans import services;
services.submit(revision, actor=…)``.

What a printed plan says is ``plans.printing``; the XLSX export is ``plans.exports``.
"""

from ..errors import LineConflict, PlanError
from ..queries import active_participations, approved_revision, working_revision
from .common import plan_name, plan_url
from .compare import FIELD_LABELS, compare_revisions
from .lines import (
    LINE_FIELDS,
    M2M_FIELDS,
    add_line,
    copy_lines,
    delete_line,
    ensure_event_forms,
    update_line,
)
from .proposals import (
    PROPOSAL_FIELDS,
    accept_proposal,
    decline_proposal,
    resubmit_proposal,
    return_proposal,
    submit_proposal,
    withdraw_proposal,
)
from .revisions import (
    TRANSITION_SERVICES,
    amend,
    approve,
    close,
    create_plan,
    return_for_revision,
    submit,
)
from .visas import give_visa

__all__ = [
    "FIELD_LABELS",
    "LINE_FIELDS",
    "M2M_FIELDS",
    "PROPOSAL_FIELDS",
    "TRANSITION_SERVICES",
    "LineConflict",
    "PlanError",
    "accept_proposal",
    "active_participations",
    "add_line",
    "amend",
    "approve",
    "approved_revision",
    "close",
    "compare_revisions",
    "copy_lines",
    "create_plan",
    "decline_proposal",
    "delete_line",
    "ensure_event_forms",
    "give_visa",
    "plan_name",
    "plan_url",
    "resubmit_proposal",
    "return_for_revision",
    "return_proposal",
    "submit",
    "submit_proposal",
    "update_line",
    "withdraw_proposal",
    "working_revision",
]
