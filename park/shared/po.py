"""Writing a domain's catalog file from a plain mapping (used when adding translations)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from park.shared.i18n import LOCALE_DIR


def merge_into_catalog(domain: str, translations: dict[str, str], lang: str = "zh_Hans") -> Path:
    """Add or update `translations` in park/locale/<lang>/LC_MESSAGES/<domain>.po, keeping the rest."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    if path.exists():
        with path.open("rb") as po_file:
            catalog = read_po(po_file, locale="zh_Hans_CN" if lang == "zh_Hans" else lang)
    else:
        catalog = Catalog(locale="zh_Hans_CN" if lang == "zh_Hans" else lang, project="Park", fuzzy=False)
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po_file:
        write_po(po_file, catalog, width=0, omit_header=False, sort_output=True)
    return path


if __name__ == "__main__":
    # python -m park.shared.po DOMAIN FILE.json : merge {"English": "中文", ...} into DOMAIN.po
    import json

    print(merge_into_catalog(sys.argv[1], json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))))
