"""The value chains' constraints: a slug is unique within its programme, a note within its chain, year and topic."""

import pytest
from django.db import IntegrityError, transaction

from chains.models import ChainNote, ValueChain
from tests.factories import ProgrammeFactory, ValueChainFactory

pytestmark = pytest.mark.django_db


def test_a_slug_is_unique_within_its_programme():
    chain = ValueChainFactory(slug="papa-nativa")
    with pytest.raises(IntegrityError), transaction.atomic():
        ValueChain.objects.create(programme=chain.programme, slug="papa-nativa", name="Otra papa")
    assert ValueChain.objects.filter(slug="papa-nativa").count() == 1


def test_two_programmes_may_each_have_a_chain_of_the_same_slug():
    first = ValueChainFactory(slug="tara")
    second = ValueChainFactory(programme=ProgrammeFactory(), slug="tara")
    assert first.programme != second.programme
    assert ValueChain.objects.filter(slug="tara").count() == 2


def test_a_note_is_unique_per_chain_year_and_topic():
    chain = ValueChainFactory()
    ChainNote.objects.create(chain=chain, year=2011, topic="comunicación", text="Ferias")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChainNote.objects.create(chain=chain, year=2011, topic="comunicación", text="Otra vez")
    # Another year, another topic or another chain is another note.
    ChainNote.objects.create(chain=chain, year=2012, topic="comunicación", text="Ferias 2012")
    ChainNote.objects.create(chain=chain, year=2011, topic="capacitación", text="Talleres")
    ChainNote.objects.create(
        chain=ValueChainFactory(programme=chain.programme), year=2011, topic="comunicación", text="x"
    )
    assert ChainNote.objects.count() == 4


def test_chains_are_ordered_by_programme_then_order_and_notes_by_their_chains_order():
    programme = ProgrammeFactory(code="PRG-B")
    earlier = ProgrammeFactory(code="PRG-A")
    tara = ValueChainFactory(programme=programme, slug="tara", name="Tara", order=2)
    papa = ValueChainFactory(programme=programme, slug="papa-nativa", name="Papa nativa", order=1)
    other = ValueChainFactory(programme=earlier, slug="cuyes", name="Cuyes", order=9)
    assert list(ValueChain.objects.all()) == [other, papa, tara]
    ChainNote.objects.create(chain=tara, year=2011, topic="a", text="Tara")
    ChainNote.objects.create(chain=papa, year=2011, topic="b", text="Papa")
    assert [note.text for note in ChainNote.objects.filter(chain__programme=programme)] == ["Papa", "Tara"]
    assert str(papa) == "Papa nativa"
    assert str(papa.notes.get()) == "Papa nativa 2011 b"


def test_removing_a_chain_removes_its_notes():
    chain = ValueChainFactory()
    ChainNote.objects.create(chain=chain, year=2011, topic="comunicación", text="Ferias")
    chain.delete()
    assert not ChainNote.objects.exists()
