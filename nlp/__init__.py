"""Pure text → classification for daiban: the matter catalogue, jieba matching, PII masking.

Imports nothing from the rest of daiban; the bot, the HTTP API and the CLI all use this API.
"""

from nlp.catalog import (
    DEFAULT_CATALOG_PATH,
    Catalog,
    CatalogError,
    Level,
    Matter,
    Mode,
    load_catalog,
)
from nlp.classifier import Classification, Classifier
from nlp.normalize import mask_pii

__all__ = [
    "DEFAULT_CATALOG_PATH",
    "Catalog",
    "CatalogError",
    "Classification",
    "Classifier",
    "Level",
    "Matter",
    "Mode",
    "load_catalog",
    "mask_pii",
]
