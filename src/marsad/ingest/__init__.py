"""Reading inputs and turning them into clean articles.

``read_inputs`` yields a ``RawDoc`` per input (or an ``InputError`` for a broken one);
``extract_articles`` turns one RawDoc into its Articles (cleaned text, title, date, outlet,
credited sources, one Article per appended part).
"""

from marsad.errors import InputError
from marsad.ingest.extract import article_id, extract_articles
from marsad.ingest.readers import decode, read_file, read_inputs
from marsad.model import Article, RawDoc

__all__ = ["read_inputs", "read_file", "decode", "extract_articles", "article_id", "RawDoc",
           "Article", "InputError"]
