"""leadbot: the Telegram front end of a sales team's lead pipeline."""

__version__ = "0.1.0"
