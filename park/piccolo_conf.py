"""Piccolo's configuration: the engine comes from Park's settings."""

from piccolo.conf.apps import AppRegistry

from park.settings import load_settings
from park.shared.db import make_engine

DB = make_engine(load_settings())

APP_REGISTRY = AppRegistry(apps=["park.piccolo_app"])
