"""The tables of sections 3 to 6 (risks.py, recommendations.py, emcl.py, quality.py, lessons.py)."""

from fixtures.per0601011_builder.recommendations import result_blocks
from fixtures.per0601011_builder.risks import risk_rows


def test_a_risk_row_cut_by_a_page_break_is_joined_back_to_its_row():
    table = [
        ["Riesgo (describir)", "Probabilidad", "Impacto", "Nivel", "Riesgo"],
        ["Los precios bajan y los", "medio", "Menos ventas", "B", "Alto"],
        ["productores abandonan", "", "la cadena", "", ""],
        ["--", "--", "", "", ""],
        ["Cambio de autoridades", "Alto", "Retrasos", "A", "medio"],
    ]
    assert risk_rows(table) == [
        ["Los precios bajan y los productores abandonan", "medio", "Menos ventas la cadena", "B", "Alto"],
        ["Cambio de autoridades", "Alto", "Retrasos", "A", "medio"],
    ]


def test_recommendations_are_split_per_result_heading():
    lines = ["Resultado 1", "a\tb", "Resultado R2", "c\td", "e\tf"]
    assert result_blocks(["intro"] + lines) == [("R1", ["a\tb"]), ("R2", ["c\td", "e\tf"])]


def test_the_seed_tables_per_level(built):
    risks = [(r["level"], r["order"]) for r in built["risks"]]
    assert {level for level, _order in risks} == {"OE", "R1", "R2", "R3", "R4"}
    criteria = {(q["level"], q["criterion"]) for q in built["quality_criteria"]}
    assert ("R3", "efficacy") in criteria and ("R4", "efficacy") in criteria  # printed "Eficacidad"
    statuses = {d["status"] for d in built["emcl_decisions"]}
    assert statuses <= {"executed", "in_progress"}
    assert {lesson["group"] for lesson in built["lessons"]} == {"key", "R1 y R2", "R3", "R4"}
