"""Entry point: page config, then navigation over pages/."""

import streamlit as st

st.set_page_config(page_title="Webinar payments console", page_icon="💳", layout="wide")

with st.sidebar:
    st.selectbox(
        "Language / Langue",
        options=["en", "fr"],
        format_func={"en": "English", "fr": "Français"}.get,
        key="locale",
    )

navigation = st.navigation([st.Page("pages/revenue.py", title="Revenue", icon="📈", default=True)])
navigation.run()
