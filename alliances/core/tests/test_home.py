def test_home_shows_zero_safe_figures_in_french(client, db):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="fr"' in body
    assert "Alliances, la plateforme de la co-construction territoriale" in body
    assert "Aller au contenu" in body
    assert response.context["figures"]["organisations"] == 0
    assert response.context["figures"]["alliances"] == 0


def test_home_rejects_post(client, db):
    assert client.post("/").status_code == 405


def test_health_answers_ok(client, db):
    assert client.get("/sante/").json() == {"status": "ok"}


def test_home_figures_are_cached_and_a_directory_write_shows_at_once(
    client, db, django_assert_num_queries
):
    from alliances.actors.services import organisation_create

    client.get("/")
    with django_assert_num_queries(1):  # the page generation; the figures from the cache
        assert client.get("/").context["figures"]["organisations"] == 0

    organisation_create(name="Maison des associations de Rennes", type="association")

    assert client.get("/").context["figures"]["organisations"] == 1
