"""Reading a territory's network: visibility classes, cliques, cache, preset layout."""

import pytest
from django.contrib.auth.models import AnonymousUser

from alliances.actors.models import Membership
from alliances.actors.services import membership_add
from alliances.core.pagecache import current_generation, pages_changed
from alliances.partnerships import graph
from alliances.partnerships.models import AllianceType

from .test_network_fixtures import *  # noqa: F403
from .test_network_fixtures import ally


def names(raw) -> set[str]:
    return set(raw.org_names)


@pytest.mark.django_db
def test_viewer_classes(scenario, admin, outsider, participant, member, analyste):
    assert graph.viewer_of(AnonymousUser()).key == "public"
    assert graph.viewer_of(outsider).key == "public"  # signed in, no organisation
    assert graph.viewer_of(admin).key == "admin"
    mine = graph.viewer_of(participant)
    assert mine.organisation_ids == {scenario.maison.pk, scenario.discreet.pk}
    assert mine.key.startswith("orgs:")
    assert graph.viewer_of(member).key != mine.key  # the Maison only
    # Two people of the same organisations see the same network: one cache entry.
    membership_add(organisation=scenario.maison, user=analyste, role=Membership.Role.MEMBER)
    assert graph.viewer_of(analyste).key == graph.viewer_of(member).key


@pytest.mark.django_db
def test_raw_rows_follow_visibility(scenario, val_de_marne, participant, member):
    public = graph.read_raw(val_de_marne, graph.viewer_of(AnonymousUser()))
    assert "Collectif discret" not in names(public)
    assert scenario.confidential.pk not in public.alliance_ids
    assert scenario.outside.pk in public.alliance_ids  # touches the 94 through the Maison

    theirs = graph.read_raw(val_de_marne, graph.viewer_of(participant))
    assert "Collectif discret" in names(theirs)
    assert scenario.confidential.pk in theirs.alliance_ids

    # A member of the Maison: the private alliance, not the private organisation.
    partial = graph.read_raw(val_de_marne, graph.viewer_of(member))
    assert scenario.confidential.pk in partial.alliance_ids
    assert "Collectif discret" not in names(partial)

    admin_view = graph.read_raw(val_de_marne, graph.Viewer(True, frozenset()))
    assert "Collectif discret" in names(admin_view)


@pytest.mark.django_db
def test_alliances_become_cliques_of_the_territorys_actors(scenario, val_de_marne):
    raw = graph.read_raw(val_de_marne, graph.viewer_of(AnonymousUser()))
    network = graph.compute(raw, graph.Filters())
    assert network.n_links == 3
    by_id = dict(zip(raw.alliance_ids[network.alliance_index].tolist(),
                     network.alliance_sizes.tolist(), strict=True))
    assert by_id[scenario.mecenat.pk] == 3
    assert by_id[scenario.outside.pk] == 1  # the Régie is outside: no link
    mecenat = raw.alliance_ids.tolist().index(scenario.mecenat.pk)
    emploi = [code for code, _ in raw.fragilities].index("emploi")
    assert raw.fragilities_of(mecenat) == [emploi]
    weights = network.metrics.strength
    bakery = raw.org_names.index("Boulangerie Martin")
    # The bakery shares two alliances with the Mairie and one with the Maison.
    assert int(weights[list(network.node_index).index(bakery)]) == 3


@pytest.mark.django_db
def test_filters_keep_types_and_alliances(scenario, val_de_marne):
    raw = graph.read_raw(val_de_marne, graph.viewer_of(AnonymousUser()))
    by_type = graph.compute(raw, graph.Filters(actor_types=("association",)))
    assert {raw.org_names[i] for i in by_type.node_index} == {
        "Maison des associations de Vincennes", "Association isolée"}
    assert by_type.n_links == 0
    emploi = graph.compute(raw, graph.Filters(fragility="emploi"))
    assert raw.alliance_ids[emploi.alliance_index].tolist() == [scenario.mecenat.pk]
    drawn_all = graph.compute(raw, graph.Filters(isolated=True))
    assert len(drawn_all.drawn) == 4
    assert len(graph.compute(raw, graph.Filters()).drawn) == 3


@pytest.mark.django_db
def test_cached_until_the_generation_moves(scenario, val_de_marne, django_assert_num_queries):
    viewer = graph.viewer_of(AnonymousUser())
    generation = current_generation()
    raw = graph.raw_network(val_de_marne, viewer, generation)
    with django_assert_num_queries(0):
        assert graph.raw_network(val_de_marne, viewer, generation) is not None
        first = graph.territory_network(val_de_marne, viewer, generation, raw, graph.Filters())
        again = graph.territory_network(val_de_marne, viewer, generation, raw, graph.Filters())
    assert again.n_links == first.n_links
    pages_changed()
    moved = current_generation()
    with django_assert_num_queries(5):  # organisations, alliances, partners, fragilités ×2
        graph.raw_network(val_de_marne, viewer, moved)


@pytest.mark.django_db
def test_a_large_network_gets_preset_positions(scenario, val_de_marne, client, monkeypatch):
    monkeypatch.setattr(graph, "BROWSER_LAYOUT_MAX_NODES", 2)
    viewer = graph.viewer_of(AnonymousUser())
    generation = current_generation()
    raw = graph.raw_network(val_de_marne, viewer, generation)
    network = graph.territory_network(val_de_marne, viewer, generation, raw, graph.Filters())
    coords = graph.positions(network)
    assert coords.shape == (3, 2)
    payload = client.get("/alliances/reseau/departement/94/donnees.json").json()
    assert payload["layout"] == "preset"
    assert len(payload["nodes"]["x"]) == len(payload["nodes"]["y"]) == 3
    assert all(isinstance(x, int) for x in payload["nodes"]["x"])


@pytest.mark.django_db
def test_small_networks_are_laid_out_in_the_browser(scenario, val_de_marne):
    viewer = graph.viewer_of(AnonymousUser())
    raw = graph.read_raw(val_de_marne, viewer)
    assert graph.positions(graph.compute(raw, graph.Filters())) is None


@pytest.mark.django_db
def test_metrics_are_kept_when_the_rows_are_the_same(scenario, val_de_marne, monkeypatch):
    """A write elsewhere moves the generation: the rows are read again, found the same,
    and neither the metrics nor the layout are computed again. A change to the network
    computes them again."""
    monkeypatch.setattr(graph, "BROWSER_LAYOUT_MAX_NODES", 2)
    computed, laid_out = [], []
    real_compute, real_layout = graph.compute, graph.spring_layout
    monkeypatch.setattr(graph, "compute",
                        lambda *a, **k: computed.append(1) or real_compute(*a, **k))
    monkeypatch.setattr(graph, "spring_layout",
                        lambda *a, **k: laid_out.append(1) or real_layout(*a, **k))
    viewer = graph.viewer_of(AnonymousUser())

    def network():
        generation = current_generation()
        raw = graph.raw_network(val_de_marne, viewer, generation)
        net = graph.territory_network(val_de_marne, viewer, generation, raw, graph.Filters())
        graph.positions(net)
        return net

    first = network()
    assert (len(computed), len(laid_out)) == (1, 1)
    pages_changed()  # as a write anywhere does
    second = network()
    assert (len(computed), len(laid_out)) == (1, 1)
    assert second.generation == current_generation() != first.generation
    assert second.n_links == first.n_links

    ally("Nouvelle alliance", [scenario.isolated, scenario.bakery], type=AllianceType.MECENAT,
         commune=scenario.bakery.commune)
    third = network()
    assert (len(computed), len(laid_out)) == (2, 2)
    assert third.n_links == first.n_links + 1
