"""A contribution through review to publication, in two browsers: a participant proposes a
resource (a tag, a référentiel question, a PDF, the text previewed under htmx) and submits
it; an animateur finds it in the review queue, starts the review and asks for changes;
the participant edits and submits again; the animateur publishes; an anonymous visitor
then finds it. axe-core on each page, and the queue at phone width.

Controls are found by their form's address, not their French label, so that the test
reads the same in any language.
"""

import io

import pytest

from alliances.actors.models import Organisation
from alliances.resources import search
from alliances.resources.models import ReferentielNode, Resource, ResourceStatus
from alliances.testing.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    return buffer.getvalue()


def settle(page) -> None:
    """Wait until htmx has no request in flight and has wired the swapped content."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request')"
        " && !document.querySelector('.htmx-settling')"
    )


def press(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_contribution_goes_through_review_to_publication(
    browser, live_server, page, phone_page, participant, animateur, password
):
    question = ReferentielNode.objects.filter(parent__parent__isnull=False).first()
    ateliers = Organisation.objects.create(name="Les Ateliers du Diois", type="association")

    # The participant proposes a resource.
    login(page, email=participant.email, password=password)
    page.goto("/ressources/proposer/")
    assert_accessible(page)
    page.select_option("#id_kind", "methode")
    page.fill("#id_title", "Cartographier les coopérations d'un territoire")
    page.fill("#id_summary", "Une méthode en trois ateliers.")
    page.fill("#id_body", "Commencer par **lister** les acteurs.\n\n- associations\n- entreprises")
    page.locator("button[hx-post='/ressources/apercu/']").click()
    page.locator("#body-preview strong").wait_for()
    settle(page)
    assert page.locator("#body-preview strong").inner_text() == "lister"
    assert page.locator("#body-preview li").count() == 2
    page.check("input[name=tags][value='type:cooperation_economique']")
    page.check(f"input[name=nodes][value='{question.pk}']")
    # An organisation of the directory, found with Enter (which does not save the form).
    page.fill("#org-q", "ateliers du")
    page.locator("#org-q").press("Enter")
    page.locator(f"#org-found-{ateliers.pk}").wait_for()
    settle(page)
    assert "/proposer/" in page.url
    page.check(f"#org-found-{ateliers.pk}")
    page.set_input_files("#id_files", files=[
        {"name": "methode.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    ])
    assert_accessible(page)
    press(page, "form.contribution-form .form-actions button[type=submit]")
    resource = Resource.objects.get()
    assert page.url.endswith(f"/ressources/{resource.pk}/relecture/")
    assert resource.status == ResourceStatus.DRAFT
    assert resource.files.get().name == "methode.pdf"
    assert list(resource.organisations.all()) == [ateliers]
    assert_accessible(page)
    page.fill("#submit-body", "Testée avec deux territoires.")
    press(page, f"form[action='/ressources/{resource.pk}/soumettre/'] button")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.SUBMITTED

    other = browser.new_context(locale="fr-FR", base_url=live_server.url)
    other.set_default_timeout(10_000)
    reviewer = other.new_page()
    try:
        # The animateur: the queue, the review page, changes asked.
        login(reviewer, email=animateur.email, password=password)
        reviewer.goto("/ressources/relecture/")
        assert_accessible(reviewer)
        press(reviewer, f"main a[href='/ressources/{resource.pk}/relecture/']")
        thread = reviewer.locator(".contribution-thread").inner_text()
        assert "Testée avec deux territoires." in thread
        press(reviewer, f"form[action='/ressources/{resource.pk}/relecture/commencer/'] button")
        assert_accessible(reviewer)
        # Asking for changes without saying which is refused, the page kept.
        press(reviewer, f"button[formaction='/ressources/{resource.pk}/modifications/']")
        assert reviewer.locator("#review-errors").is_visible()
        assert_accessible(reviewer)
        reviewer.fill("#review-body", "Ajoutez un exemple concret, s'il vous plaît.")
        press(reviewer, f"button[formaction='/ressources/{resource.pk}/modifications/']")
        resource.refresh_from_db()
        assert resource.status == ResourceStatus.DRAFT

        # The participant reads the comment, edits, submits again.
        page.goto("/ressources/mes-contributions/")
        assert "Ajoutez un exemple concret" in page.locator("main table").inner_text()
        assert_accessible(page)
        press(page, f"main a[href='/ressources/{resource.pk}/relecture/']")
        press(page, f"a[href='/ressources/{resource.pk}/modifier/']")
        assert page.locator("input[name=tags][value='type:cooperation_economique']").is_checked()
        assert_accessible(page)
        page.fill("#id_body", "Commencer par **lister** les acteurs.\n\nExemple : la Drôme.")
        page.fill("#id_note", "Un exemple ajouté")
        # Enter in a field saves (the preview button comes first in the form).
        with page.expect_navigation():
            page.locator("#id_note").press("Enter")
        press(page, f"form[action='/ressources/{resource.pk}/soumettre/'] button")
        resource.refresh_from_db()
        assert (resource.status, resource.version) == (ResourceStatus.SUBMITTED, 2)

        # The diff of the new version.
        page.goto(f"/ressources/{resource.pk}/versions/2/")
        assert "la Drôme" in " ".join(page.locator(".contribution-diff ins").all_inner_texts())
        assert_accessible(page)

        # The animateur publishes.
        reviewer.goto(f"/ressources/{resource.pk}/relecture/")
        press(reviewer, f"form[action='/ressources/{resource.pk}/relecture/commencer/'] button")
        reviewer.fill("#review-body", "Merci !")
        press(reviewer, f"button[formaction='/ressources/{resource.pk}/publier/']")
        resource.refresh_from_db()
        assert resource.status == ResourceStatus.PUBLISHED
        assert_accessible(reviewer)
    finally:
        other.close()

    # Anyone finds it now.
    assert list(Resource.objects.published()) == [resource]
    found = search.search("cartographier coopération", with_facets=False)
    assert [hit.id for hit in found.hits] == [resource.pk]
    visitor = browser.new_context(locale="fr-FR", base_url=live_server.url)
    try:
        anonymous = visitor.new_page()
        response = anonymous.goto(f"/ressources/{resource.pk}/")
        assert response.status == 200
        assert "Cartographier les coopérations" in anonymous.locator("h1").inner_text()
    finally:
        visitor.close()

    # The review queue, now empty, at phone width.
    login(phone_page, email=animateur.email, password=password)
    phone_page.goto("/ressources/relecture/")
    assert_accessible(phone_page)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
