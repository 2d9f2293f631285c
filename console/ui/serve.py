"""Start Streamlit for the console, or with `--public` for the public registration site:
`python -m console.ui.serve [--public] [streamlit run options]`.

Our pages/ folder holds st.navigation pages. A fresh Streamlit server treats a pages/
folder as legacy auto-pages until some session has called st.navigation, so the very
first visitor to /fees would get the page without the app around it (and the public site
would serve the internal pages). Settle that before the server starts.
"""

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

CONSOLE = "streamlit_app.py"
PUBLIC = "public_app.py"


def streamlit_argv(argv: list[str]) -> list[str]:
    """`streamlit run` of the right entry point with the other options passed on."""
    public = "--public" in argv
    rest = [arg for arg in argv if arg != "--public"]
    return ["streamlit", "run", PUBLIC if public else CONSOLE, *rest]


if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv = streamlit_argv(sys.argv[1:])
    sys.exit(main())
