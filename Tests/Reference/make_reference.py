"""Reference SQL for Retort's Oracle and SQL Server dialects, from SQLAlchemy's and
Alembic's own compilers (their outputs only: this script is not part of Retort).

    pip install sqlalchemy alembic
    python3 Tests/Reference/make_reference.py > Tests/Reference/offline_reference.json

Each Core case is compiled with literal_binds (values inlined, as Retort's
Dialect.literalSQL writes them); each type is compiled alone; each migration
operation is run through Alembic in offline (as_sql) mode. A construct SQLAlchemy
refuses is recorded as {"error": "..."}.
"""
import io
import json
import sys
import warnings

warnings.simplefilter("ignore")

import sqlalchemy as sa
from sqlalchemy.dialects import mssql, oracle
from alembic.migration import MigrationContext
from alembic.operations import Operations

def oracle_release(major):
    """SQLAlchemy's Oracle dialect as it is once connected to release `major` (unconnected,
    it assumes the newest, with 23ai's BOOLEAN)."""
    d = oracle.dialect()
    d.server_version_info = (major,)
    d.supports_native_boolean = major >= 23
    return d


# Retort's Dialect.oracle writes for 19c; Dialect.mssql for SQL Server 2017 and later.
DIALECTS = {"oracle": oracle_release(19), "mssql": mssql.dialect()}


# Oracle 23ai (Retort's Dialect.oracle23): its BOOLEAN type. Core cases and types only:
# Alembic's offline context takes a dialect name, not a server version.
RELEASES = {"oracle23": oracle_release(23)}

md = sa.MetaData()
authors = sa.Table("authors", md,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("email", sa.String(255), unique=True),
    sa.Column("born", sa.Date),
    sa.Column("active", sa.Boolean))
books = sa.Table("books", md,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("author_id", sa.Integer, sa.ForeignKey("authors.id", ondelete="CASCADE")),
    sa.Column("pages", sa.Integer))
a = authors.alias("a")

CORE = {
    "select_where": sa.select(authors.c.name).where(authors.c.id == 5),
    "select_limit": sa.select(authors.c.name).order_by(authors.c.name).limit(10),
    "select_limit_offset": sa.select(authors.c.name).order_by(authors.c.name).limit(10).offset(20),
    "select_alias": sa.select(a.c.name).where(a.c.id == 1),
    "select_join": sa.select(books.c.title, authors.c.name).select_from(books.join(authors, books.c.author_id == authors.c.id)),
    "select_boolean": sa.select(authors.c.name).where(authors.c.active == sa.true()),
    "select_boolean_column": sa.select(authors.c.name).where(authors.c.active),
    "select_not_boolean_column": sa.select(authors.c.name).where(sa.not_(authors.c.active)),
    "select_boolean_and": sa.select(authors.c.name).where(sa.and_(authors.c.active, authors.c.id > 1)),
    "select_case_boolean": sa.select(sa.case((authors.c.active, "yes"), else_="no")),
    "select_in": sa.select(authors.c.name).where(authors.c.id.in_([1, 2, 3])),
    "select_like": sa.select(authors.c.name).where(authors.c.name.like("U%")),
    "select_ilike": sa.select(authors.c.name).where(authors.c.name.ilike("u%")),
    "select_group": sa.select(books.c.author_id, sa.func.count()).group_by(books.c.author_id).having(sa.func.count() > 2),
    "select_exists": sa.select(authors.c.name).where(sa.exists().where(books.c.author_id == authors.c.id)),
    "select_except": sa.select(authors.c.id).except_(sa.select(books.c.author_id)),
    "select_union": sa.select(authors.c.id).union(sa.select(books.c.author_id)),
    "select_distinct": sa.select(authors.c.name).distinct(),
    "select_concat": sa.select(authors.c.name.concat(authors.c.email)),
    "select_char_length": sa.select(sa.func.char_length(authors.c.name)),
    "select_now": sa.select(sa.func.now()),
    "select_group_concat": sa.select(sa.func.aggregate_strings(books.c.title, ",")),
    "select_cast": sa.select(sa.cast(authors.c.id, sa.String(20))),
    "select_text_literal": sa.select(sa.literal("O'Brien")),
    "select_case": sa.select(sa.case((books.c.pages > 100, "long"), else_="short")),
    "insert": authors.insert().values(name="Ursula"),
    "insert_returning": authors.insert().values(name="Ursula").returning(authors.c.id),
    "update": authors.update().where(authors.c.id == 1).values(name="Octavia"),
    "update_returning": authors.update().where(authors.c.id == 1).values(name="Octavia").returning(authors.c.id),
    "delete": authors.delete().where(authors.c.id == 1),
    "delete_returning": authors.delete().where(authors.c.id == 1).returning(authors.c.id),
}

TYPES = {
    "integer": sa.Integer(), "bigint": sa.BigInteger(), "smallint": sa.SmallInteger(),
    "string(50)": sa.String(50), "text": sa.Text(), "boolean": sa.Boolean(), "float": sa.Float(),
    "double": sa.Double(), "numeric(10,2)": sa.Numeric(10, 2), "date": sa.Date(), "datetime": sa.DateTime(),
    "datetime(timezone)": sa.DateTime(timezone=True), "time": sa.Time(), "binary": sa.LargeBinary(),
    "json": sa.JSON(), "uuid": sa.Uuid(),
}


def compile_core(stmt, dialect):
    try:
        return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except Exception as e:  # a construct SQLAlchemy refuses on this dialect
        return {"error": (str(e) or type(e).__name__).splitlines()[0]}


def compile_type(t, dialect):
    try:
        return t.compile(dialect=dialect)
    except Exception as e:
        return {"error": (str(e) or type(e).__name__).splitlines()[0]}


def ops(name):
    """Each migration operation, as Alembic writes it offline for `name`."""
    def run(fn):
        buf = io.StringIO()
        ctx = MigrationContext.configure(dialect_name=name, opts={"as_sql": True, "output_buffer": buf})
        try:
            fn(Operations(ctx))
        except Exception as e:
            return {"error": (str(e) or type(e).__name__).splitlines()[0]}
        return buf.getvalue()

    return {
        "create_table": run(lambda op: op.create_table(
            "tags", sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False, server_default="x"))),
        "drop_table": run(lambda op: op.drop_table("tags")),
        "rename_table": run(lambda op: op.rename_table("tags", "labels")),
        "add_column": run(lambda op: op.add_column("books", sa.Column("isbn", sa.String(13), nullable=True))),
        "drop_column": run(lambda op: op.drop_column("books", "isbn")),
        "alter_column_nullable": run(lambda op: op.alter_column("books", "title", nullable=True, existing_type=sa.String(200))),
        "alter_column_type": run(lambda op: op.alter_column("books", "title", type_=sa.String(300), existing_type=sa.String(200))),
        "alter_column_default": run(lambda op: op.alter_column("books", "pages", server_default="0")),
        "rename_column": run(lambda op: op.alter_column("books", "pages", new_column_name="page_count")),
        "create_index": run(lambda op: op.create_index("ix_books_title", "books", ["title"])),
        "drop_index": run(lambda op: op.drop_index("ix_books_title", table_name="books")),
        "create_unique_constraint": run(lambda op: op.create_unique_constraint("uq_books_title", "books", ["title"])),
        "create_foreign_key": run(lambda op: op.create_foreign_key(
            "fk_books_author_id_authors", "books", "authors", ["author_id"], ["id"], ondelete="CASCADE")),
        "create_check_constraint": run(lambda op: op.create_check_constraint("ck_books_pages", "books", "pages > 0")),
        "drop_constraint": run(lambda op: op.drop_constraint("uq_books_title", "books", type_="unique")),
        "table_comment": run(lambda op: op.create_table_comment("books", "Books we hold")),
        "column_comment": run(lambda op: op.alter_column("books", "title", comment="The title", existing_type=sa.String(200))),
    }


out = {
    "generator": f"SQLAlchemy {sa.__version__}, Alembic {__import__('alembic').__version__}",
    "core": {k: {d: compile_core(s, dialect) for d, dialect in {**DIALECTS, **RELEASES}.items()} for k, s in CORE.items()},
    "types": {k: {d: compile_type(t, dialect) for d, dialect in {**DIALECTS, **RELEASES}.items()} for k, t in TYPES.items()},
    "operations": {d: ops(d) for d in DIALECTS},
}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
