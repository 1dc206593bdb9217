"""Static checks of every template, no browser needed: labelled fields, no inline script or style, one layout."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
JINJA_STATEMENT = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def _is_fragment(path: Path) -> bool:
    """Partials (`_name.html`) are swapped into pages by htmx or included; they have no layout of their own."""
    return path.name.startswith("_") or path.name == "base.html" or "mail" in path.relative_to(TEMPLATES).parts


@dataclass
class Control:
    tag: str
    line: int
    attrs: dict[str, str]
    inside_label: bool


@dataclass
class TemplateScan(HTMLParser):
    """What matters for the checks, read from a template with its Jinja statements blanked out."""

    controls: list[Control] = field(default_factory=list)
    label_targets: set[str] = field(default_factory=set)
    inline_scripts: list[int] = field(default_factory=list)
    handlers: list[tuple[int, str]] = field(default_factory=list)
    styles: list[int] = field(default_factory=list)
    label_depth: int = 0

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        for name in values:
            if name.startswith("on"):
                self.handlers.append((line, name))
        if "style" in values or tag == "style":
            self.styles.append(line)
        if tag == "script" and not values.get("src"):
            self.inline_scripts.append(line)
        if tag == "label":
            self.label_depth += 1
            if values.get("for"):
                self.label_targets.add(values["for"])
        if tag in ("input", "select", "textarea"):
            self.controls.append(Control(tag, line, values, self.label_depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.label_depth:
            self.label_depth -= 1


def scan(path: Path) -> TemplateScan:
    # Blank statements but keep line numbers, so messages point at the right line.
    text = JINJA_STATEMENT.sub(lambda match: "\n" * match.group(0).count("\n"), path.read_text(encoding="utf-8"))
    parser = TemplateScan()
    parser.feed(text)
    parser.close()
    return parser


def _name(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


def unlabelled_controls(path: Path) -> list[str]:
    found = scan(path)
    problems = []
    for control in found.controls:
        if control.tag == "input" and control.attrs.get("type", "text") in UNLABELLED_TYPES:
            continue
        if control.inside_label or control.attrs.get("aria-label") or control.attrs.get("aria-labelledby"):
            continue
        if control.attrs.get("id") and control.attrs["id"] in found.label_targets:
            continue
        problems.append(f"{_name(path)}:{control.line} <{control.tag} name={control.attrs.get('name')!r}> has no label")
    return problems


@pytest.mark.parametrize("path", _templates(), ids=_name)
def test_every_form_field_has_a_label(path):
    assert unlabelled_controls(path) == []


@pytest.mark.parametrize("path", _templates(), ids=_name)
def test_no_template_carries_inline_script_handlers_or_styles_the_security_policy_would_block(path):
    found = scan(path)
    assert found.inline_scripts == [], f"{_name(path)}: inline <script> at lines {found.inline_scripts}"
    assert found.handlers == [], f"{_name(path)}: event-handler attributes {found.handlers}"
    assert found.styles == [], f"{_name(path)}: style attributes or <style> at lines {found.styles}"


@pytest.mark.parametrize("path", [p for p in _templates() if not _is_fragment(p)], ids=_name)
def test_every_page_template_extends_the_base_layout(path):
    text = path.read_text(encoding="utf-8")
    assert re.search(r"\{%-?\s*extends\s+[\"']base\.html[\"']", text), f"{_name(path)} does not extend base.html"


def test_the_checks_catch_an_unlabelled_field_an_inline_script_and_a_handler(tmp_path, monkeypatch):
    monkeypatch.setattr("tests.test_pages_a11y.TEMPLATES", tmp_path)
    bad = tmp_path / "bad.html"
    bad.write_text(
        '{% if x %}<label for="a">A</label>{% endif %}<input id="a" name="a">\n'
        '<input name="b" type="text"><select name="c"></select>\n'
        '<label>D <input name="d"></label><input type="hidden" name="e">\n'
        '<script>alert(1)</script><button onclick="go()" style="color:red">x</button>\n',
        encoding="utf-8",
    )
    found = scan(bad)
    assert [problem.split("> ")[0].split("name=")[1] for problem in unlabelled_controls(bad)] == ["'b'", "'c'"]
    assert found.inline_scripts == [4]
    assert found.handlers == [(4, "onclick")]
    assert found.styles == [4]
