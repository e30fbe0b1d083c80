from django.contrib.auth.models import AnonymousUser


def test_change_organisation(organisation, member, admin, participant, outsider, analyste):
    assert participant.has_perm("actors.change_organisation", organisation)  # manager
    assert member.has_perm("actors.change_organisation", organisation)  # plain member
    assert admin.has_perm("actors.change_organisation", organisation)
    assert not outsider.has_perm("actors.change_organisation", organisation)
    assert not analyste.has_perm("actors.change_organisation", organisation)
    assert not AnonymousUser().has_perm("actors.change_organisation", organisation)


def test_add_organisation(db, participant, outsider):
    assert participant.has_perm("actors.add_organisation")
    assert outsider.has_perm("actors.add_organisation")
    assert not AnonymousUser().has_perm("actors.add_organisation")


def test_view_organisation(organisation, hidden_organisation, admin, participant, outsider):
    assert AnonymousUser().has_perm("actors.view_organisation", organisation)
    assert outsider.has_perm("actors.view_organisation", organisation)
    assert not AnonymousUser().has_perm("actors.view_organisation", hidden_organisation)
    assert not outsider.has_perm("actors.view_organisation", hidden_organisation)
    assert participant.has_perm("actors.view_organisation", hidden_organisation)
    assert admin.has_perm("actors.view_organisation", hidden_organisation)


def test_a_platform_admin_by_role_without_superuser_flag(organisation, outsider):
    outsider.role = outsider.Role.ADMIN
    outsider.save()
    assert outsider.has_perm("actors.change_organisation", organisation)
