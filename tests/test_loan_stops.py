"""The one list of what stops a loan action (``app.loans.stops``) and the loan rules
that give the refusals are held to each other."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.loans.stops import BY_RULE, STOPS, LoanStep, stop_for

ROOT = Path(__file__).resolve().parents[1]
# Where the loan rules are given.
RULE_SOURCES = [*sorted((ROOT / "app" / "loans").glob("*.py")), ROOT / "app/people/operators.py"]


def rules_given(source: str) -> set[str]:
    """The rule of every ``Refusal("rule", …)`` in ``source``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Refusal"
            and node.args
        ):
            first = node.args[0]
            assert isinstance(first, ast.Constant), (
                f"a loan refusal's rule must be written out, to be found in the list: "
                f"{ast.unparse(node)[:80]}"
            )
            found.add(str(first.value))
    return found


def test_the_scan_finds_a_rule_and_refuses_a_rule_it_cannot_read() -> None:
    assert rules_given('Refusal("notice", "x", "starts_at")') == {"notice"}
    with pytest.raises(AssertionError, match="must be written out"):
        rules_given("Refusal(rule, 'x')")


def test_every_rule_the_loan_rules_give_is_listed_and_every_listed_one_is_given() -> None:
    given: set[str] = set()
    for path in RULE_SOURCES:
        given |= rules_given(path.read_text(encoding="utf-8"))
    assert given - set(BY_RULE) == set(), "list these in app/loans/stops.py"
    assert set(BY_RULE) - given == set(), "nobody gives these any more"


def test_each_rule_says_why_and_what_to_do_in_sentences() -> None:
    assert len(BY_RULE) == len(STOPS)  # one entry per rule
    for stop in STOPS:
        for sentence in (stop.why, stop.fix):
            assert sentence[:1].isupper(), stop
            assert sentence.endswith("."), stop
        assert stop.stops, stop
    assert stop_for("owner") is not None
    assert LoanStep.EMERGENCY in stop_for("owner").stops  # type: ignore[union-attr]
    assert stop_for("no such rule") is None


def test_the_command_line_prints_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database", "sqlite:///unused.db", "loan", "rules", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [row["rule"] for row in printed] == [stop.rule for stop in STOPS]
    owner = next(row for row in printed if row["rule"] == "owner")
    assert owner["fix"] == "Choose the agency taking the kit."
    assert "emergency issue" in owner["stops"]

    assert main(["--database", "sqlite:///unused.db", "loan", "rules"]) == 0
    text = capsys.readouterr().out
    assert "Own kit (stops: request, approve or decline, issue, emergency issue)" in text
    assert "What to do: Choose the agency taking the kit." in text
