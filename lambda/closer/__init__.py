"""Closer Together: an Alexa skill that guides couples through short connection exercises."""
