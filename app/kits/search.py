"""Finding kits by their words: the kit's own (name, description, site, agency) and its
members' (tag, name, make and model, category), so that "boat" finds the water rescue
team kit whose boat is a member, as the catalogue shows it above the items.

An alliance keeps tens or hundreds of kits, not the catalogue's hundreds of thousands of
items: they are read once per search and matched here, where case folds alike for every
letter on both databases, rather than through a full-text index of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.catalogue.directory import fold
from app.catalogue.query_words import read_query
from app.catalogue.search import WORD
from app.core.text import clean_text
from app.kits.service import KitMemberView, KitView, list_kits
from app.storage.database import Database

# Kits listed above the items at most: the rest are a more precise search away.
KITS_SHOWN = 20
# What a kit's label's QR code starts with: a scanner types it into the search box,
# which then finds that kit alone. No asset tag holds a colon, so no item is taken for it.
KIT_CODE_PREFIX = "KIT:"


@dataclass(frozen=True)
class KitHit:
    """A kit the words found; ``members`` are the tags of the members they matched, for
    the catalogue to say why a kit whose name does not match is listed."""

    kit: KitView
    by_name: bool
    members: tuple[str, ...]
    # Every word is in the kit's name itself ("water rescue"): the search is for this kit,
    # which the catalogue then shows as its top hit, not only lists.
    named: bool = False


def kit_code(kit: KitView) -> str:
    """What a kit's label's QR code holds: "KIT:Water rescue team kit (CAMBS-FRS)".

    The kit's name and agency rather than its number, so that a label still opens its
    kit after the kits are exported and imported into another database; a kit renamed
    needs a new label (a scan of the old one finds nothing, rather than another kit)."""
    return f"{KIT_CODE_PREFIX}{kit.label}"


def is_kit_code(text: str) -> bool:
    """Whether ``text`` is a kit's code, as a scanner types it from a label."""
    return text.strip()[: len(KIT_CODE_PREFIX)].upper() == KIT_CODE_PREFIX


def scanned_kit(db: Database, text: str, *, agency_id: int | None = None) -> KitView | None:
    """The kit in use whose code (``kit_code``) is ``text``, as a scanner types it into
    the search box, for the window to open; None if ``text`` is no such code."""
    text = clean_text(text).strip()
    if not is_kit_code(text):
        return None
    wanted = fold(text[len(KIT_CODE_PREFIX) :])
    kits = list_kits(db, agency_id=agency_id)
    return next((kit for kit in kits if fold(kit.label) == wanted), None)


def _words(texts: Iterable[str]) -> set[str]:
    return {word.casefold() for text in texts for word in WORD.findall(text)}


def _kit_words(kit: KitView) -> set[str]:
    return _words((kit.name, kit.description, kit.home_site, kit.owner, kit.owner_code))


def _member_words(member: KitMemberView) -> set[str]:
    texts = (member.asset_tag, member.name, member.make_model, member.category)
    return _words(texts) | {member.asset_tag.casefold()}


def _found(wanted: str, words: set[str]) -> bool:
    """A word typed is found as the start of a word, or anywhere in a tag ("0042")."""
    return any(word.startswith(wanted) or (len(wanted) >= 3 and wanted in word) for word in words)


def search_kits(
    db: Database, text: str, *, agency_id: int | None = None, limit: int = KITS_SHOWN
) -> list[KitHit]:
    """The kits in use that every word of ``text`` finds, in the kit's words or its
    members' (a period or quantity typed after them, "free tomorrow", is not looked
    for); kits whose own words hold them all first, then by name. Blank text finds none:
    the catalogue lists kits above its items only for a search.

    A kit's code, as its label's QR code holds it (``kit_code``), finds that kit alone."""
    if is_kit_code(clean_text(text)):
        found = scanned_kit(db, text, agency_id=agency_id)
        # A scanned label means that kit: the catalogue opens it, as for a name typed.
        return [KitHit(kit=found, by_name=True, members=(), named=True)] if found else []
    words = [w.casefold() for w in WORD.findall(read_query(clean_text(text)).words)]
    if not words:
        return []
    hits: list[KitHit] = []
    for kit in list_kits(db, agency_id=agency_id):
        own = _kit_words(kit)
        members = [(member, _member_words(member)) for member in kit.members]
        everything = own.union(*(found for _, found in members))
        if not all(_found(word, everything) for word in words):
            continue
        matched = tuple(
            member.asset_tag
            for member, found in members
            if any(_found(word, found) for word in words if not _found(word, own))
        )
        by_name = all(_found(word, own) for word in words)
        named = all(_found(word, _words((kit.name,))) for word in words)
        hits.append(KitHit(kit=kit, by_name=by_name, members=matched, named=named))
    hits.sort(key=lambda hit: (not hit.named, not hit.by_name, hit.kit.name.casefold(), hit.kit.id))
    return hits[:limit]
