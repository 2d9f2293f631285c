"""Start Streamlit for this app: `python -m console.ui.serve [streamlit run options]`.

Our pages/ folder holds st.navigation pages. A fresh Streamlit server treats a pages/
folder as legacy auto-pages until some session has called st.navigation, so the very
first visitor to /fees would get the page without the app around it. Settle that
before the server starts.
"""

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", "streamlit_app.py", *sys.argv[1:]]
    sys.exit(main())
