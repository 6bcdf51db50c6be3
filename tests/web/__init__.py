"""The self-hosted web service and Alexa request verification (a package, so its conftest stays its own)."""
