"""The theme's public names: the only ones the project modules and the
demo import from themes (docs/decisions/0090-app-apis-and-import-contracts.md).
The feature apps import nothing from themes: it is presentation, above them."""

from .forms import ThrottledPasswordChangeForm
from .models import HomePage
from .seeding import home_page_demo_seed

__all__ = [
    # The password-change form with its attempt limit (lms.urls).
    "ThrottledPasswordChangeForm",
    # The site's home page, parent of the demo catalogue.
    "HomePage",
    "home_page_demo_seed",
]
