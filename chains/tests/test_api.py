"""/api/v1/value-chains/: read-only, the chains of the programmes the user belongs to, by id or by slug."""

import pytest

from chains.models import ValueChain
from indicators.models import Membership
from tests.factories import ProgrammeFactory, UserFactory, ValueChainFactory, membership

pytestmark = pytest.mark.django_db

LIST = "/api/v1/value-chains/"


@pytest.fixture
def chains():
    """PRG1 with two chains, PRG2 with one of the same slug as PRG1's first."""
    prg1, prg2 = ProgrammeFactory(code="PRG1"), ProgrammeFactory(code="PRG2")
    return {
        "papa": ValueChainFactory(programme=prg1, slug="papa-nativa", name="Papa nativa", order=1),
        "tara": ValueChainFactory(programme=prg1, slug="tara", name="Tara", order=2),
        "other_papa": ValueChainFactory(programme=prg2, slug="papa-nativa", name="Papa nativa", order=1),
    }


@pytest.fixture
def reader(client, chains):
    """A client logged in as an EMCL member of PRG1 only."""
    user = UserFactory(username="chains-emcl")
    membership(user, chains["papa"].programme, Membership.Role.EMCL)
    client.force_login(user)
    return client


def _slugs(response):
    assert response.status_code == 200, response.content
    return [(row["programme"], row["slug"]) for row in response.json()["results"]]


def test_anonymous_is_refused_with_401(client, chains):
    response = client.get(LIST)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert client.get(f"{LIST}{chains['papa'].pk}/").status_code == 401


def test_a_member_lists_only_the_chains_of_their_programmes_in_order(reader):
    response = reader.get(LIST)
    assert _slugs(response) == [("PRG1", "papa-nativa"), ("PRG1", "tara")]
    row = response.json()["results"][0]
    assert set(row) == {"id", "programme", "slug", "name", "order", "updated_at"}
    assert row["name"] == "Papa nativa"


def test_a_user_without_a_role_sees_no_chain_and_cannot_read_one(client, chains):
    client.force_login(UserFactory(username="chains-outsider"))
    assert _slugs(client.get(LIST)) == []
    response = client.get(f"{LIST}{chains['papa'].pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"{LIST}papa-nativa/").status_code == 404


def test_a_superuser_sees_every_programmes_chains(client, chains):
    client.force_login(UserFactory(username="chains-root", is_superuser=True))
    assert _slugs(client.get(LIST)) == [("PRG1", "papa-nativa"), ("PRG1", "tara"), ("PRG2", "papa-nativa")]


def test_a_chain_is_read_by_id_or_by_slug(reader, chains):
    by_id = reader.get(f"{LIST}{chains['tara'].pk}/")
    assert by_id.status_code == 200 and by_id.json()["slug"] == "tara"
    by_slug = reader.get(f"{LIST}tara/")
    assert by_slug.status_code == 200 and by_slug.json() == by_id.json()
    assert reader.get(f"{LIST}no-such-chain/").status_code == 404


def test_a_chain_of_another_programme_is_a_404_by_id(reader, chains):
    assert reader.get(f"{LIST}{chains['other_papa'].pk}/").status_code == 404


def test_a_slug_two_visible_programmes_share_asks_for_the_programme(reader, chains):
    membership(UserFactory(username="chains-emcl"), chains["other_papa"].programme, Membership.Role.REVIEWER)
    ambiguous = reader.get(f"{LIST}papa-nativa/")
    assert ambiguous.status_code == 400
    assert ambiguous.json()["error"]["code"] == "ambiguous_code"
    chosen = reader.get(f"{LIST}papa-nativa/?programme=PRG2")
    assert chosen.status_code == 200
    assert chosen.json()["id"] == chains["other_papa"].pk


def test_the_programme_filter_the_fields_and_the_ordering(reader, chains):
    assert _slugs(reader.get(f"{LIST}?programme=PRG2")) == []  # not theirs: filtered out, not revealed
    assert _slugs(reader.get(f"{LIST}?programme=PRG1&ordering=-order")) == [("PRG1", "tara"), ("PRG1", "papa-nativa")]
    sparse = reader.get(f"{LIST}?fields=slug,name")
    assert sparse.status_code == 200
    assert sparse.json()["results"][0] == {"slug": "papa-nativa", "name": "Papa nativa"}


def test_updated_since_keeps_the_chains_changed_at_or_after_the_instant(reader, chains):
    tara = chains["tara"]
    later = tara.updated_at.isoformat()
    ValueChain.objects.filter(pk=chains["papa"].pk).update(updated_at="2011-01-01T00:00:00Z")
    assert _slugs(reader.get(LIST, {"updated_since": later})) == [("PRG1", "tara")]
    bad = reader.get(LIST, {"updated_since": "not-an-instant"})
    assert bad.status_code == 400
    assert "updated_since" in bad.json()["error"]["fields"]


def test_an_unchanged_list_answers_304_to_its_etag(reader, chains):
    first = reader.get(LIST)
    assert first.status_code == 200
    assert reader.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    ValueChain.objects.filter(pk=chains["tara"].pk).update(name="Tara (Caesalpinia spinosa)")
    assert reader.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_does_not_write_chains(reader, chains, method):
    url = LIST if method == "post" else f"{LIST}{chains['tara'].pk}/"
    response = getattr(reader, method)(url, {"slug": "quinua", "name": "Quinua"}, content_type="application/json")
    assert response.status_code == 405
    assert list(ValueChain.objects.order_by("pk").values_list("slug", "name")) == [
        ("papa-nativa", "Papa nativa"),
        ("tara", "Tara"),
        ("papa-nativa", "Papa nativa"),
    ]
