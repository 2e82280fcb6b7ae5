"""The optimizer playground's widgets and sections (pages/playground.py reads them in order).

sidebar: the settings and their URL · race: the cached race and surface picture ·
messages: why a path stopped, and what to try · results: the results table ·
charts: the map's caption and the curve panels · rules: the update-rule panels ·
presets: each surface's starting settings.
"""
