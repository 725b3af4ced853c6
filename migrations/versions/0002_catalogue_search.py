"""Catalogue search: FTS5 on SQLite, tsvector and trigrams on PostgreSQL.

Both index the same text, split the same way: lower-case runs of letters and digits
(so "CAM-000042" gives "cam" and "000042"), for word-prefix search; and the asset tag
and serial number whole, for fragment search ("0042" finds CAM-000042). The indexes
are kept in step by triggers in the database, so every writer (the app, an import, a
hand-made fix in a SQL shell) keeps search right.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The text of one item as search sees it; shared by both databases' triggers.
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
       e.asset_tag || ' ' || coalesce(e.serial_number, '') AS codes
FROM equipment_items e
JOIN categories c ON c.id = e.category_id
JOIN sites s ON s.id = e.home_site_id
JOIN agencies a ON a.id = e.owner_agency_id
"""

SQLITE_UP = [
    SOURCE_VIEW,
    # Words: unicode61 splits on anything that is not a letter or digit; prefix
    # indexes make "dro*" and "hu*" cheap.
    """CREATE VIRTUAL TABLE item_search USING fts5(
        tag, name, make_model, category, site, agency, description,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
    )""",
    # Fragments of tags and serials: trigrams match any substring of three or more.
    """CREATE VIRTUAL TABLE item_search_codes USING fts5(codes, tokenize = 'trigram')""",
    """CREATE TRIGGER item_search_after_insert AFTER INSERT ON equipment_items BEGIN
        INSERT INTO item_search (rowid, tag, name, make_model, category, site, agency, description)
            SELECT id, tag, name, make_model, category, site, agency, description
            FROM item_search_source WHERE id = new.id;
        INSERT INTO item_search_codes (rowid, codes)
            SELECT id, codes FROM item_search_source WHERE id = new.id;
    END""",
    """CREATE TRIGGER item_search_after_update AFTER UPDATE OF
        asset_tag, name, make, model, serial_number, description, category_id, home_site_id,
        owner_agency_id ON equipment_items BEGIN
        DELETE FROM item_search WHERE rowid = old.id;
        DELETE FROM item_search_codes WHERE rowid = old.id;
        INSERT INTO item_search (rowid, tag, name, make_model, category, site, agency, description)
            SELECT id, tag, name, make_model, category, site, agency, description
            FROM item_search_source WHERE id = new.id;
        INSERT INTO item_search_codes (rowid, codes)
            SELECT id, codes FROM item_search_source WHERE id = new.id;
    END""",
    """CREATE TRIGGER item_search_after_delete AFTER DELETE ON equipment_items BEGIN
        DELETE FROM item_search WHERE rowid = old.id;
        DELETE FROM item_search_codes WHERE rowid = old.id;
    END""",
]

# Renaming a category, site or agency changes the text of every item under it.
SQLITE_RENAMES = [
    ("categories", "name", "category_id"),
    ("sites", "name, town", "home_site_id"),
    ("agencies", "name, code", "owner_agency_id"),
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS item_search_after_insert",
    "DROP TRIGGER IF EXISTS item_search_after_update",
    "DROP TRIGGER IF EXISTS item_search_after_delete",
    *[f"DROP TRIGGER IF EXISTS item_search_after_{table}_rename" for table, _, _ in SQLITE_RENAMES],
    "DROP TABLE IF EXISTS item_search",
    "DROP TABLE IF EXISTS item_search_codes",
    "DROP VIEW IF EXISTS item_search_source",
]

POSTGRES_UP = [
    # pg_trgm is a trusted extension: a database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    SOURCE_VIEW,
    """CREATE TABLE item_search (
        item_id integer PRIMARY KEY REFERENCES equipment_items (id) ON DELETE CASCADE,
        document tsvector NOT NULL,
        codes text NOT NULL
    )""",
    "CREATE INDEX ix_item_search_document ON item_search USING gin (document)",
    "CREATE INDEX ix_item_search_codes ON item_search USING gin (codes gin_trgm_ops)",
    # Split like SQLite's unicode61: every run of letters or digits is one word.
    """CREATE FUNCTION kitshare_search_words(source text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT to_tsvector('simple', regexp_replace(lower(source), '[^[:alnum:]]+', ' ', 'g'))
    $$""",
    """CREATE FUNCTION kitshare_refresh_item_search(target integer) RETURNS void
        LANGUAGE sql AS $$
        DELETE FROM item_search WHERE item_id = target;
        INSERT INTO item_search (item_id, document, codes)
        SELECT id,
               kitshare_search_words(concat_ws(' ', tag, name, make_model, category, site, agency, description)),
               lower(codes)
        FROM item_search_source WHERE id = target;
    $$""",
    """CREATE FUNCTION kitshare_item_search_trigger() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM kitshare_refresh_item_search(NEW.id);
            RETURN NULL;
        END
    $$""",
    """CREATE TRIGGER item_search_after_write AFTER INSERT OR UPDATE OF
        asset_tag, name, make, model, serial_number, description, category_id, home_site_id,
        owner_agency_id ON equipment_items
        FOR EACH ROW EXECUTE FUNCTION kitshare_item_search_trigger()""",
    """CREATE FUNCTION kitshare_item_search_rename_trigger() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM kitshare_refresh_item_search(e.id)
            FROM equipment_items e
            WHERE (TG_TABLE_NAME = 'categories' AND e.category_id = NEW.id)
               OR (TG_TABLE_NAME = 'sites' AND e.home_site_id = NEW.id)
               OR (TG_TABLE_NAME = 'agencies' AND e.owner_agency_id = NEW.id);
            RETURN NULL;
        END
    $$""",
    """CREATE TRIGGER item_search_after_categories_rename AFTER UPDATE OF name ON categories
        FOR EACH ROW EXECUTE FUNCTION kitshare_item_search_rename_trigger()""",
    """CREATE TRIGGER item_search_after_sites_rename AFTER UPDATE OF name, town ON sites
        FOR EACH ROW EXECUTE FUNCTION kitshare_item_search_rename_trigger()""",
    """CREATE TRIGGER item_search_after_agencies_rename AFTER UPDATE OF name, code ON agencies
        FOR EACH ROW EXECUTE FUNCTION kitshare_item_search_rename_trigger()""",
    "SELECT kitshare_refresh_item_search(id) FROM equipment_items",
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS item_search_after_write ON equipment_items",
    "DROP TRIGGER IF EXISTS item_search_after_categories_rename ON categories",
    "DROP TRIGGER IF EXISTS item_search_after_sites_rename ON sites",
    "DROP TRIGGER IF EXISTS item_search_after_agencies_rename ON agencies",
    "DROP FUNCTION IF EXISTS kitshare_item_search_rename_trigger()",
    "DROP FUNCTION IF EXISTS kitshare_item_search_trigger()",
    "DROP FUNCTION IF EXISTS kitshare_refresh_item_search(integer)",
    "DROP FUNCTION IF EXISTS kitshare_search_words(text)",
    "DROP TABLE IF EXISTS item_search",
    "DROP VIEW IF EXISTS item_search_source",
]


def _sqlite_rename_trigger(table: str, columns: str, foreign_key: str) -> str:
    return f"""CREATE TRIGGER item_search_after_{table}_rename AFTER UPDATE OF {columns} ON {table}
    BEGIN
        DELETE FROM item_search WHERE rowid IN
            (SELECT id FROM equipment_items WHERE {foreign_key} = new.id);
        INSERT INTO item_search (rowid, tag, name, make_model, category, site, agency, description)
            SELECT s.id, s.tag, s.name, s.make_model, s.category, s.site, s.agency, s.description
            FROM item_search_source s JOIN equipment_items e ON e.id = s.id
            WHERE e.{foreign_key} = new.id;
    END"""


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        for table, columns, foreign_key in SQLITE_RENAMES:
            op.execute(_sqlite_rename_trigger(table, columns, foreign_key))
        # Items stored before this revision.
        op.execute(
            "INSERT INTO item_search (rowid, tag, name, make_model, category, site, agency, description)"
            " SELECT id, tag, name, make_model, category, site, agency, description FROM item_search_source"
        )
        op.execute(
            "INSERT INTO item_search_codes (rowid, codes) SELECT id, codes FROM item_search_source"
        )
    else:
        for statement in POSTGRES_UP:
            op.execute(statement)


def downgrade() -> None:
    statements = SQLITE_DOWN if op.get_context().dialect.name == "sqlite" else POSTGRES_DOWN
    for statement in statements:
        op.execute(statement)
