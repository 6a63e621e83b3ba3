"""Settings for `make run`: a developer's machine, SQLite unless DATABASE_URL says otherwise.

The demo looks like the product: a page that is not there, or an error, gets the NHS.UK-styled
page, not Django's debug page. `ROUNDTABLE_DEBUG=1` (or `DEBUG=true`) turns Django's debug
details on. Templates and static files are picked up as they change either way.
"""

from roundtable.config.env import env_bool
from roundtable.config.settings.base import *  # noqa: F403
from roundtable.config.settings.base import DEBUG, TEMPLATES

DEBUG = env_bool("ROUNDTABLE_DEBUG", DEBUG)

TEMPLATES[0]["OPTIONS"]["auto_reload"] = True
WHITENOISE_AUTOREFRESH = True
