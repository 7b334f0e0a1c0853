"""The identification engine: which schools a municipality's rules flag, and why, in words.

Pure computation on plain data — no queries — so that it can be tested on small hand-computed
sets and timed on a region (``bench/identification_bench.py``). ``monitoring.lists`` reads the
rules and values from the database, calls ``identify`` and stores what it returns.

Definitions (the department reads them on the rules page, ``RULES_HELP``):

- **Standardisation.** In each campaign each indicator is turned into z-scores over the schools
  that have a value: ``z = (x − mean) / sd`` (population standard deviation; ``z = 0`` for every
  school when all values are equal). Its sign is turned for an indicator where lower is better,
  so that a higher z is always better.
- **Composite index** = the weighted mean of a school's z-scores. An indicator without a value
  is left out and the weights of the others renormalised; a school with less than half of the
  rule's total weight present is «not assessed» that year.
- **The worst end** (ШНОР, ШНСУ, группа риска) or **the best end** (стабильно высокие
  результаты). Thresholds, for the worst end (the best end mirrors them):
  absolute — index ≤ threshold (single indicators: the value is at or past the indicator's own
  threshold in its unit, in the indicator's bad direction); percentile p — among the N assessed
  schools sorted worst first, the cut is the value of the ⌈p·N/100⌉-th, and every school as bad
  as the cut or worse is flagged (ties at the cut are all flagged); rank r — a school's rank is
  1 + the number of schools strictly worse (ties share a rank), flagged when rank ≤ r.
- **Single indicators** are each compared on their own; a school is flagged in a year when any
  (or all) of the assessed indicators are flagged; with «all», a missing indicator is not.
- **The window**: the last ``window_years`` campaign years up to the list's base year; a
  school is flagged when flagged in at least ``min_years`` of them. A year without a campaign,
  or in which the school was not assessed, counts as a year without the flag.
- **Precedence**: a school flagged ШНОР is not proposed for the risk group; a school with any
  other status is not proposed as «стабильно высокие результаты».
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

# Status kinds (the values of ``schools.models.SchoolStatus.Kind``), kept here as plain strings:
# the engine knows nothing of models.
SHNOR, SHNSU, RISK, HIGH = "shnor", "shnsu", "risk", "high"
KIND_ORDER = (SHNOR, SHNSU, RISK, HIGH)
EXCLUDED_BY = {RISK: (SHNOR,), HIGH: (SHNOR, SHNSU, RISK)}
KIND_LABELS = {
    SHNOR: "ШНОР",
    SHNSU: "ШНСУ",
    RISK: "группа риска",
    HIGH: "стабильно высокие результаты",
}


def _capital(label: str) -> str:
    """The label at the start of a sentence: «ШНОР» stays as it is (``str.capitalize`` would
    make it «Шнор»)."""
    return label[:1].upper() + label[1:]


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator of a rule: ``higher_better`` its direction; ``weight`` in the index;
    ``threshold`` (in its unit) for single indicators with an absolute threshold."""

    code: str
    name: str
    unit: str
    higher_better: bool
    weight: float = 1.0
    threshold: float | None = None
    decimals: int = 1


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    method: str  # "composite" | "single"
    threshold_type: str  # "absolute" | "percentile" | "rank"
    threshold: float | None
    window_years: int
    min_years: int
    indicators: tuple[IndicatorSpec, ...]
    combine: str = "any"  # "any" | "all" (single indicators)

    @property
    def best_end(self) -> bool:
        return self.kind == HIGH


@dataclass
class YearResult:
    """One school, one rule, one campaign year."""

    assessed: bool = False
    flagged: bool = False
    score: float | None = None  # the index (composite) or the number of flagged indicators
    rank: int | None = None
    of: int = 0  # how many schools were assessed
    values: dict[str, float] = field(default_factory=dict)
    flagged_indicators: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    """One school under one rule over the window: proposed or not, and the reason in words."""

    school_id: int
    kind: str
    proposed: bool
    flagged_years: int
    years: dict[int, YearResult]
    reason: str
    rank: int | None = None
    score: float | None = None
    excluded_by: str | None = None


def _z_scores(values: dict[int, float], higher_better: bool) -> dict[int, float]:
    n = len(values)
    if n == 0:
        return {}
    mean = sum(values.values()) / n
    var = sum((v - mean) ** 2 for v in values.values()) / n
    sd = math.sqrt(var)
    if sd < 1e-12:
        return dict.fromkeys(values, 0.0)
    sign = 1.0 if higher_better else -1.0
    return {s: sign * (v - mean) / sd for s, v in values.items()}


def _goodness(value: float, higher_better: bool) -> float:
    """A value turned so that higher is better (for ranking single indicators)."""
    return value if higher_better else -value


def _cut(scores: dict[int, float], rule: RuleSpec, threshold: float | None):
    """Which of ``scores`` (higher = better) are flagged by the rule's threshold, with each
    school's rank (1 = the worst, or the best for the best end; ties share a rank)."""
    if not scores:
        return set(), {}
    # Orient so that "lower is the end we look at": flip for the best end.
    oriented = {s: (-v if rule.best_end else v) for s, v in scores.items()}
    ordered = sorted(oriented.values())
    ranks = {}
    for school, value in oriented.items():
        # 1 + the number strictly nearer the end (binary search over the sorted list).
        ranks[school] = 1 + _count_less(ordered, value)
    if threshold is None:
        return set(), ranks
    if rule.threshold_type == "absolute":
        limit = -threshold if rule.best_end else threshold
        return {s for s, v in oriented.items() if v <= limit + 1e-12}, ranks
    if rule.threshold_type == "percentile":
        if threshold <= 0:
            return set(), ranks
        position = min(len(ordered), max(1, math.ceil(threshold * len(ordered) / 100 - 1e-9)))
        limit = ordered[position - 1]
        return {s for s, v in oriented.items() if v <= limit + 1e-12}, ranks
    if rule.threshold_type == "rank":
        return {s for s, r in ranks.items() if r <= threshold}, ranks
    raise ValueError(rule.threshold_type)


def _count_less(ordered: list[float], value: float) -> int:
    lo, hi = 0, len(ordered)
    while lo < hi:
        mid = (lo + hi) // 2
        if ordered[mid] < value - 1e-12:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _single_flag(value: float, spec: IndicatorSpec, best_end: bool) -> bool:
    """Whether one value is at or past the indicator's own absolute threshold."""
    assert spec.threshold is not None
    bad_is_low = spec.higher_better != best_end
    # Worst end: a higher-is-better indicator is bad when low; the best end mirrors it.
    if bad_is_low:
        return value <= spec.threshold + 1e-12
    return value >= spec.threshold - 1e-12


def evaluate_year(rule: RuleSpec, values: dict[int, dict[str, float]], schools) -> dict:
    """``values``: school id → indicator code → value for one campaign; ``schools``: the ids to
    judge. Returns school id → YearResult."""
    results = {s: YearResult() for s in schools}
    for school in schools:
        own = values.get(school, {})
        results[school].values = {i.code: own[i.code] for i in rule.indicators if i.code in own}
    if rule.method == "composite":
        total = sum(i.weight for i in rule.indicators)
        z_by_indicator = {
            i.code: _z_scores(
                {s: values[s][i.code] for s in schools if i.code in values.get(s, {})},
                i.higher_better,
            )
            for i in rule.indicators
        }
        index = {}
        for school in schools:
            weight = acc = 0.0
            for spec in rule.indicators:
                z = z_by_indicator[spec.code].get(school)
                if z is not None:
                    weight += spec.weight
                    acc += spec.weight * z
            if total > 0 and weight * 2 >= total - 1e-12 and weight > 0:
                index[school] = acc / weight
        flagged, ranks = _cut(index, rule, rule.threshold)
        for school, score in index.items():
            result = results[school]
            result.assessed = True
            result.score = score
            result.rank = ranks[school]
            result.of = len(index)
            result.flagged = school in flagged
        return results
    # Single indicators.
    per_indicator = {}
    for spec in rule.indicators:
        present = {s: values[s][spec.code] for s in schools if spec.code in values.get(s, {})}
        if rule.threshold_type == "absolute":
            if spec.threshold is None:
                per_indicator[spec.code] = set()
                continue
            per_indicator[spec.code] = {
                s for s, v in present.items() if _single_flag(v, spec, rule.best_end)
            }
        else:
            goodness = {s: _goodness(v, spec.higher_better) for s, v in present.items()}
            per_indicator[spec.code], _ = _cut(goodness, rule, rule.threshold)
    assessed_count = 0
    for school in schools:
        result = results[school]
        present = [i for i in rule.indicators if i.code in result.values]
        if not present:
            continue
        assessed_count += 1
        result.assessed = True
        result.flagged_indicators = [i.code for i in present if school in per_indicator[i.code]]
        if rule.combine == "all":
            result.flagged = len(present) == len(rule.indicators) and len(
                result.flagged_indicators
            ) == len(rule.indicators)
        else:
            result.flagged = bool(result.flagged_indicators)
        result.score = float(len(result.flagged_indicators))
    # Rank by the number of flagged indicators (more = nearer the end), ties sharing a rank.
    counts = sorted((r.score for r in results.values() if r.assessed), reverse=True)
    for result in results.values():
        if result.assessed:
            result.of = assessed_count
            result.rank = 1 + sum(1 for c in counts if c > result.score)
    return results


def identify(
    rules: list[RuleSpec],
    values_by_year: dict[int, dict[int, dict[str, float]]],
    schools: list[int],
    base_year: int,
    year_label=None,
) -> tuple[dict[str, list[Verdict]], list[str]]:
    """Apply ``rules`` to the campaigns ``values_by_year`` (campaign year → school → code →
    value) for the list based on the campaigns up to ``base_year``.

    Returns (kind → verdicts ranked, nearest the end first; warnings in words)."""
    year_label = year_label or (lambda y: f"{y}/{y + 1}")
    warnings = []
    verdicts: dict[str, list[Verdict]] = {}
    by_kind = {rule.kind: rule for rule in rules}
    for kind in KIND_ORDER:
        rule = by_kind.get(kind)
        if rule is None:
            continue
        window = list(range(base_year - rule.window_years + 1, base_year + 1))
        present = [y for y in window if y in values_by_year]
        if len(present) < rule.min_years:
            warnings.append(
                f"{_capital(KIND_LABELS[kind])}: в окне {_years_phrase(window, year_label)} "
                f"есть кампании только за {len(present)} г. при требуемых "
                f"{rule.min_years} годах с признаком — по этому правилу никто не отобран."
            )
        elif len(present) < len(window):
            missing = [y for y in window if y not in values_by_year]
            warnings.append(
                f"{_capital(KIND_LABELS[kind])}: нет кампаний за "
                f"{', '.join(year_label(y) for y in missing)} — эти годы считаются годами без "
                "признака."
            )
        by_year = {y: evaluate_year(rule, values_by_year[y], schools) for y in present}
        kind_verdicts = []
        for school in schools:
            years = {y: by_year[y][school] for y in present}
            flagged_years = sum(1 for r in years.values() if r.flagged)
            latest = years.get(base_year) or (years[present[-1]] if present else None)
            verdict = Verdict(
                school_id=school,
                kind=kind,
                proposed=flagged_years >= rule.min_years,
                flagged_years=flagged_years,
                years=years,
                reason="",
                rank=latest.rank if latest and latest.assessed else None,
                score=latest.score if latest and latest.assessed else None,
            )
            kind_verdicts.append(verdict)
        verdicts[kind] = kind_verdicts
    # Precedence, then the reasons (which mention it).
    proposed = {k: {v.school_id for v in vs if v.proposed} for k, vs in verdicts.items()}
    for kind in KIND_ORDER:
        for verdict in verdicts.get(kind, []):
            if verdict.proposed:
                for other in EXCLUDED_BY.get(kind, ()):
                    if verdict.school_id in proposed.get(other, set()):
                        verdict.proposed = False
                        verdict.excluded_by = other
                        proposed[kind].discard(verdict.school_id)
                        break
            verdict.reason = reason_text(
                by_kind[kind], verdict, window_of(by_kind[kind], base_year), year_label
            )
    for kind_verdicts in verdicts.values():
        kind_verdicts.sort(
            key=lambda v: (not v.proposed, v.rank is None, v.rank or 0, -v.flagged_years)
        )
    return verdicts, warnings


def window_of(rule: RuleSpec, base_year: int) -> list[int]:
    return list(range(base_year - rule.window_years + 1, base_year + 1))


def _years_phrase(years, year_label) -> str:
    return ", ".join(year_label(y) for y in years)


def _num(value: float, decimals: int = 2) -> str:
    text = f"{value:.{decimals}f}".replace(".", ",")
    return text.replace("-", "−")


def _threshold_phrase(rule: RuleSpec) -> str:
    end = "лучших" if rule.best_end else "худших"
    if rule.threshold_type == "percentile":
        return f"в {_num(rule.threshold or 0, 0)} % {end} школ"
    if rule.threshold_type == "rank":
        return f"в числе {_num(rule.threshold or 0, 0)} {end} школ"
    sign = "≥" if rule.best_end else "≤"
    return f"индекс {sign} {_num(rule.threshold or 0)}"


def _year_phrase(rule: RuleSpec, result: YearResult, year: int, year_label) -> str:
    if not result.assessed:
        return f"{year_label(year)}: нет данных"
    if rule.method == "composite":
        text = (
            f"{year_label(year)}: индекс {_num(result.score)}, место {result.rank} из {result.of}"
        )
    else:
        names = {i.code: i for i in rule.indicators}
        flagged = [
            f"{names[c].name} {_num(result.values[c], names[c].decimals)} {names[c].unit}".rstrip()
            for c in result.flagged_indicators
        ]
        text = f"{year_label(year)}: " + (
            "; ".join(flagged) if flagged else "ни один показатель не за порогом"
        )
    return text + (" — признак" if result.flagged else "")


def reason_text(rule: RuleSpec, verdict: Verdict, window: list[int], year_label) -> str:
    """Why the school is (or is not) proposed, in words, e.g. «Составной индекс в 10 % худших
    школ в 2 из последних 3 лет (требуется 2): 2024/2025: индекс −1,02, место 1 из 6 — признак;
    …»."""
    if rule.method == "composite":
        head = f"Составной индекс ({_threshold_phrase(rule)})"
    else:
        combine = "все показатели" if rule.combine == "all" else "хотя бы один показатель"
        if rule.threshold_type == "absolute":
            head = f"Отдельные показатели за порогом ({combine})"
        else:
            head = f"Отдельные показатели {_threshold_phrase(rule)} ({combine})"
    if rule.window_years == 1:
        window_text = "в последнем году"
    else:
        window_text = (
            f"признак в {verdict.flagged_years} из последних {rule.window_years} лет "
            f"(требуется {rule.min_years})"
        )
    years = "; ".join(
        _year_phrase(rule, verdict.years[y], y, year_label) for y in window if y in verdict.years
    )
    text = f"{head}, {window_text}. {years}." if years else f"{head}: нет данных."
    if verdict.excluded_by:
        text += f" Не предлагается: школа отобрана как {KIND_LABELS[verdict.excluded_by]}."
    return text


def to_decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.3f}")
