from django.core.management import call_command

from alliances.accounts.models import User
from alliances.actors.models import Organisation, OrganisationType
from alliances.territories.models import Commune


def test_demo_loads_pilot_territories_actors_and_one_account_per_role(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out

    assert Commune.objects.filter(departement_id__in=["94", "35", "05"]).count() >= 30
    organisations = Organisation.objects.all()
    assert organisations.count() >= 300
    assert set(organisations.values_list("departement_id", flat=True)) == {"94", "35", "05"}
    assert set(organisations.values_list("type", flat=True)) == set(OrganisationType.values)
    for organisation in organisations.exclude(siret=""):
        organisation.full_clean()  # synthetic identifiers pass the real checks

    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)
    for user in User.objects.all():
        assert user.email in out
        password = out.split(user.email, 1)[1].split()[0]
        assert user.check_password(password)


def test_demo_twice_adds_nothing(db):
    call_command("demo")
    counts = (Organisation.objects.count(), Commune.objects.count(), User.objects.count())
    call_command("demo")
    assert (Organisation.objects.count(), Commune.objects.count(), User.objects.count()) == counts
