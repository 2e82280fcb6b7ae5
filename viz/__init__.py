"""Plotly figures: pure functions from engine/surface data to go.Figure (no Streamlit)."""
