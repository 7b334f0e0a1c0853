"""Demo practice bank (SPEC §7), through ``practices.services`` as the departments.

Kupino (``uo_kupino``): the opening seminar of the 2026/2027 plan of the center at СОШ № 77
(held, its report accepted), the robotics laboratory of СОШ № 77 and, as a material, the
mentoring programme of СОШ № 1 — Kupino's events have no files, so its material is the
methodological resource a school offers (a file of an accepted Kupino event, were there one, is
marked instead). Dmitriev (``uo_dmitriev``): the open lessons of Russian at СОШ № 1 from the
2025/2026 plan with their protocol — a school that was not there sees the recommendation in the
bank and the event's title, not the event's page or its file.

``load_practices`` is called after the plans, their execution and the resources; running it
twice adds nothing.
"""

from django.contrib.auth import get_user_model

from plans.models import EvidenceFile, Execution
from schools.resources import Resource

from . import services

KUPINO_HUB = "МБОУ «Купинская СОШ № 77»"
KUPINO_EVENT = "Установочный семинар сети: результаты ВПР 2026"
KUPINO_RESOURCE = "Инженерная лаборатория робототехнической направленности"
KUPINO_MATERIAL = "Программа наставничества «Учитель — учителю»"
DMITRIEV_HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
DMITRIEV_EVENT = "Открытые уроки русского языка в 5–6 классах"
DMITRIEV_MATERIAL = "Протокол открытых уроков.pdf"

REASONS = {
    KUPINO_EVENT: (
        "Разбор результатов ВПР по каждой школе с планом адресной помощи — формат, который "
        "стоит провести в начале года во всех сетях района."
    ),
    KUPINO_RESOURCE: (
        "Лаборатория открыта для уроков и кружков других школ; расписание согласуется с "
        "центром. Рекомендуем для практических работ по физике и технологии."
    ),
    KUPINO_MATERIAL: (
        "Программа с понятным годовым циклом встреч и формами отчёта: подходит школам, "
        "которые только начинают наставничество."
    ),
    DMITRIEV_EVENT: (
        "Открытые уроки с последующим разбором дали учителям школ сети готовые приёмы работы "
        "с текстом; формат легко повторить в любой школе района."
    ),
    DMITRIEV_MATERIAL: (
        "Протокол с разбором уроков и рекомендациями — образец для школ, которые проводят "
        "взаимопосещение впервые."
    ),
}


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _accepted(hub, year, title):
    return (
        Execution.objects.filter(
            plan__center__hub__short_name=hub,
            plan__year=year,
            state=Execution.State.ACCEPTED,
            line__title=title,
        )
        .select_related("plan__center__hub", "line__venue")
        .first()
    )


def _mark(target, actor, title):
    if target is None or actor is None or services.active_practice(target) is not None:
        return None
    return services.mark_practice(target, actor=actor, reason=REASONS[title])


def load_practices():
    kupino = _user("uo_kupino")
    event = _accepted(KUPINO_HUB, 2026, KUPINO_EVENT)
    _mark(event, kupino, KUPINO_EVENT)
    resources = Resource.objects.select_related("school").filter(
        school__municipality__name="Купинский район"
    )
    _mark(resources.filter(title=KUPINO_RESOURCE).first(), kupino, KUPINO_RESOURCE)
    material = (
        EvidenceFile.objects.filter(
            execution__plan__center__municipality__name="Купинский район",
            execution__state=Execution.State.ACCEPTED,
        )
        .select_related("execution__plan__center__hub", "execution__line__venue")
        .order_by("pk")
        .first()
    )
    if material is not None:
        REASONS.setdefault(material.original_name, REASONS[KUPINO_MATERIAL])
        _mark(material, kupino, material.original_name)
    else:
        _mark(resources.filter(title=KUPINO_MATERIAL).first(), kupino, KUPINO_MATERIAL)

    dmitriev = _user("uo_dmitriev")
    event = _accepted(DMITRIEV_HUB, 2025, DMITRIEV_EVENT)
    _mark(event, dmitriev, DMITRIEV_EVENT)
    if event is not None:
        protocol = (
            event.files.filter(original_name=DMITRIEV_MATERIAL)
            .select_related("execution__plan__center__hub", "execution__line__venue")
            .first()
        )
        _mark(protocol, dmitriev, DMITRIEV_MATERIAL)
