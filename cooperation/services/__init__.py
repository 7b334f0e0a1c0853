"""Every change of the app's data: one function per change, the actor keyword-only.

``mentoring``: create and edit a pair, complete or stop it, record a meeting. ``groups``: create
and edit a group, add, change or remove a member. Each guards with the app's rules
(``cooperation.rules``), locks, saves with ``update_fields`` and appends a history row."""

from .common import CooperationError
from .groups import add_member, create_group, remove_member, update_group
from .mentoring import add_meeting, complete_pair, create_pair, stop_pair, update_pair

__all__ = [
    "CooperationError",
    "add_meeting",
    "add_member",
    "complete_pair",
    "create_group",
    "create_pair",
    "remove_member",
    "stop_pair",
    "update_group",
    "update_pair",
]
