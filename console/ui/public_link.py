"""A webinar's public registration link, with a QR code to put on slides."""

from __future__ import annotations

import io

import segno
import streamlit as st

from console.formatting.i18n import _
from console.services import registration


def qr_code_svg(url: str) -> bytes:
    """The link as a QR code: an SVG that scales to any slide."""
    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", scale=8, border=2, title=url)
    return svg.getvalue()


def public_link(webinar_id: str) -> None:
    url = registration.registration_link(webinar_id)
    st.subheader(_("Public registration link"))
    st.caption(_("Participants register and pay here, with no account."))
    st.code(url, language=None)
    code = qr_code_svg(url)
    st.image(code.decode(), width=200, caption=_("QR code of the link"))  # SVG markup
    st.download_button(
        _("Download the QR code (SVG)"),
        data=code,
        file_name=f"{webinar_id}-registration.svg",
        mime="image/svg+xml",
        key=f"qr_{webinar_id}",
        icon=":material/qr_code_2:",
    )
