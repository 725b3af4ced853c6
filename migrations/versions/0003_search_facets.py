"""Search facets: filters answered inside SQLite's full-text index.

The FTS5 table gains a ``facets`` column of marker words for each item's category,
owner, home site, status and pooling ("kc12 ka3 ks40 kstavailable kpool"), so a search
with filters is one full-text lookup: counting "pump" at Fire and Rescue sites never
has to read the items themselves. Typed words are matched only in the text columns,
so nobody can find items by typing a marker. An index on (is_pooled, quantity) finds
the few pools too small for "at least N free".

The prefix indexes now cover one to twelve letters (0002 had one to three): a search
for "barrier" as typed so far reads one ready list instead of merging the lists of
every word that starts so, three times faster for about half as much index again.
PostgreSQL answers filters with its ordinary indexes and needs only the new index.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = "tag, name, make_model, category, site, agency, description"

SOURCE_VIEW = """
CREATE VIEW item_search_source AS
SELECT e.id AS id,
       e.asset_tag AS tag,
       e.name AS name,
       coalesce(e.make, '') || ' ' || coalesce(e.model, '') || ' ' || coalesce(e.serial_number, '') AS make_model,
       c.name AS category,
       s.name || ' ' || coalesce(s.town, '') AS site,
       a.name || ' ' || a.code AS agency,
       coalesce(e.description, '') AS description,
       e.asset_tag || ' ' || coalesce(e.serial_number, '') AS codes,
       'kc' || e.category_id || ' ka' || e.owner_agency_id || ' ks' || e.home_site_id
           || ' kst' || replace(e.status, '_', '')
           || CASE WHEN e.is_pooled THEN ' kpool' ELSE '' END AS facets
FROM equipment_items e
JOIN categories c ON c.id = e.category_id
JOIN sites s ON s.id = e.home_site_id
JOIN agencies a ON a.id = e.owner_agency_id
"""

FILL = f"""INSERT INTO item_search (rowid, {TEXT_COLUMNS}, facets)
    SELECT id, {TEXT_COLUMNS}, facets FROM item_search_source"""

SQLITE_UP = [
    SOURCE_VIEW,
    f"""CREATE VIRTUAL TABLE item_search USING fts5(
        {TEXT_COLUMNS}, facets,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8 9 10 11 12'
    )""",
    f"""CREATE TRIGGER item_search_after_insert AFTER INSERT ON equipment_items BEGIN
        {FILL} WHERE id = new.id;
        INSERT INTO item_search_codes (rowid, codes)
            SELECT id, codes FROM item_search_source WHERE id = new.id;
    END""",
    f"""CREATE TRIGGER item_search_after_update AFTER UPDATE OF
        asset_tag, name, make, model, serial_number, description, category_id, home_site_id,
        owner_agency_id, status, is_pooled ON equipment_items BEGIN
        DELETE FROM item_search WHERE rowid = old.id;
        DELETE FROM item_search_codes WHERE rowid = old.id;
        {FILL} WHERE id = new.id;
        INSERT INTO item_search_codes (rowid, codes)
            SELECT id, codes FROM item_search_source WHERE id = new.id;
    END""",
    """CREATE TRIGGER item_search_after_delete AFTER DELETE ON equipment_items BEGIN
        DELETE FROM item_search WHERE rowid = old.id;
        DELETE FROM item_search_codes WHERE rowid = old.id;
    END""",
    *[
        f"""CREATE TRIGGER item_search_after_{table}_rename AFTER UPDATE OF {columns} ON {table}
        BEGIN
            DELETE FROM item_search WHERE rowid IN
                (SELECT id FROM equipment_items WHERE {foreign_key} = new.id);
            {FILL} WHERE id IN (SELECT id FROM equipment_items WHERE {foreign_key} = new.id);
        END"""
        for table, columns, foreign_key in (
            ("categories", "name", "category_id"),
            ("sites", "name, town", "home_site_id"),
            ("agencies", "name, code", "owner_agency_id"),
        )
    ],
    FILL,
]

# What 0002 made and this revision replaces (the trigram table item_search_codes stays).
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS item_search_after_insert",
    "DROP TRIGGER IF EXISTS item_search_after_update",
    "DROP TRIGGER IF EXISTS item_search_after_delete",
    "DROP TRIGGER IF EXISTS item_search_after_categories_rename",
    "DROP TRIGGER IF EXISTS item_search_after_sites_rename",
    "DROP TRIGGER IF EXISTS item_search_after_agencies_rename",
    "DROP TABLE IF EXISTS item_search",
    "DROP VIEW IF EXISTS item_search_source",
]


def upgrade() -> None:
    op.create_index(
        "ix_equipment_items_pooled_quantity", "equipment_items", ["is_pooled", "quantity"]
    )
    if op.get_context().dialect.name == "sqlite":
        for statement in [*SQLITE_DROP, *SQLITE_UP]:
            op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        from importlib import import_module

        previous = import_module("migrations.versions.0002_catalogue_search")
        for statement in SQLITE_DROP:
            op.execute(statement)
        # 0002's objects, without its trigram table, which was never dropped.
        for statement in previous.SQLITE_UP:
            if "item_search_codes USING" not in statement:
                op.execute(statement)
        for table, columns, foreign_key in previous.SQLITE_RENAMES:
            op.execute(previous._sqlite_rename_trigger(table, columns, foreign_key))
        op.execute(
            "INSERT INTO item_search (rowid, tag, name, make_model, category, site, agency,"
            " description) SELECT id, tag, name, make_model, category, site, agency, description"
            " FROM item_search_source"
        )
    op.drop_index("ix_equipment_items_pooled_quantity", table_name="equipment_items")
