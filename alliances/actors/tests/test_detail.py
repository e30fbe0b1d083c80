from django.urls import reverse


def url(organisation) -> str:
    return reverse("actors:detail", args=[organisation.pk])


def test_it_shows_the_organisation(client, organisation):
    response = client.get(url(organisation))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert organisation.name in html
    for value in ("732829320", "W941000001", "https://mda.example.org", "1 rue de l&#x27;Église"):
        assert value in html
    assert 'href="/territoires/commune/94080/"' in html
    assert 'href="/territoires/departement/94/"' in html
    # French data: the fragility domains and the NAF section.
    assert "Lien social" in html and "Jeunesse" in html
    assert "Autres activités de services" in html


def test_members_are_not_shown_to_anonymous_visitors(client, organisation, participant):
    html = client.get(url(organisation)).content.decode()
    assert str(participant) not in html
    assert participant.email not in html
    assert reverse("actors:edit", args=[organisation.pk]) not in html


def test_members_are_not_shown_to_outsiders(client, organisation, participant, outsider):
    client.force_login(outsider)
    html = client.get(url(organisation)).content.decode()
    assert str(participant) not in html
    assert reverse("actors:edit", args=[organisation.pk]) not in html


def test_members_and_admins_see_members_and_the_edit_link(
    client, organisation, participant, member, admin
):
    for user in (participant, member, admin):
        client.force_login(user)
        html = client.get(url(organisation)).content.decode()
        assert str(participant) in html and str(member) in html
        assert reverse("actors:edit", args=[organisation.pk]) in html


def test_a_hidden_organisation_is_not_found_by_others(
    client, hidden_organisation, outsider, participant, admin
):
    assert client.get(url(hidden_organisation)).status_code == 404
    client.force_login(outsider)
    assert client.get(url(hidden_organisation)).status_code == 404
    client.force_login(participant)
    assert client.get(url(hidden_organisation)).status_code == 200
    client.force_login(admin)
    assert client.get(url(hidden_organisation)).status_code == 200


def test_an_unknown_organisation_is_not_found(client, db):
    assert client.get("/acteurs/999999/").status_code == 404


def test_it_rejects_post(client, organisation):
    assert client.post(url(organisation)).status_code == 405


def test_query_count(client, organisation, member, many_organisations,
                     django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get(url(organisation)).status_code == 200
    client.force_login(member)
    with django_assert_max_num_queries(12):
        assert client.get(url(organisation)).status_code == 200
