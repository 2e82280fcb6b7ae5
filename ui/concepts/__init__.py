"""The home page and the concept pages' widgets and sections.

topics: the home page's topic map and experiments · losses: the loss functions page ·
gradients: the unstable gradients page.
"""
