"""The plan page as a department specialist, a center head and a school use it: told before an
accept resets visas, a failed visa form keeps the choice with its error beside its field, a given
visa is shown to its school, one button per action, a line keeps its number after an inline
save."""

import re

import pytest
from django.urls import reverse

from plans import services
from plans.models import Line, Proposal, Visa

from .test_plans import SCHOOL_A, SCHOOL_B, coordinator_of, plan, proposal_data, school, working

pytestmark = pytest.mark.django_db


def _submitted_proposal(client_of):
    client_of("school_a").post(reverse("plans:proposal_create", args=[plan().pk]), proposal_data())
    return Proposal.objects.get(title="Семинар по смысловому чтению")


def test_the_center_is_told_how_many_visas_an_accept_will_reset(client_of):
    revision = working()
    given = sorted(
        revision.visas.exclude(decision=Visa.Decision.PENDING).values_list(
            "school__short_name", flat=True
        )
    )
    assert revision.state == "on_agreement" and len(given) >= 2
    proposal = _submitted_proposal(client_of)
    page = client_of("head_center").get(reverse("plans:proposal", args=[proposal.pk]))
    text = page.content.decode().replace("&laquo;", "«").replace("&raquo;", "»")
    assert f"Если принять предложение, будут сброшены {len(given)} визы" in text or (
        f"будут сброшены {len(given)} виз" in text
    )
    for name in given:
        assert name in text
    # The school that proposed is not the one deciding: it is not warned about visas.
    own = client_of("school_a").get(reverse("plans:proposal", args=[proposal.pk]))
    assert "будут сброшены" not in own.content.decode()


def test_a_failed_visa_keeps_the_choice_and_puts_the_error_beside_its_field(client_of):
    revision = working()
    target = school(SCHOOL_B)
    visa = revision.visas.get(school=target)
    before = (visa.decision, visa.remarks)
    response = client_of("school_b").post(
        reverse("plans:visa", args=[revision.pk, target.pk]),
        {"decision": "agreed_remarks", "remarks": "  "},
    )
    assert response.status_code == 200
    page = response.content.decode()
    remarks_field = page.index(f'id="id_visa{target.pk}_remarks"')
    error = page.index("Напишите замечания")
    # The error is inside the remarks field's block, not at the top of the page.
    assert abs(error - remarks_field) < 1200
    assert page.count("Напишите замечания") == 1  # not also in a message at the top
    checked = re.search(r'<input[^>]*value="agreed_remarks"[^>]*>', page).group(0)
    assert "checked" in checked
    visa.refresh_from_db()
    assert (visa.decision, visa.remarks) == before


def test_a_school_that_decided_sees_its_decision_and_may_change_it(client_of):
    revision = working()
    target = school(SCHOOL_A)
    services.give_visa(
        revision,
        target,
        actor=coordinator_of(target),
        decision="agreed_remarks",
        remarks="Перенести семинар на апрель",
    )
    page = client_of("school_a").get(reverse("plans:detail", args=[revision.plan_id]))
    text = page.content.decode()
    card = text[text.index(f'id="visa-{target.pk}"') :]
    card = card[: card.index("</form>")]
    assert "Согласовано с замечаниями" in card and "Перенести семинар на апрель" in card
    checked = re.search(r'<input[^>]*value="agreed_remarks"[^>]*>', card).group(0)
    assert "checked" in checked
    assert "Изменить решение школы" in card


def test_the_approve_panel_shows_each_action_once(client_of):
    from .test_plans import agree_all

    revision = working()
    agree_all(revision)
    revision.refresh_from_db()
    assert revision.state == "agreed"
    page = client_of("chief_dmitriev").get(reverse("plans:detail", args=[revision.plan_id]))
    text = page.content.decode()
    labels = re.findall(r"<(?:summary|button)[^>]*>([^<]+)</(?:summary|button)>", text)
    assert labels.count("Утвердить") == 1
    assert labels.count("Подписать и утвердить") == 1


def test_a_line_keeps_its_number_after_an_inline_save(client_of):
    revision = working()
    page = client_of("head_center").get(reverse("plans:detail", args=[revision.plan_id]))
    line = revision.lines.order_by("-date_from").first()
    row = re.search(
        rf'<tr id="line-{line.pk}">\s*<td class="plan-n">.*?</span>(\d+)</td>',
        page.content.decode(),
        re.S,
    )
    number = row.group(1)
    form = {
        "direction": line.direction,
        "title": "Новое название",
        "form": line.form_id,
        "format": line.format,
        "audience": line.audience,
        "date_kind": line.date_kind,
        "date_from": line.date_from.isoformat(),
        "initiator": line.initiator_id,
        "version": line.version,
    }
    editor = client_of("head_center").get(
        reverse("plans:line_edit", args=[line.pk]), HTTP_HX_REQUEST="true"
    )
    assert f"Мероприятие № {number}: изменение" in editor.content.decode()
    saved = client_of("head_center").post(
        reverse("plans:line_edit", args=[line.pk]), form, HTTP_HX_REQUEST="true"
    )
    html = saved.content.decode()
    assert "Новое название" in html
    assert re.search(rf'<td class="plan-n">.*?</span>{number}</td>', html, re.S), html[:400]
    assert Line.objects.get(pk=line.pk).title == "Новое название"


def test_a_line_has_the_same_number_on_the_page_whatever_the_filter(client_of):
    revision = working()
    url = reverse("plans:detail", args=[revision.plan_id])
    client = client_of("head_center")
    whole = client.get(url).content.decode()
    numbers = dict(
        re.findall(r'<tr id="line-(\d+)">\s*<td class="plan-n">.*?</span>(\d+)</td>', whole, re.S)
    )
    filtered = client.get(url, {"format": "remote"}).content.decode()
    shown = re.findall(
        r'<tr id="line-(\d+)">\s*<td class="plan-n">.*?</span>(\d+)</td>', filtered, re.S
    )
    assert shown and len(shown) < len(numbers)
    for pk, n in shown:
        assert numbers[pk] == n
