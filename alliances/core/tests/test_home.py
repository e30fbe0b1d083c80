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
