"""The root of every error fraudscore raises on purpose."""


class FraudError(Exception):
    """Root of every error we raise; its message is meant for a user, never a stack trace."""
