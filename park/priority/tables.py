"""Published priority policies. Tables only."""

from piccolo.columns import JSON, Text, Timestamptz, Varchar
from piccolo.table import Table


class PublishedPolicy(Table, tablename="published_policy"):
    """Every priority policy version Park has run under, kept so old scores stay readable."""

    version = Varchar(length=64, unique=True)
    effective_from = Varchar(length=32, default="")
    document = JSON(default={})
    source = Text(default="")  # the policy file's text as published
    first_seen_at = Timestamptz()
