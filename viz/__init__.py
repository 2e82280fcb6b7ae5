"""Plotly figures as plain dicts: pure functions from engine/surface data (no Streamlit)."""
