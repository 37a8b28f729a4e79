"""Reference SQL for Retort's identity columns, sequences and computed columns on
Oracle and SQL Server, from SQLAlchemy's own compilers (outputs only: this script is
not part of Retort). A companion of make_reference.py, kept apart so that either can
grow without touching the other's output.

    pip install sqlalchemy
    python3 Tests/Reference/make_generated_reference.py > Tests/Reference/generated_reference.json

A construct SQLAlchemy refuses is recorded as {"error": "..."}.
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")

import sqlalchemy as sa
from sqlalchemy.dialects import mssql, oracle
from sqlalchemy.schema import CreateSequence, CreateTable, DropSequence

DIALECTS = {"oracle": oracle.dialect(), "mssql": mssql.dialect()}

seq = sa.Sequence("order_no", start=1000, increment=10, maxvalue=99999, cycle=True, cache=20)
orders = sa.Table("orders", sa.MetaData(),
    sa.Column("id", sa.BigInteger, sa.Identity(always=True, start=100, increment=5), primary_key=True),
    sa.Column("price", sa.Integer, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("total", sa.BigInteger, sa.Computed("price * quantity")))
stored = sa.Table("stored", sa.MetaData(), sa.Column("a", sa.Integer),
    sa.Column("b", sa.Integer, sa.Computed("a * 2", persisted=True)))
virtual = sa.Table("virt", sa.MetaData(), sa.Column("a", sa.Integer),
    sa.Column("b", sa.Integer, sa.Computed("a * 2", persisted=False)))

CASES = {
    "create_table_identity_computed": CreateTable(orders),
    "create_table_computed_stored": CreateTable(stored),
    "create_table_computed_virtual": CreateTable(virtual),
    "create_sequence": CreateSequence(seq),
    "drop_sequence": DropSequence(seq),
    "select_next_value": sa.select(seq.next_value()),
}


def compile(element, dialect):
    try:
        return str(element.compile(dialect=dialect))
    except Exception as e:  # a construct SQLAlchemy refuses on this dialect
        return {"error": (str(e) or type(e).__name__).splitlines()[0]}


out = {
    "generator": f"SQLAlchemy {sa.__version__}",
    "cases": {k: {d: compile(e, dialect) for d, dialect in DIALECTS.items()} for k, e in CASES.items()},
}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
