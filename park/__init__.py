"""Park: resource and space booking for the Shenzhen Bay culture-and-technology base."""

import os

# Piccolo finds its engine through this module; set before any table is imported.
os.environ.setdefault("PICCOLO_CONF", "park.piccolo_conf")
