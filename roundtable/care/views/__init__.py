"""Care pages, a module for each feature: the start page, referring, a person's page, the front
door, the offer catalogue, the huddle board and its cards, zones, the ready list and caseloads.
Each view parses with a form, calls a selector or service, and renders; the huddle card forms
answer htmx with the board alone. A card's bigger forms are on its own page, which htmx opens
inside the card on the board. `care/urls.py` names each view by its module."""
