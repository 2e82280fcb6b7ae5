"""The training lab's widgets and sections (pages/lab.py reads them in order).

sidebar (with csv_input): the settings and their URL · training: the session's run, its
buttons and the live training loop · live_charts: what is drawn while it trains ·
results: what is shown once it has.
"""
