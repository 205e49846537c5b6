"""How answers are shown to people, the same on every surface: one analysis for page, report and notebooks
(:mod:`~advisor.present.analysis`), what the page and report say
(:mod:`~advisor.present.view`), the charts (:mod:`~advisor.present.figures`, needs plotly) and the report
(:mod:`~advisor.present.report`). Nothing here imports Streamlit.
"""
