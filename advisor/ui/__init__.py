"""Streamlit-only glue for ``app.py``: the page's settings bound to the URL (:mod:`~advisor.ui.params`), the data
behind the page (:mod:`~advisor.ui.data`) and the page icon. What the page shows is decided in
:mod:`advisor.present`.
"""
