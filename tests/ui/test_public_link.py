"""console/ui/public_link.py: a webinar's public registration link and its QR code."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from console.settings import PUBLIC_URL_SETTING
from console.ui.public_link import qr_code_svg
from tests.ui.support import run_piece


def link_piece(webinar_id: str) -> None:
    from console.ui.public_link import public_link

    public_link(webinar_id)


def test_the_link_is_the_public_sites_with_the_webinar(monkeypatch):
    monkeypatch.setenv(PUBLIC_URL_SETTING, "https://webinars.example.org/")
    app = run_piece(link_piece, "wb_1")

    assert [c.value for c in app.code] == ["https://webinars.example.org/?webinar=wb_1"]
    assert [s.value for s in app.subheader] == ["Public registration link"]
    [download] = app.get("download_button")
    assert download.proto.label == "Download the QR code (SVG)"


def test_the_qr_code_is_an_svg_that_names_the_link():
    svg = qr_code_svg("https://webinars.example.org/?webinar=wb_1")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert b"https://webinars.example.org/?webinar=wb_1" in svg  # its <title>
