"""Small building parts of every window (ui.widgets.layout)."""

from __future__ import annotations

import pytest

from ui.widgets.layout import with_shortcut


def test_a_shortcut_letter_is_marked_in_the_words_as_they_are() -> None:
    assert with_shortcut("Major", "j") == "Ma&jor"
    # A word's first letter is the one people expect underlined.
    assert with_shortcut("Pass with advisories", "a") == "Pass with &advisories"
    assert with_shortcut("Fail", "F") == "&Fail"


def test_a_shortcut_letter_missing_from_the_words_is_a_mistake_said_at_once() -> None:
    # The vocabulary's words changed under the letter chosen for them.
    with pytest.raises(ValueError, match="no 'j' in 'Minor'"):
        with_shortcut("Minor", "j")
