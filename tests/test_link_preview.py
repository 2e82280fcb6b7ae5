"""deploy/link_preview.py: a shared link's preview names Descent, not Streamlit."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("link_preview", ROOT / "deploy" / "link_preview.py")
link_preview = importlib.util.module_from_spec(spec)
spec.loader.exec_module(link_preview)


def test_streamlits_own_page_gets_descents_title_and_preview_tags_once():
    original = link_preview.installed_index().read_text(encoding="utf-8")
    assert "<title>Streamlit</title>" in original or link_preview.MARK in original
    page = link_preview.with_preview(original)
    assert "<title>Descent: see how neural networks learn</title>" in page
    assert '<meta property="og:title" content="Descent: see how neural networks learn">' in page
    assert 'property="og:description"' in page and "<title>Streamlit</title>" not in page
    assert link_preview.with_preview(page) == page  # a second run changes nothing


def test_a_page_without_a_title_is_refused():
    with pytest.raises(ValueError, match="no <title>"):
        link_preview.with_preview("<html><head></head></html>")
