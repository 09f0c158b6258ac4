"""The value chains in the Django admin: a superuser lists, adds (with notes inline) and is refused a duplicate
slug with a message; users who are not admin staff are kept out. Through the admin's own pages."""

import pytest

from chains.models import ChainNote, ValueChain
from tests.factories import ProgrammeFactory, UserFactory, ValueChainFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/chains/valuechain/"
ADD = "/admin/chains/valuechain/add/"


@pytest.fixture
def root(client):
    client.force_login(UserFactory(username="chains-root", is_superuser=True, is_staff=True))
    return client


def _add_form(programme, slug, name, notes=()):
    """The add page's POST: the chain's fields and its inline notes' management form."""
    data = {
        "programme": programme.pk,
        "slug": slug,
        "name": name,
        "order": 3,
        "notes-TOTAL_FORMS": len(notes),
        "notes-INITIAL_FORMS": 0,
        "notes-MIN_NUM_FORMS": 0,
        "notes-MAX_NUM_FORMS": 1000,
    }
    for i, (year, topic, text) in enumerate(notes):
        data.update({f"notes-{i}-year": year, f"notes-{i}-topic": topic, f"notes-{i}-text": text})
    return data


def test_the_changelist_shows_the_chains_and_filters_by_programme(root):
    papa = ValueChainFactory(programme=ProgrammeFactory(code="PRG1"), slug="papa-nativa", name="Papa nativa")
    ValueChainFactory(programme=ProgrammeFactory(code="PRG2"), slug="cuyes", name="Cuyes")
    page = root.get(CHANGELIST)
    assert page.status_code == 200
    assert "Papa nativa" in page.content.decode() and "Cuyes" in page.content.decode()
    filtered = root.get(CHANGELIST, {"programme__id__exact": papa.programme.pk})
    assert filtered.status_code == 200
    assert "Papa nativa" in filtered.content.decode() and "Cuyes" not in filtered.content.decode()


def test_a_superuser_adds_a_chain_with_its_notes(root):
    programme = ProgrammeFactory(code="PRG1")
    response = root.post(ADD, _add_form(programme, "quinua", "Quinua", notes=[(2011, "comunicación", "Ferias")]))
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    chain = ValueChain.objects.get(programme=programme, slug="quinua")
    assert (chain.name, chain.order) == ("Quinua", 3)
    assert list(ChainNote.objects.values_list("chain", "year", "topic", "text")) == [
        (chain.pk, 2011, "comunicación", "Ferias")
    ]


def test_a_slug_already_in_the_programme_is_refused_with_a_message_and_nothing_is_stored(root):
    existing = ValueChainFactory(slug="tara", name="Tara")
    response = root.post(ADD, _add_form(existing.programme, "tara", "Tara otra vez"))
    assert response.status_code == 200  # the form again, with its error
    assert response.context["adminform"].form.errors
    assert list(ValueChain.objects.values_list("name", flat=True)) == ["Tara"]


def test_a_slug_must_be_a_slug(root):
    programme = ProgrammeFactory()
    response = root.post(ADD, _add_form(programme, "papa nativa!", "Papa"))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert not ValueChain.objects.exists()


@pytest.mark.parametrize("is_staff", [False, True])
def test_a_user_who_is_not_a_superuser_is_refused(client, is_staff):
    """Without admin staff status: the admin's login page. Staff without the chain permissions: 403."""
    chain = ValueChainFactory()
    client.force_login(UserFactory(username=f"chains-user-{is_staff}", is_staff=is_staff))
    for url in (CHANGELIST, ADD, f"{CHANGELIST}{chain.pk}/change/"):
        response = client.get(url)
        if is_staff:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    refused = client.post(ADD, _add_form(chain.programme, "quinua", "Quinua"))
    assert refused.status_code == (403 if is_staff else 302)
    assert ValueChain.objects.count() == 1
