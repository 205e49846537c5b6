"""The dashboard's pure parts: URL state, the page's analysis, and how figures read for people.

Nothing here imports Streamlit; ``app.py`` asks and draws, these modules decide what to show.
Plotly is only needed by :mod:`advisor.figures`.
"""

__all__ = ["params", "compute", "view"]
