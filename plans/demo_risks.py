"""The demo's events that name the risk factor they address (SPEC §6).

Named when the events are made (``plans.demo`` adds last year's lines through ``add_line``,
the service of the line form; this year's plan is their copy and keeps the factor), not by an
edit afterwards: an edit of this year's plan, which is on agreement, would ask again the
schools that agreed and rewrite the demo's story. The schools' other high risks stay without
an event: the plan page lists them as «Риски без мероприятий»."""

from monitoring.demo_risks import ensure_risk_factors
from monitoring.models import RiskFactor

# line title → the factor it addresses
ADDRESSES = {
    "Анализ затруднений учителей математики по итогам ВПР": "TEACHER_COMPETENCE",
    "Закрепление наставников за учителями с устойчиво низкими результатами": "PROF_DEVELOPMENT",
    "«Исследование урока»: формирующее оценивание": "ADAPTIVITY",
    "Сетевой проект «Читаем вместе» для 5–7 классов": "MOTIVATION",
}


def risk_factor_of(title: str) -> RiskFactor | None:
    """The factor the demo's event ``title`` addresses, if it names one."""
    code = ADDRESSES.get(title)
    if code is None:
        return None
    ensure_risk_factors()
    return RiskFactor.objects.get(code=code)
