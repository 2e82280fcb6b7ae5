"""Streamlit widgets and layout helpers shared by the pages (app code that may import st)."""
