"""An admin merges a possible duplicate in a real browser; the pages pass axe, by keyboard
and at phone width."""

import pytest

from alliances.actors.models import DuplicateProposal, Organisation, OrganisationSource
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proposals(organisation, vincennes):
    made = []
    for n, name in enumerate(["MAISON DES ASSOCIATIONS DE VINCENNES", "MAISON ASSOS VINCENNES"]):
        candidate = Organisation(name=name, type="association", commune=vincennes,
                                 source=OrganisationSource.RNA, rna=f"W94200000{n}")
        candidate.save()
        made.append(DuplicateProposal.objects.create(kept=organisation, candidate=candidate,
                                                     score=95 - n))
    return made


@pytest.fixture(autouse=True)
def _patient(page):
    # The first page of a session compiles templates: on a shared, loaded machine that
    # alone can pass the fixture's 10 s.
    page.set_default_timeout(30_000)


def test_admin_merges_a_proposal(page, admin, password, proposals):
    login(page, email=admin.email, password=password)
    page.goto("/acteurs/doublons/")
    assert_accessible(page)
    first = page.locator("section.card").first
    assert "MAISON DES ASSOCIATIONS DE VINCENNES" in first.inner_text()
    with page.expect_navigation():
        first.locator("button[value=merge]").click()
    assert page.locator("section.card").count() == 1
    assert page.locator(".message").count() == 1
    assert_accessible(page)
    assert not Organisation.objects.filter(pk=proposals[0].candidate_id).exists()
    kept = Organisation.objects.get(pk=proposals[0].kept_id)
    assert kept.rna == "W941000001"  # it had one: kept, the candidate's not taken


def test_keyboard_and_phone(page, phone_page, participant, password, proposals):
    login(page, email=participant.email, password=password)
    page.goto(f"/acteurs/doublons/{proposals[1].pk}/")
    assert_accessible(page)
    page.locator("button[value=distinct]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert DuplicateProposal.objects.get(pk=proposals[1].pk).status == "distinct"
    phone_page.set_default_timeout(30_000)
    login(phone_page, email=participant.email, password=password)
    phone_page.goto("/acteurs/doublons/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert_accessible(phone_page)
