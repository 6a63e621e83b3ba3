"""Learning pages, a module for each part: the start page (and the home page's section), events
and thematic reviews, a learning response and what it records, safety actions. Each view parses
with a form, calls a selector or one service, and renders; `learning/urls.py` names each view by
its module."""
